"""The patient's journal and self-care plan: reflections the patient writes, goals the therapist agrees
with them, and the patient's weekly check-in on each goal.

A journal adds entries: a reflection, once written, is not edited (a new entry adds to or corrects it).
A weekly check-in is the exception that updates: the same week checked in again, while the week lasts,
replaces that week's answer.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kap_clinic.access import Action, can
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from sessions import clinic_time
from sessions.models import DosingSession

from .. import journal_prompts
from ..models import Reflection, SelfCareCheckIn, SelfCareGoal

BODY_MAX_CHARS = 10_000
GOAL_DESCRIPTION_MAX_CHARS = 255
CHECK_IN_NOTE_MAX_CHARS = 500

# An intention is written before the dose: the session is still to come or under way, not yet dosed.
NOT_YET_DOSED = (DosingSession.Status.SCHEDULED, DosingSession.Status.CHECKED_IN, DosingSession.Status.DOSING)


# --- reflections ---------------------------------------------------------------------------------


def session_is_upcoming(session: DosingSession) -> bool:
    """Not dosed yet and still going to happen: an intention may be written for it."""
    return session.dosed_at is None and session.status in NOT_YET_DOSED


def session_is_dosed(session: DosingSession) -> bool:
    """The patient had their dose: a reflection may be written about it."""
    return session.dosed_at is not None


@transaction.atomic
def reflection_write(
    *, patient, kind: str, body: str, dosing_session: DosingSession | None = None, prompt: str = "", by
) -> Reflection:
    """The patient writes a journal entry, optionally about one of their dosing sessions: an intention
    only for a session not yet dosed, a reflection only for one dosed. Entries are not edited afterwards."""
    if not can(by, Action.JOURNAL, patient=patient):
        raise PermissionDenied("only the patient writes in their journal")
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = [_("Write something in your entry before saving it.")]
    elif len(body) > BODY_MAX_CHARS:
        errors["body"] = [
            _(
                "Your entry is %(n)s characters long; an entry holds up to %(max)s. "
                "Shorten it, or save part of it now and the rest as a second entry."
            )
            % {"n": f"{len(body):,}", "max": f"{BODY_MAX_CHARS:,}"}
        ]
    if kind not in Reflection.Kind.values:
        errors["kind"] = [_("Choose what kind of entry this is: an intention, a reflection or a journal entry.")]
    elif dosing_session is not None:
        dosing_session = DosingSession.objects.get(pk=dosing_session.pk)  # its status now, not when the form was shown
        session_error = _session_error(patient, kind, dosing_session)
        if session_error:
            errors["dosing_session"] = [session_error]
    prompt = (prompt or "").strip()
    if prompt and kind in Reflection.Kind.values and prompt not in journal_prompts.prompts_for(kind):
        errors["prompt"] = [
            _("That prompt isn't one offered for %(kind)s. Choose one from the list, or none.")
            % {"kind": Reflection.Kind(kind).label.lower()}
        ]
    if errors:
        raise ValidationError(errors)
    reflection = Reflection.objects.create(
        patient=patient, kind=kind, body=body, dosing_session=dosing_session, prompt=prompt
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=reflection,
        detail=f"journal entry ({kind})" + (f", dosing session {dosing_session.number}" if dosing_session else ""),
    )
    return reflection


def _session_error(patient, kind: str, session: DosingSession) -> str | None:
    if session.patient_id != patient.pk:
        return _("Choose one of your own sessions from the list.")
    if kind == Reflection.Kind.INTENTION and not session_is_upcoming(session):
        if session_is_dosed(session):
            return _(
                "That session has already taken place: an intention is written before a dose. "
                "Write a reflection about it instead."
            )
        return _("That session won't take place (%(status)s): choose an upcoming session, or none.") % {
            "status": session.get_status_display().lower()
        }
    if kind == Reflection.Kind.REFLECTION and not session_is_dosed(session):
        return _(
            "A reflection is about a session you have had: that one hasn't taken place yet. "
            "Before a session, write an intention for it."
        )
    return None


# --- self-care goals -----------------------------------------------------------------------------


@transaction.atomic
def self_care_goal_add(*, patient, category: str, description: str, by) -> SelfCareGoal:
    """A therapist or prescriber of the patient's clinic records a goal agreed with the patient."""
    if not can(by, Action.MANAGE_SELF_CARE, patient=patient):
        raise PermissionDenied("only the patient's therapist or prescriber agrees self-care goals")
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if category not in SelfCareGoal.Category.values:
        errors["category"] = [_("Choose what the goal is about.")]
    if not description:
        errors["description"] = [_("Describe the goal in a few words, e.g. “10 minutes of breathing practice daily”.")]
    elif len(description) > GOAL_DESCRIPTION_MAX_CHARS:
        errors["description"] = [
            _("Keep the goal to %(max)s characters (it has %(n)s): the details belong in the session note.")
            % {"max": GOAL_DESCRIPTION_MAX_CHARS, "n": len(description)}
        ]
    if errors:
        raise ValidationError(errors)
    goal = SelfCareGoal.objects.create(patient=patient, category=category, description=description, agreed_with=by)
    audit_record(
        actor=by, action=AuditEvent.Action.CREATE, patient=patient, obj=goal, detail=f"self-care goal ({category})"
    )
    return goal


