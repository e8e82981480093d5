"""Integration sessions and their signed notes, and the course outcome.

An integration session follows a dose (domain.md §7.1), booked with a therapist of the clinic within the
clinic's cadence (`Clinic.integration_within_days`; a later time is allowed, the page warns). Its structured
note (`note_fields`) is written by the session's therapist or a prescriber and signed by them: signing marks
the session completed, and from then on the database refuses any change to the row; corrections are
addenda. The course outcome is recorded once, by a prescriber, and moves the chart's stage.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import Patient
from intake.services.patients import patient_set_stage
from kap_clinic.access import KIND_ACTIONS, ROLE_ACTIONS, Action, can
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from sessions import clinic_time
from sessions.models import DosingSession

from .. import note_fields
from ..models import CourseOutcome, IntegrationAddendum, IntegrationSession

Status = IntegrationSession.Status
Outcome = CourseOutcome.Outcome

# A time a few minutes ago still counts as "now" (a form filled in slowly, clocks a little apart).
SCHEDULE_SKEW = datetime.timedelta(minutes=5)
# Sessions that still count: booked or held (a cancelled one covers no dose).
ACTIVE = (Status.SCHEDULED, Status.COMPLETED)
# Where the chart goes when the course ends. A referral leaves this program, like a discharge.
OUTCOME_STAGES = {
    Outcome.MAINTENANCE: Patient.Stage.FOLLOW_UP,
    Outcome.DISCHARGED: Patient.Stage.DISCHARGED,
    Outcome.REFERRED: Patient.Stage.DISCHARGED,
}


def _require(by, action: Action, patient, message: str) -> None:
    if not can(by, action, patient=patient):
        raise PermissionDenied(message)


def _local(moment: datetime.datetime, clinic) -> str:
    return date_format(timezone.localtime(moment, clinic_time.clinic_zone(clinic)), "Y-m-d H:i")


def _locked(session: IntegrationSession) -> IntegrationSession:
    """The session row, locked for this transaction (one change at a time), with its patient and therapist."""
    return (
        IntegrationSession.objects.select_for_update(of=("self",))
        .select_related("patient__clinic", "therapist")
        .get(pk=session.pk)
    )


# --- who and what ---------------------------------------------------------------------------------


def integration_therapists(clinic) -> QuerySet[User]:
    """Active clinicians of `clinic` who may hold an integration session and write its note (therapists
    and prescribers, by the access policy's own tables)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.WRITE_INTEGRATION_NOTE in actions]
    kinds = [kind for kind, actions in KIND_ACTIONS.items() if Action.WRITE_INTEGRATION_NOTE in actions]
    return (
        User.objects.staff_of(clinic)
        .filter(Q(role__in=roles) | Q(role=User.Role.CLINICIAN, clinician_kind__in=kinds))
        .distinct()
        .order_by("full_name")
    )


def covering_sessions():
    """The non-cancelled integration sessions booked for the dose in the outer query (for `Exists`)."""
    return IntegrationSession.objects.filter(dosing_session=OuterRef("pk"), status__in=ACTIVE)


def patient_doses(patient: Patient) -> QuerySet[DosingSession]:
    """The patient's doses (sessions in which a dose was given), latest first, each annotated with
    `has_integration`: a non-cancelled integration session is booked for it."""
    return (
        DosingSession.objects.filter(patient=patient, dosed_at__isnull=False)
        .exclude(status__in=[DosingSession.Status.CANCELLED, DosingSession.Status.NO_SHOW])
        .annotate(has_integration=Exists(covering_sessions()))
        .order_by("-dosed_at", "-pk")
    )


def dose_without_integration(patient: Patient) -> DosingSession | None:
    """The patient's latest dose with no integration session booked for it, or None."""
    return patient_doses(patient).filter(has_integration=False).first()


def may_write_note(by: User, session: IntegrationSession) -> bool:
    """The note is the session's therapist's; a prescriber of the clinic may write and sign it too
    (covering, or as the clinician responsible for the course)."""
    if not can(by, Action.WRITE_INTEGRATION_NOTE, patient=session.patient):
        return False
    return session.therapist_id == by.pk or by.clinician_kind == User.ClinicianKind.PRESCRIBER


def is_late(session_or_dose: DosingSession | None, scheduled_at: datetime.datetime, clinic) -> bool:
    """Is `scheduled_at` later than the clinic's cadence asks after that dose? (Allowed; the page warns.)"""
    if session_or_dose is None or session_or_dose.dosed_at is None:
        return False
    return not note_fields.is_within_cadence(clinic, session_or_dose.dosed_at, scheduled_at)


# --- what the worklist and the chart read ----------------------------------------------------------

# The worklist lists doses of the last 30 days still waiting for an integration session; older gaps
# stay visible on the chart's card.
WORKLIST_DOSE_DAYS = 30


def doses_needing_integration(clinics, now: datetime.datetime) -> QuerySet[DosingSession]:
    """Discharged doses of `clinics`' patients (given in the last WORKLIST_DOSE_DAYS days, course not
    ended) with no integration session booked for them: the oldest first, as the most overdue."""
    return (
        DosingSession.objects.filter(
            patient__clinic__in=clinics,
            status=DosingSession.Status.DISCHARGED,
            dosed_at__gte=now - datetime.timedelta(days=WORKLIST_DOSE_DAYS),
            patient__course_outcome__isnull=True,
        )
        .exclude(Exists(covering_sessions()))
        .select_related("patient__clinic")
        .order_by("dosed_at", "pk")
    )


def integration_upcoming(clinics, now: datetime.datetime) -> QuerySet[IntegrationSession]:
    """Booked integration sessions of `clinics` still to come, soonest first."""
    return (
        IntegrationSession.objects.filter(patient__clinic__in=clinics, status=Status.SCHEDULED, scheduled_at__gte=now)
        .select_related("patient__clinic", "therapist", "dosing_session")
        .order_by("scheduled_at", "pk")
    )


def notes_to_sign(clinics, now: datetime.datetime, user: User) -> QuerySet[IntegrationSession]:
    """Integration sessions whose time has come and whose note isn't signed yet: `user`'s own first,
    then the oldest first."""
    return (
        IntegrationSession.objects.filter(
            patient__clinic__in=clinics, status=Status.SCHEDULED, signed_at__isnull=True, scheduled_at__lt=now
        )
        .select_related("patient__clinic", "therapist", "dosing_session")
        .annotate(mine=Case(When(therapist=user, then=Value(0)), default=Value(1)))
        .order_by("mine", "scheduled_at", "pk")
    )


def patient_integration_sessions(patient: Patient) -> QuerySet[IntegrationSession]:
    """A patient's integration sessions for the chart, latest first, with their dose and therapist."""
    return (
        IntegrationSession.objects.filter(patient=patient)
        .select_related("therapist", "dosing_session", "signed_by")
        .order_by("-scheduled_at", "-pk")
    )


def patient_next_integration(patient: Patient) -> IntegrationSession | None:
    """The patient's next booked integration session still to come, or None."""
    return (
        IntegrationSession.objects.filter(patient=patient, status=Status.SCHEDULED, scheduled_at__gte=timezone.now())
        .select_related("therapist")
        .order_by("scheduled_at", "pk")
        .first()
    )


# --- scheduling -----------------------------------------------------------------------------------


@transaction.atomic
def integration_schedule(
    *,
    patient: Patient,
    scheduled_at: datetime.datetime,
    therapist: User,
    dosing_session: DosingSession | None = None,
    by: User,
) -> IntegrationSession:
    """Book an integration session for the patient with a therapist (or prescriber) of the clinic, after
    `dosing_session` if given: that must be this patient's and dosed, and the session after the dose.
    Not in the past (a few minutes' grace). A time later than the clinic's cadence is allowed."""
    _require(by, Action.SCHEDULE_INTEGRATION, patient, _("You may not book integration sessions for this patient."))
    patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
    clinic = patient.clinic
    errors: dict[str, str] = {}
    if timezone.is_naive(scheduled_at):
        raise ValueError("times must be aware datetimes")
    if scheduled_at < timezone.now() - SCHEDULE_SKEW:
        errors["scheduled_at"] = _("The time %(when)s has passed: choose a time from now on.") % {
            "when": _local(scheduled_at, clinic)
        }
    if not integration_therapists(clinic).filter(pk=therapist.pk).exists():
        errors["therapist"] = _("%(name)s is not an active therapist or prescriber of %(clinic)s.") % {
            "name": therapist.full_name,
            "clinic": clinic.name,
        }
    if dosing_session is not None:
        if dosing_session.patient_id != patient.pk:
            errors["dosing_session"] = _("That dosing session is not %(name)s's.") % {"name": patient.display_name}
        elif dosing_session.dosed_at is None or dosing_session.status in (
            DosingSession.Status.CANCELLED,
            DosingSession.Status.NO_SHOW,
        ):
            errors["dosing_session"] = _("No dose was given in session %(number)s: choose a session with a dose.") % {
                "number": dosing_session.number
            }
        elif scheduled_at <= dosing_session.dosed_at and "scheduled_at" not in errors:
            errors["scheduled_at"] = _(
                "The integration session comes after the dose: session %(number)s was dosed at %(dosed)s."
            ) % {"number": dosing_session.number, "dosed": _local(dosing_session.dosed_at, clinic)}
    if errors:
        raise ValidationError(errors)
    session = IntegrationSession.objects.create(
        patient=patient,
        dosing_session=dosing_session,
        scheduled_at=scheduled_at,
        therapist=therapist,
        created_by=by,
    )
    late = is_late(dosing_session, scheduled_at, clinic)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=session,
        detail=f"integration session booked for {scheduled_at.isoformat()}"
        + (f" after dosing session {dosing_session.number}" if dosing_session else "")
        + (" (later than the cadence)" if late else ""),
    )
    return session


