"""The dosing session's life: scheduling, the status moves people make (check in, cancel, no-show),
discharge against the criteria, the monitoring and therapist's notes, signing, and addenda.

Every status change goes through `pipeline.session_set_status`. Signing the monitoring note signs the
session: from then on the database refuses any change to it and its rows; corrections are addenda.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import Patient
from intake.services.patients import patient_set_stage
from kap_clinic.access import Action, can
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from .. import clinic_time
from ..discharge_rules import discharge_criteria
from ..models import Addendum, Discharge, DosingSession, SessionNote
from ..pipeline import IN_CLINIC
from .pipeline import session_set_status

Status = DosingSession.Status
Kind = User.ClinicianKind

# A time a few minutes ago still counts as "now" (a form filled in slowly, clocks a little apart).
SCHEDULE_SKEW = datetime.timedelta(minutes=5)
# Moves made on the session page, and what the policy asks for each; discharge has its own service.
MOVE_ACTIONS = {
    Status.CHECKED_IN: Action.RUN_SESSION,
    Status.DOSING: Action.RUN_SESSION,
    Status.OBSERVING: Action.RUN_SESSION,
    Status.CANCELLED: Action.SCHEDULE_SESSION,
    Status.NO_SHOW: Action.SCHEDULE_SESSION,
}
# A monitoring note can be signed (and the session locked) once the visit is over.
FINISHED = (Status.DISCHARGED, Status.CANCELLED, Status.NO_SHOW)
ACTIVE = (Status.SCHEDULED, *IN_CLINIC)


def _require(by, action: Action, patient, message: str) -> None:
    if not can(by, action, patient=patient):
        raise PermissionDenied(message)


def _refuse_if_signed(session: DosingSession) -> None:
    if session.is_signed:
        raise ValidationError(
            _("This session is signed and can no longer be changed: add an addendum instead."), code="signed"
        )


def _locked(session: DosingSession) -> DosingSession:
    """The session row, locked for this transaction (one change at a time), with its patient and plan."""
    return (
        DosingSession.objects.select_for_update(of=("self",))
        .select_related("patient__clinic", "plan")
        .get(pk=session.pk)
    )


def _local(moment: datetime.datetime, clinic) -> str:
    return date_format(timezone.localtime(moment, clinic_time.clinic_zone(clinic)), "Y-m-d H:i")


# --- who may be on a session ------------------------------------------------------------------------


def session_prescribers(clinic):
    """Active prescribers of `clinic`: who may be the prescriber on site."""
    return (
        User.objects.staff_of(clinic)
        .filter(role=User.Role.CLINICIAN, clinician_kind=Kind.PRESCRIBER)
        .order_by("full_name")
    )


def session_monitors(clinic):
    """Active nurses and prescribers of `clinic`: who may monitor the patient."""
    return (
        User.objects.staff_of(clinic)
        .filter(role=User.Role.CLINICIAN, clinician_kind__in=[Kind.NURSE, Kind.PRESCRIBER])
        .order_by("full_name")
    )


def plan_current(patient: Patient):
    """The patient's latest signed treatment plan (the one in force), or None."""
    return patient.treatment_plans.filter(signed_at__isnull=False).order_by("-signed_at", "-pk").first()


