"""The clinician home's worklists: what is waiting in the clinics a clinician works in.

Each worklist is one query whatever the data size: its first rows and, on each row, how many there are
in all (a window count), so the home runs the same number of queries with ten rows or ten thousand. Who
sees which list follows the access policy's tables (`granted_actions`) and the clinics the user works in;
the page leaves out the cards of lists the user's role never works on (`shows_*`, or None).
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.utils import timezone

from intake import selectors as intake_selectors
from intake.models import Assessment, Patient
from integration import schedule as follow_up
from integration.models import IntegrationSession
from integration.services import sessions as integration_services
from kap_clinic.access import Action, granted_actions, staff_clinics
from kap_clinic.accounts.models import User
from sessions import clinic_time
from sessions import selectors as session_selectors
from sessions.models import DosingSession, LedgerEntry, SessionNote


@dataclass(frozen=True)
class Worklist:
    """The first rows of a list and how many rows it has in all."""

    items: list
    count: int


def first_rows(queryset: QuerySet, size: int) -> Worklist:
    """The first `size` rows of `queryset` and its total, in one query."""
    rows = list(queryset.annotate(worklist_total=Window(Count("pk")))[:size])
    return Worklist(rows, rows[0].worklist_total if rows else 0)


def _mine(condition: Q):
    """True on the user's own rows (never NULL, so that ordering by "-mine" puts them first)."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


# --- patients ---------------------------------------------------------------------------------------


def clinics_with_stage_counts(user) -> list:
    """The clinics the user works in (by name), each with `stage_counts`: its patients per stage, in the
    same query."""
    stages = Patient.Stage.values
    counts = {f"stage_{value}": Count("patients", filter=Q(patients__stage=value)) for value in stages}
    clinics = list(staff_clinics(user).annotate(**counts))
    for clinic in clinics:
        clinic.stage_counts = {value: getattr(clinic, f"stage_{value}") for value in stages}
    return clinics


def patients_by_stage(clinics) -> list[tuple[str, str, int]]:
    """(stage, label, count) over all of `clinics`, in the pipeline's order."""
    return [
        (value, label, sum(clinic.stage_counts[value] for clinic in clinics)) for value, label in Patient.Stage.choices
    ]


def recently_updated(clinics, size: int = 10) -> list[Patient]:
    return list(Patient.objects.filter(clinic__in=clinics).select_related("clinic").order_by("-updated_at")[:size])


# --- today's schedule -------------------------------------------------------------------------------


def _today(clinics) -> Q:
    """Scheduled today, each clinic's today in its own time zone."""
    condition = Q(pk__in=[])
    for clinic in clinics:
        start, end = session_selectors.clinic_day_bounds(clinic, clinic_time.clinic_today(clinic))
        condition |= Q(patient__clinic=clinic, scheduled_at__gte=start, scheduled_at__lt=end)
    return condition


def integration_today(clinics) -> list[IntegrationSession]:
    """Today's integration sessions of `clinics` (every status), by time."""
    return list(
        IntegrationSession.objects.filter(_today(clinics))
        .select_related("patient__clinic", "therapist")
        .order_by("scheduled_at", "pk")
    )


# --- unsigned notes and assessments -----------------------------------------------------------------


def monitoring_notes_to_sign(clinics, user) -> QuerySet[DosingSession]:
    """Discharged sessions whose monitoring note isn't signed (so the session isn't): the user's own first
    (the note's author, or the session's monitor while nobody has written it), then the longest waiting.
    Each with `note_author_id` and `note_author_name` (None: not written yet) and `mine`."""
    note = SessionNote.objects.filter(session=OuterRef("pk"), kind=SessionNote.Kind.MONITORING)
    return (
        DosingSession.objects.filter(
            patient__clinic__in=clinics, status=DosingSession.Status.DISCHARGED, signed_at__isnull=True
        )
        .select_related("patient__clinic", "monitor")
        .annotate(
            note_author_id=Subquery(note.values("author_id")[:1]),
            note_author_name=Subquery(note.values("author__full_name")[:1]),
        )
        .annotate(mine=_mine(Q(note_author_id=user.pk) | Q(note_author_id__isnull=True, monitor=user)))
        .order_by("-mine", "discharged_at", "pk")
    )


