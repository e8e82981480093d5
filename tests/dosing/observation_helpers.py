"""Dosing sessions made directly with the ORM for the observation tests: a patient with a signed eligible
assessment and a signed plan, a session in any status with its check-in and dose times, a pre-dose check
with a baseline BP, and what the observation and adverse-event forms send."""

import datetime
import uuid

from django.utils import timezone

from sessions.models import DosingSession, PreDoseCheck
from tests import course

Status = DosingSession.Status


def minutes_ago(n: float) -> datetime.datetime:
    return course.ago(minutes=n)


def signed_plan(patient, prescriber):
    """A signed eligible assessment and a signed IM plan (tests/course.py's defaults)."""
    return course.treatment_plan(patient, by=prescriber)


def make_session(
    world,
    patient=None,
    *,
    status: str = Status.OBSERVING,
    checked_in_minutes_ago: float | None = 90,
    dosed_minutes_ago: float | None = 30,
    room: str = "Chair 1",
) -> DosingSession:
    """A session of `patient` (default A) at the world's clinic, checked in and dosed that many minutes ago
    (None: not yet). Scheduled and cancelled sessions have neither."""
    patient = patient or world.patient_a
    plan = patient.treatment_plans.filter(signed_at__isnull=False).first() or signed_plan(patient, world.prescriber)
    if status in (Status.SCHEDULED, Status.CANCELLED, Status.NO_SHOW):
        checked_in_minutes_ago = dosed_minutes_ago = None
    if status == Status.CHECKED_IN:
        dosed_minutes_ago = None
    return course.dosing_session(
        plan,
        prescriber=world.prescriber,
        monitor=world.nurse,
        status=status,
        checked_in_at=minutes_ago(checked_in_minutes_ago) if checked_in_minutes_ago is not None else None,
        dosed_at=minutes_ago(dosed_minutes_ago) if dosed_minutes_ago is not None else None,
        room=room,
    )


def sign(session, by) -> DosingSession:
    DosingSession.objects.filter(pk=session.pk).update(signed_at=timezone.now(), signed_by=by)
    session.refresh_from_db()
    return session


def pre_dose_check(session, by, *, systolic=130, diastolic=80) -> PreDoseCheck:
    """A passed pre-dose check whose vitals (at the check-in) give the session's baseline BP."""
    return course.pre_dose_check(
        session, by=by, vitals_at=session.checked_in_at, vital_signs={"systolic": systolic, "diastolic": diastolic}
    )


# --- what the forms send -------------------------------------------------------------------------


def local_field(world, at: datetime.datetime) -> str:
    """`at` as a date-and-time field shows it in the clinic's time zone."""
    return course.local_field(world.clinic, at)


def observation_post(world, at=None, **fields) -> dict:
    """A plausible entry: normal vitals, alert, MOAA/S 5, no dissociation."""
    data = {
        "submission": str(uuid.uuid4()),
        "observed_at": local_field(world, at or timezone.now()),
        "systolic": "128",
        "diastolic": "78",
        "heart_rate": "76",
        "spo2": "97",
        "respiratory_rate": "14",
        "temperature": "",
        "temperature_unit": "C",
        "avpu": "A",
        "moaas": "5",
        "dissociation": "0",
        "anxiety": "",
        "patient_state": "",
        "note": "",
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def adverse_event_post(world, at=None, **fields) -> dict:
    data = {
        "submission": str(uuid.uuid4()),
        "kind": "nausea_vomiting",
        "kind_other": "",
        "severity": "mild",
        "onset_at": local_field(world, at or timezone.now()),
        "action_taken": "Ondansetron 4 mg SL",
        "outcome": "resolved",
    }
    data.update(fields)
    return data