# --- scheduling -------------------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *, patient: Patient, scheduled_at: datetime.datetime, room: str, prescriber: User, monitor: User, by: User
) -> DosingSession:
    """Book the next dosing session of the patient's course under their current signed plan.

    The first one moves the chart from "treatment planned" to "dosing". Refused without a signed plan,
    in the past, on a day the patient already has a session, or with staff who may not take the roles.
    """
    _require(by, Action.SCHEDULE_SESSION, patient, _("You may not schedule sessions for this patient."))
    patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
    plan = plan_current(patient)
    if plan is None:
        raise ValidationError(_("A session needs a signed treatment plan: a prescriber signs one first."), code="plan")
    clinic = patient.clinic
    errors: dict[str, str] = {}
    if scheduled_at < timezone.now() - SCHEDULE_SKEW:
        errors["scheduled_at"] = _("The time %(when)s has passed: choose a time from now on.") % {
            "when": _local(scheduled_at, clinic)
        }
    if not session_prescribers(clinic).filter(pk=prescriber.pk).exists():
        errors["prescriber"] = _("%(name)s is not an active prescriber of %(clinic)s.") % {
            "name": prescriber.full_name,
            "clinic": clinic.name,
        }
    if not session_monitors(clinic).filter(pk=monitor.pk).exists():
        errors["monitor"] = _("%(name)s is not an active nurse or prescriber of %(clinic)s.") % {
            "name": monitor.full_name,
            "clinic": clinic.name,
        }
    if not room.strip():
        errors["room"] = _("Give the room or chair.")
    if errors:
        raise ValidationError(errors)
    day = clinic_time.clinic_date(clinic, scheduled_at)
    same_day = [
        s
        for s in patient.dosing_sessions.filter(status__in=ACTIVE)
        if clinic_time.clinic_date(clinic, s.scheduled_at) == day
    ]
    if same_day:
        raise ValidationError(
            {
                "scheduled_at": _("%(name)s already has session %(number)s on %(day)s.")
                % {"name": patient.display_name, "number": same_day[0].number, "day": day.isoformat()}
            },
            code="same_day",
        )
    number = (patient.dosing_sessions.aggregate(last=Max("number"))["last"] or 0) + 1
    session = DosingSession.objects.create(
        patient=patient,
        plan=plan,
        number=number,
        scheduled_at=scheduled_at,
        room=room.strip(),
        prescriber=prescriber,
        monitor=monitor,
        created_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=session,
        detail=f"session {number} scheduled for {scheduled_at.isoformat()}",
    )
    if patient.stage == Patient.Stage.PLANNED:
        patient_set_stage(patient=patient, stage=Patient.Stage.DOSING, by=by)
    return session


def next_suggested_time(patient: Patient, plan) -> datetime.datetime | None:
    """The plan's spacing after the latest session that wasn't cancelled (same time of day), or None."""
    latest = (
        patient.dosing_sessions.exclude(status__in=[Status.CANCELLED, Status.NO_SHOW]).order_by("-scheduled_at").first()
    )
    if latest is None or plan is None:
        return None
    suggested = latest.scheduled_at + datetime.timedelta(days=plan.spacing_days)
    now = timezone.now()
    while suggested < now:
        suggested += datetime.timedelta(days=plan.spacing_days)
    return suggested


# --- status moves -----------------------------------------------------------------------------------


@transaction.atomic
def session_transition(*, session: DosingSession, to: str, by: User, reason: str = "") -> DosingSession:
    """Move the session to `to` from the session page: check in, start dosing or observation (nurse or
    prescriber), cancel or mark a no-show with a reason (anyone who schedules). Discharge has its own
    checklist (`session_discharge`). The pipeline checks the move and records who and when."""
    if to == Status.DISCHARGED:
        raise ValidationError(_("Discharge through the discharge checklist."), code="discharge")
    action = MOVE_ACTIONS.get(to)
    if action is None:
        raise ValidationError(_("Unknown status."), code="status")
    session = _locked(session)
    if to in (Status.CHECKED_IN, Status.DOSING, Status.OBSERVING):
        message = _("Only a nurse or prescriber of the clinic runs a session.")
    else:
        message = _("You may not change this patient's schedule.")
    _require(by, action, session.patient, message)
    _refuse_if_signed(session)
    now = timezone.now()
    clinic = session.patient.clinic
    if session.status == Status.SCHEDULED:
        if to == Status.CHECKED_IN and clinic_time.clinic_date(clinic, session.scheduled_at) > clinic_time.clinic_today(
            clinic
        ):
            raise ValidationError(
                _("This session is booked for %(when)s: check the patient in on the day.")
                % {"when": _local(session.scheduled_at, clinic)},
                code="early",
            )
        if to == Status.NO_SHOW and session.scheduled_at > now:
            raise ValidationError(
                _("The session starts at %(when)s: a no-show can be recorded only after that.")
                % {"when": _local(session.scheduled_at, clinic)},
                code="early",
            )
    return session_set_status(session=session, to=to, by=by, reason=reason, at=now)