@transaction.atomic
def self_care_goal_end(*, goal: SelfCareGoal, by) -> SelfCareGoal:
    """End a goal: the patient is no longer asked about it; the goal and its check-ins stay on record."""
    goal = SelfCareGoal.objects.select_for_update().select_related("patient").get(pk=goal.pk)
    if not can(by, Action.MANAGE_SELF_CARE, patient=goal.patient):
        raise PermissionDenied("only the patient's therapist or prescriber ends self-care goals")
    if not goal.is_active:
        raise ValidationError(_("This goal has already ended."))
    goal.is_active = False
    goal.save(update_fields=["is_active"])
    audit_record(
        actor=by, action=AuditEvent.Action.UPDATE, patient=goal.patient, obj=goal, detail="self-care goal ended"
    )
    return goal


# --- weekly check-ins ----------------------------------------------------------------------------


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


def this_week(clinic) -> datetime.date:
    """The Monday of the current week in the clinic's time zone."""
    return week_start(clinic_time.clinic_today(clinic))


def check_in_weeks(clinic) -> tuple[datetime.date, datetime.date]:
    """The weeks a check-in may be for: (this week, last week), as their Mondays."""
    monday = this_week(clinic)
    return monday, monday - datetime.timedelta(days=7)


@transaction.atomic
def self_care_check_in(
    *, goal: SelfCareGoal, week_of: datetime.date, rating: int, note: str = "", by
) -> tuple[SelfCareCheckIn, bool]:
    """The patient says how a week went on one goal. Returns (check-in, created).

    For this week or last week only (the clinic's weeks, Monday to Sunday). Checking in again on this
    week updates its check-in; last week's, once recorded, stays as it is (that week is over).
    """
    # Lock the goal: two check-ins sent at once for the same week wait for each other instead of clashing.
    goal = SelfCareGoal.objects.select_for_update().select_related("patient__clinic").get(pk=goal.pk)
    patient = goal.patient
    if not can(by, Action.JOURNAL, patient=patient):
        raise PermissionDenied("only the patient checks in on their self-care goals")
    if not goal.is_active:
        raise ValidationError(_("The goal “%(goal)s” has ended: there is nothing to check in on.") % {"goal": goal})
    current, last = check_in_weeks(patient.clinic)
    if week_of not in (current, last):
        raise ValidationError(
            _("You can check in for this week (from %(this)s) or last week (from %(last)s) only.")
            % {"this": date_format(current, "l j F"), "last": date_format(last, "l j F")},
            code="week",
        )
    agreed = week_start(clinic_time.clinic_date(patient.clinic, goal.created_at))
    if week_of < agreed:
        raise ValidationError(
            _("The goal “%(goal)s” was agreed this week: check in on it from this week on.") % {"goal": goal},
            code="before_goal",
        )
    if rating not in SelfCareCheckIn.Rating.values:
        raise ValidationError(
            _("Choose how often you kept to the goal: not at all, some days, most days or every day.")
        )
    note = (note or "").strip()
    if len(note) > CHECK_IN_NOTE_MAX_CHARS:
        raise ValidationError(
            _("Keep the note to %(max)s characters (it has %(n)s).") % {"max": CHECK_IN_NOTE_MAX_CHARS, "n": len(note)}
        )
    check_in = SelfCareCheckIn.objects.filter(goal=goal, week_of=week_of).first()
    if check_in is None:
        check_in = SelfCareCheckIn.objects.create(goal=goal, week_of=week_of, rating=rating, note=note)
        created = True
    elif week_of != current:
        raise ValidationError(
            _("Your check-in on “%(goal)s” for the week of %(week)s is already recorded; that week is over.")
            % {"goal": goal, "week": date_format(week_of, "j F")},
            code="week_over",
        )
    else:
        check_in.rating, check_in.note = rating, note
        check_in.save(update_fields=["rating", "note", "updated_at"])
        created = False
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        patient=patient,
        obj=check_in,
        detail=f"self-care check-in, week of {week_of:%Y-%m-%d}",
    )
    return check_in, created


@transaction.atomic
def self_care_check_in_week(*, patient, week_of: datetime.date, answers, by) -> list[SelfCareCheckIn]:
    """The check-in page sends a week's answers for several goals at once: all are recorded, or none.
    `answers` is a list of (goal, rating, note); every goal must be the patient's."""
    if not answers:
        raise ValidationError(_("Choose how the week went for at least one goal."))
    check_ins = []
    for goal, rating, note in answers:
        if goal.patient_id != patient.pk:
            raise PermissionDenied("a goal of another patient")
        check_ins.append(self_care_check_in(goal=goal, week_of=week_of, rating=rating, note=note, by=by)[0])
    return check_ins
