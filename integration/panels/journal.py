"""Panels this part adds to intake's chart and the patient's home: (page, Panel) pairs.

The patient's home: "Your journal" (the latest entry; a nudge to write an intention for a session in the
next 7 days) and "Self-care this week". The chart: "Reflections and self-care" for the care team
(VIEW_JOURNAL: not admins, and not the patient, who has their own pages). Each runs a fixed few queries.
"""

import datetime

from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.utils import timezone

from kap_clinic import panels
from kap_clinic.access import Action, can
from sessions.models import DosingSession

from ..models import Reflection, SelfCareCheckIn
from ..services.journal import this_week

INTENTION_NUDGE_DAYS = 7


def patient_journal(request, patient) -> dict | None:
    """The latest entry's date, and the next session within a week that has no intention yet."""
    if not request.user.is_patient:
        return None
    latest = patient.reflections.order_by("-created_at").values_list("created_at", flat=True).first()
    now = timezone.now()
    intention_due = (
        DosingSession.objects.filter(
            patient=patient,
            status=DosingSession.Status.SCHEDULED,
            dosed_at__isnull=True,
            scheduled_at__gte=now,
            scheduled_at__lt=now + datetime.timedelta(days=INTENTION_NUDGE_DAYS),
        )
        .filter(~Exists(Reflection.objects.filter(dosing_session=OuterRef("pk"), kind=Reflection.Kind.INTENTION)))
        .order_by("scheduled_at", "pk")
        .first()
    )
    return {"latest_entry_at": latest, "intention_due": intention_due}


def patient_self_care(request, patient) -> dict | None:
    """The active goals, each with whether this week's check-in is done (nothing when there are no goals)."""
    if not request.user.is_patient:
        return None
    monday = this_week(patient.clinic)
    goals = list(
        patient.self_care_goals.filter(is_active=True)
        .annotate(done=Exists(SelfCareCheckIn.objects.filter(goal=OuterRef("pk"), week_of=monday)))
        .order_by("category", "pk")
    )
    if not goals:
        return None
    return {"self_care_goals": goals, "self_care_to_do": sum(not goal.done for goal in goals)}


def chart_journal(request, patient) -> dict | None:
    """For the care team: how many entries and the latest; the active goals with their last check-in."""
    if not can(request.user, Action.VIEW_JOURNAL, patient=patient):
        return None
    entries = patient.reflections.aggregate(count=Count("pk"), latest=Max("created_at"))
    last = SelfCareCheckIn.objects.filter(goal=OuterRef("pk")).order_by("-week_of")
    goals = list(
        patient.self_care_goals.filter(is_active=True)
        .annotate(last_rating=Subquery(last.values("rating")[:1]), last_week=Subquery(last.values("week_of")[:1]))
        .order_by("category", "pk")
    )
    for goal in goals:
        goal.last_rating_label = (
            SelfCareCheckIn.Rating(goal.last_rating).label if goal.last_rating is not None else None
        )
    return {"entry_count": entries["count"], "latest_entry_at": entries["latest"], "self_care_goals": goals}


PANELS = [
    (panels.PATIENT_HOME, panels.Panel("integration/_patient_journal.html", patient_journal, 30)),
    (panels.PATIENT_HOME, panels.Panel("integration/_patient_self_care.html", patient_self_care, 31)),
    (panels.CHART, panels.Panel("integration/_chart_journal.html", chart_journal, 80)),
]