def session_check_in(*, session: DosingSession, by: User) -> DosingSession:
    return session_transition(session=session, to=Status.CHECKED_IN, by=by)


def session_cancel(*, session: DosingSession, reason: str, by: User) -> DosingSession:
    return session_transition(session=session, to=Status.CANCELLED, by=by, reason=reason)


def session_no_show(*, session: DosingSession, reason: str, by: User) -> DosingSession:
    return session_transition(session=session, to=Status.NO_SHOW, by=by, reason=reason)


# --- discharge --------------------------------------------------------------------------------------


@transaction.atomic
def session_discharge(
    *,
    session: DosingSession,
    walks_steadily: bool,
    escort_present: bool,
    escort_name: str = "",
    override_reason: str = "",
    by: User,
) -> Discharge:
    """Discharge the patient against the criteria (`discharge_rules`), computed now from the timeline.

    With any criterion unmet it is refused, unless a prescriber discharges and writes why. The checklist
    is kept as it stood; the session moves observing → discharged.
    """
    session = _locked(session)
    _require(by, Action.RUN_SESSION, session.patient, _("Only a nurse or prescriber of the clinic discharges."))
    _refuse_if_signed(session)
    if session.status != Status.OBSERVING:
        raise ValidationError(
            _("Only a patient under observation after the dose can be discharged (this session is “%(status)s”).")
            % {"status": session.get_status_display()},
            code="status",
        )
    escort_name = escort_name.strip()
    if escort_present and not escort_name:
        raise ValidationError({"escort_name": _("Give the name of the person taking the patient home.")})
    now = timezone.now()
    criteria = discharge_criteria(
        session, now, walks_steadily=walks_steadily, escort_present=escort_present, escort_name=escort_name
    )
    missing = [c for c in criteria if not c["met"]]
    override_reason = override_reason.strip()
    if missing:
        titles = "; ".join(c["title"] for c in missing)
        if not can(by, Action.OVERRIDE_DOSING, patient=session.patient):
            raise ValidationError(
                _(
                    "Discharge is blocked until every criterion is met (not yet: %(titles)s). "
                    "Only a prescriber may discharge before that, with a reason."
                )
                % {"titles": titles},
                code="blocked",
            )
        if not override_reason:
            raise ValidationError(
                {
                    "override_reason": _(
                        "Not every criterion is met (%(titles)s): write why the patient may leave now."
                    )
                    % {"titles": titles}
                },
                code="reason",
            )
    else:
        override_reason = ""
    discharge = Discharge.objects.create(
        session=session,
        criteria=criteria,
        all_met=not missing,
        walks_steadily=walks_steadily,
        escort_present=escort_present,
        escort_name=escort_name,
        override_reason=override_reason,
        override_by=by if override_reason else None,
        discharged_at=now,
        discharged_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=session.patient,
        obj=discharge,
        detail="discharge, all criteria met" if not missing else f"discharge overridden: {len(missing)} unmet",
    )
    session_set_status(session=session, to=Status.DISCHARGED, by=by, at=now)
    return discharge


# --- notes, signing, addenda ------------------------------------------------------------------------