@transaction.atomic
def integration_cancel(*, session: IntegrationSession, reason: str, by: User) -> IntegrationSession:
    """Cancel a booked (unsigned) integration session, with the reason. Its dose needs a new booking."""
    session = _locked(session)
    _require(by, Action.SCHEDULE_INTEGRATION, session.patient, _("You may not change this patient's schedule."))
    if session.status != Status.SCHEDULED or session.is_signed:
        raise ValidationError(
            _("Only a booked session can be cancelled (this one is “%(status)s”).")
            % {"status": session.get_status_display()},
            code="status",
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    session.status = Status.CANCELLED
    session.cancel_reason = reason[:255]
    session.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        patient=session.patient,
        obj=session,
        detail=f"integration session cancelled: {reason}",
    )
    return session


# --- the note, signing, addenda -------------------------------------------------------------------


def _may_write(by: User, session: IntegrationSession) -> None:
    _require(by, Action.WRITE_INTEGRATION_NOTE, session.patient, _("You may not write notes for this patient."))
    if not may_write_note(by, session):
        raise ValidationError(
            _("This note is written and signed by %(name)s, the session's therapist, or by a prescriber.")
            % {"name": session.therapist.full_name},
            code="author",
        )
    if session.is_signed:
        raise ValidationError(_("This note is signed and can no longer be changed: add an addendum."), code="signed")
    if session.status == Status.CANCELLED:
        raise ValidationError(_("This session was cancelled: there is no note to write."), code="cancelled")