def therapist_notes_to_sign(clinics, user) -> QuerySet[SessionNote]:
    """Therapists' notes of dosing sessions not signed yet: the user's own first (only the author signs),
    then the oldest."""
    return (
        SessionNote.objects.filter(
            session__patient__clinic__in=clinics, kind=SessionNote.Kind.THERAPIST, signed_at__isnull=True
        )
        .select_related("session__patient__clinic", "author")
        .annotate(mine=_mine(Q(author=user)))
        .order_by("-mine", "created_at", "pk")
    )


def assessment_drafts(clinics, user, *, all_drafts: bool) -> QuerySet[Assessment]:
    """Unsigned assessments: every draft of `clinics` for those who sign them (`all_drafts`), else the
    user's own; the user's own first, then the oldest."""
    drafts = Assessment.objects.filter(patient__clinic__in=clinics, signed_at__isnull=True)
    if not all_drafts:
        drafts = drafts.filter(created_by=user)
    return (
        drafts.select_related("patient__clinic", "created_by")
        .annotate(mine=_mine(Q(created_by=user)))
        .order_by("-mine", "created_at", "pk")
    )


# --- the ledger -------------------------------------------------------------------------------------


def unwitnessed_waste(clinics) -> QuerySet[LedgerEntry]:
    """`sessions.selectors.unwitnessed_waste` for several clinics: waste with no witness yet (a waste
    corrected to nothing is no longer waiting), the oldest first."""
    waste = LedgerEntry.objects.filter(
        lot__clinic__in=clinics, kind=LedgerEntry.Kind.WASTE, waste__witness__isnull=True
    )
    return (
        session_selectors.with_net_change(waste)
        .exclude(net_change_mg=0)
        .select_related("lot__clinic", "performed_by")
        .order_by("occurred_at", "pk")
    )


# --- the whole home ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsigned:
    """The "unsigned notes and assessments" card: one list per kind of record (None: not this user's)."""

    monitoring: Worklist | None
    therapist: Worklist | None
    integration: Worklist | None
    assessments: Worklist

    @property
    def count(self) -> int:
        return sum(w.count for w in (self.monitoring, self.therapist, self.integration, self.assessments) if w)


def clinician_worklists(user: User, clinics: list, *, size: int, now: datetime.datetime | None = None) -> dict:
    """Every worklist of the clinician home for `user` in `clinics` (the clinics they work in), as the
    template's context: a fixed number of queries (one per list) whatever the data size."""
    now = now or timezone.now()
    actions = granted_actions(user)

    def where(action: Action) -> list:
        return clinics if action in actions else []

    board, review = where(Action.VIEW_BOARD), where(Action.REVIEW_QUEUE)
    today_sessions, observing = session_selectors.sessions_worklists(board)
    integration = integration_today(board)
    overdue, overdue_count = follow_up.overdue_worklist(review, size)
    is_therapist = user.clinician_kind == User.ClinicianKind.THERAPIST
    writes_integration = Action.WRITE_INTEGRATION_NOTE in actions
    unsigned = Unsigned(
        monitoring=(
            first_rows(monitoring_notes_to_sign(clinics, user), size) if Action.RUN_SESSION in actions else None
        ),
        therapist=first_rows(therapist_notes_to_sign(clinics, user), size) if is_therapist else None,
        integration=(
            first_rows(integration_services.notes_to_sign(clinics, now, user), size) if writes_integration else None
        ),
        assessments=first_rows(
            assessment_drafts(where(Action.REVIEW_INTAKE), user, all_drafts=Action.SIGN_ELIGIBILITY in actions),
            size,
        ),
    )
    alerts = first_rows(intake_selectors.open_alerts(review), size)
    queue = first_rows(intake_selectors.review_queue(review), size)
    waste = first_rows(unwitnessed_waste(clinics), size) if Action.VIEW_LEDGER in actions else None
    # each list as its first rows and `<name>_count`, the names the page has always used
    return {
        "shows_schedule": bool(board),
        "today_sessions": today_sessions[:size],
        "today_sessions_count": len(today_sessions),
        "today_integration": integration[:size],
        "today_integration_count": len(integration),
        "today_count": len(today_sessions) + len(integration),
        "observing": observing[:size],
        "observing_count": len(observing),
        "shows_review": bool(review),
        "alerts": alerts.items,
        "alert_count": alerts.count,
        "queue": queue.items,
        "queue_count": queue.count,
        "overdue_measures": overdue,
        "overdue_count": overdue_count,
        "unsigned": unsigned,
        "shows_waste": waste is not None,
        "waste": waste.items if waste else [],
        "waste_count": waste.count if waste else 0,
        "several_clinics": len(clinics) > 1,
    }