def _may_write(by: User, session: DosingSession, kind: str) -> None:
    if kind not in SessionNote.Kind.values:
        raise ValidationError(_("Unknown kind of note."), code="kind")
    _require(by, Action.WRITE_SESSION_NOTE, session.patient, _("You may not write notes for this patient."))
    if kind == SessionNote.Kind.MONITORING and not can(by, Action.RUN_SESSION, patient=session.patient):
        raise ValidationError(_("The monitoring note is written by a nurse or prescriber."), code="author")
    if kind == SessionNote.Kind.THERAPIST and by.clinician_kind != Kind.THERAPIST:
        raise ValidationError(_("The therapist's note is written by a therapist."), code="author")


def _not_someone_elses(note: SessionNote | None, by: User) -> None:
    if note is not None and note.author_id != by.pk:
        raise ValidationError(
            _(
                "%(name)s is writing this note: only they can change or sign it; "
                "add to the record with an addendum once the session is signed."
            )
            % {"name": note.author.full_name},
            code="author",
        )


@transaction.atomic
def session_note_save(*, session: DosingSession, kind: str, body: str, by: User) -> SessionNote:
    """Write or change the monitoring or therapist's note (its author only), until it is signed."""
    session = _locked(session)
    _may_write(by, session, kind)
    _refuse_if_signed(session)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    note = SessionNote.objects.select_for_update().select_related("author").filter(session=session, kind=kind).first()
    _not_someone_elses(note, by)
    if note is not None and note.signed_at is not None:
        raise ValidationError(_("This note is signed: add an addendum instead."), code="signed")
    created = note is None
    if created:
        note = SessionNote.objects.create(session=session, kind=kind, body=body, author=by)
    else:
        note.body = body
        note.save(update_fields=["body", "updated_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        patient=session.patient,
        obj=note,
        detail=f"{kind} note",
    )
    return note


@transaction.atomic
def session_note_sign(*, session: DosingSession, kind: str, by: User) -> SessionNote:
    """Sign a note (its author). Signing the monitoring note, once the visit is over (discharged,
    cancelled or a no-show), signs the session: the database then refuses every change to its record.
    The therapist's note may be signed before or after that."""
    session = _locked(session)
    _may_write(by, session, kind)
    note = SessionNote.objects.select_for_update().select_related("author").filter(session=session, kind=kind).first()
    if note is None:
        raise ValidationError(_("Write the note before signing it."), code="missing")
    _not_someone_elses(note, by)
    if note.signed_at is not None:
        raise ValidationError(_("This note is already signed."), code="signed")
    monitoring = kind == SessionNote.Kind.MONITORING
    if monitoring:
        _refuse_if_signed(session)
        if session.status not in FINISHED:
            raise ValidationError(
                _(
                    "Sign the monitoring note after the patient is discharged (or the session is cancelled "
                    "or a no-show): signing locks the session."
                ),
                code="status",
            )
    now = timezone.now()
    note.signed_at = now
    note.save(update_fields=["signed_at", "updated_at"])
    audit_record(actor=by, action=AuditEvent.Action.SIGN, patient=session.patient, obj=note, detail=f"{kind} note")
    if monitoring:
        session.signed_at, session.signed_by = now, by
        session.save(update_fields=["signed_at", "signed_by", "updated_at"])
        audit_record(
            actor=by, action=AuditEvent.Action.SIGN, patient=session.patient, obj=session, detail="session signed"
        )
    return note


@transaction.atomic
def session_addendum_add(*, session: DosingSession, body: str, by: User) -> Addendum:
    """Add to a signed session's record: the original stays as it was."""
    session = _locked(session)
    _require(by, Action.WRITE_SESSION_NOTE, session.patient, _("You may not write notes for this patient."))
    if not session.is_signed:
        raise ValidationError(
            _("Addenda are for signed sessions: until then, change the note itself."), code="not_signed"
        )
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the addendum.")})
    addendum = Addendum.objects.create(session=session, body=body, author=by)
    audit_record(actor=by, action=AuditEvent.Action.CREATE, patient=session.patient, obj=addendum, detail="addendum")
    return addendum