def clean_note_fields(fields: dict) -> dict:
    """The note's fields as they will be stored: text stripped, choices and the checklist checked.
    Raises a ValidationError per field with a plain message; unknown names are a programming error."""
    unknown = set(fields) - set(note_fields.FIELD_NAMES)
    if unknown:
        raise ValueError(f"not fields of the integration note: {sorted(unknown)}")
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for name, value in fields.items():
        section = note_fields.SECTIONS_BY_NAME[name]
        if section.kind == "checklist":
            keys = list(dict.fromkeys(value or []))
            if set(keys) - note_fields.AFTER_EFFECT_KEYS:
                errors[name] = _("Choose after-effects from the list.")
            elif note_fields.NONE in keys and len(keys) > 1:
                errors[name] = _("“None” can't go with an after-effect: untick one or the other.")
            cleaned[name] = keys
        elif section.kind == "choice":
            value = value or ""
            choices = IntegrationSession._meta.get_field(name).choices
            if value and value not in {key for key, _label in choices}:
                errors[name] = _("Choose one of the options.")
            cleaned[name] = value
        else:
            cleaned[name] = (value or "").strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def integration_note_save(*, session: IntegrationSession, fields: dict, by: User) -> IntegrationSession:
    """Write or change the note (a draft) of an unsigned, not cancelled session: its therapist or a
    prescriber. Sections may be left empty until signing."""
    session = _locked(session)
    _may_write(by, session)
    cleaned = clean_note_fields(fields)
    for name, value in cleaned.items():
        setattr(session, name, value)
    session.save(update_fields=[*cleaned, "updated_at"])
    filled = sum(1 for name in note_fields.FIELD_NAMES if getattr(session, name))
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        patient=session.patient,
        obj=session,
        detail=f"integration note saved ({filled} of {len(note_fields.FIELD_NAMES)} sections)",
    )
    return session


