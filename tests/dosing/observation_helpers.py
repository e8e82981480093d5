"""Dosing sessions made directly with the ORM for the observation tests: a patient with a signed eligible
assessment and a signed plan, a session in any status with its check-in and dose times, a pre-dose check
with a baseline BP, and what the observation and adverse-event forms send."""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from intake.models import Assessment, IntakeQuestionnaire, MeasureResponse, TreatmentPlan, VitalSigns
from sessions import clinic_time
from sessions.models import DosingSession, PreDoseCheck

Status = DosingSession.Status


def minutes_ago(n: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=n)


def signed_plan(patient, prescriber) -> TreatmentPlan:
    questionnaire, _ = IntakeQuestionnaire.objects.get_or_create(patient=patient)
    now = timezone.now()
    assessment = Assessment.objects.create(
        patient=patient,
        questionnaire=questionnaire,
        decision=Assessment.Decision.ELIGIBLE,
        created_by=prescriber,
        signed_by=prescriber,
        signed_at=now,
    )
    return TreatmentPlan.objects.create(
        patient=patient,
        assessment=assessment,
        indication="depression",
        route="im",
        dose_unit="mg_per_kg",
        planned_dose=Decimal("0.5"),
        dose_min=Decimal("0.3"),
        dose_max=Decimal("1"),
        induction_sessions=6,
        spacing_days=3,
        fasting_food_hours=Decimal("4"),
        fasting_fluids_hours=Decimal("2"),
        created_by=prescriber,
        signed_by=prescriber,
        signed_at=now,
    )


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
    checked_in_at = minutes_ago(checked_in_minutes_ago) if checked_in_minutes_ago is not None else None
    return DosingSession.objects.create(
        patient=patient,
        plan=plan,
        number=patient.dosing_sessions.count() + 1,
        scheduled_at=checked_in_at or timezone.now(),
        room=room,
        prescriber=world.prescriber,
        monitor=world.nurse,
        status=status,
        checked_in_at=checked_in_at,
        dosed_at=minutes_ago(dosed_minutes_ago) if dosed_minutes_ago is not None else None,
        created_by=world.nurse,
    )


def sign(session, by) -> DosingSession:
    DosingSession.objects.filter(pk=session.pk).update(signed_at=timezone.now(), signed_by=by)
    session.refresh_from_db()
    return session


def pre_dose_check(session, by, *, systolic=130, diastolic=80) -> PreDoseCheck:
    """A passed pre-dose check whose vitals give the session's baseline BP."""
    now = timezone.now()
    vitals = VitalSigns.objects.create(
        patient=session.patient,
        context="pre_dose",
        measured_at=session.checked_in_at or now,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=72,
        spo2=98,
        recorded_by=by,
    )
    screen = MeasureResponse.objects.create(
        patient=session.patient,
        instrument="cssrs",
        version="screener",
        answers={},
        risk="none",
        context="pre_dose",
        completed_at=now,
        entered_by=by,
    )
    return PreDoseCheck.objects.create(
        session=session,
        consent_current=True,
        eligibility_valid=True,
        hours_since_food=Decimal(5),
        hours_since_fluids=Decimal(3),
        escort_name="Escort",
        escort_phone="555-0100",
        alcohol_last_24h=False,
        held_medications_last_24h=False,
        new_medications=False,
        vitals=vitals,
        risk_screen=screen,
        outcome=PreDoseCheck.Outcome.PASS,
        recorded_by=by,
    )


# --- what the forms send -------------------------------------------------------------------------


def local_field(world, at: datetime.datetime) -> str:
    """`at` as a date-and-time field shows it in the clinic's time zone."""
    return f"{timezone.localtime(at, clinic_time.clinic_zone(world.clinic)):%Y-%m-%dT%H:%M}"


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