def sign_refusal(session: IntegrationSession) -> str:
    """Why the note can't be signed yet (the first reason), or "" when it can."""
    clinic = session.patient.clinic
    if clinic_time.clinic_date(clinic, session.scheduled_at) > clinic_time.clinic_today(clinic):
        return _("The session is booked for %(when)s: sign the note once the session has taken place.") % {
            "when": _local(session.scheduled_at, clinic)
        }
    missing = note_fields.missing_to_sign(session)
    if missing:
        return _("Fill in before signing: %(sections)s.") % {
            "sections": "; ".join(str(section.label) for section in missing)
        }
    if note_fields.OTHER in session.after_effects and not session.after_effects_details.strip():
        return _("Say what the “other” after-effect was, under “About the after-effects”.")
    return ""


@transaction.atomic
def integration_note_sign(*, session: IntegrationSession, by: User) -> IntegrationSession:
    """Sign the note (the session's therapist or a prescriber) once the required sections are filled:
    the experience, the safety check, the after-effects (even "None") and the plan. The session is then
    completed and signed, and the database refuses any further change to it."""
    session = _locked(session)
    _may_write(by, session)
    refusal = sign_refusal(session)
    if refusal:
        raise ValidationError(refusal, code="incomplete")
    session.status = Status.COMPLETED
    session.signed_at, session.signed_by = timezone.now(), by
    session.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
    audit_record(
        actor=by, action=AuditEvent.Action.SIGN, patient=session.patient, obj=session, detail="integration note"
    )
    return session


@transaction.atomic
def integration_addendum_add(*, session: IntegrationSession, body: str, by: User) -> IntegrationAddendum:
    """Add to a signed note (any therapist or prescriber of the care team): the original stays as it was."""
    session = _locked(session)
    _require(by, Action.WRITE_INTEGRATION_NOTE, session.patient, _("You may not write notes for this patient."))
    if not session.is_signed:
        raise ValidationError(_("Addenda are for signed notes: until then, change the note itself."), code="not_signed")
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the addendum.")})
    addendum = IntegrationAddendum.objects.create(session=session, body=body, author=by)
    audit_record(
        actor=by, action=AuditEvent.Action.CREATE, patient=session.patient, obj=addendum, detail="integration addendum"
    )
    return addendum


# --- the course outcome ---------------------------------------------------------------------------


@transaction.atomic
def course_outcome_record(
    *,
    patient: Patient,
    outcome: str,
    ended_on: datetime.date,
    maintenance_plan: str = "",
    referred_to: str = "",
    summary: str,
    by: User,
) -> CourseOutcome:
    """Record how the course ended (a prescriber, once) and move the chart: completed induction →
    maintenance puts the patient in follow-up; a discharge or a referral elsewhere discharges them from
    the program. A maintenance outcome needs its plan and a dose given; a referral says where to."""
    _require(by, Action.RECORD_OUTCOME, patient, _("Only a prescriber of the clinic records the course outcome."))
    patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
    if CourseOutcome.objects.filter(patient=patient).exists():
        raise ValidationError(_("The course outcome is already recorded: it is recorded once."), code="recorded")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose how the course ended.")})
    maintenance_plan, referred_to, summary = maintenance_plan.strip(), referred_to.strip(), summary.strip()
    errors: dict[str, str] = {}
    today = clinic_time.clinic_today(patient.clinic)
    if ended_on > today:
        errors["ended_on"] = _("%(day)s is in the future: give the day the course ended (today at the latest).") % {
            "day": ended_on.isoformat()
        }
    if not summary:
        errors["summary"] = _("Summarise the course: doses, response, anything the next clinician should know.")
    if outcome == Outcome.MAINTENANCE:
        if not maintenance_plan:
            errors["maintenance_plan"] = _("Describe the maintenance plan: how often, which dose, when to review.")
        if not patient_doses(patient).exists():
            errors["outcome"] = _("Maintenance follows a completed induction: no dose has been given yet.")
    if outcome == Outcome.REFERRED and not referred_to:
        errors["referred_to"] = _("Say where the patient is referred to.")
    if errors:
        raise ValidationError(errors)
    record = CourseOutcome.objects.create(
        patient=patient,
        outcome=outcome,
        ended_on=ended_on,
        maintenance_plan=maintenance_plan,
        referred_to=referred_to if outcome == Outcome.REFERRED else "",
        summary=summary,
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=record,
        detail=f"course outcome: {outcome}, ended {ended_on.isoformat()}",
    )
    patient_set_stage(patient=patient, stage=OUTCOME_STAGES[outcome], by=by)
    return record
