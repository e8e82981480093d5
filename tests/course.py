"""A course of treatment built directly with the ORM, one step at a time: the intake, a signed assessment, a
signed treatment plan, dosing sessions, a pre-dose check with its vitals and risk screen, and measure
responses. Keyword arguments with defaults throughout (model field names where a row is written); Faker
values where a name or free text is needed, as in tests/factories.py. The helper modules of each area
(tests/dosing/*_helpers.py, tests/integration/*_helpers.py) wrap these with their own defaults."""

import datetime
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from intake.models import Assessment, IntakeQuestionnaire, MeasureResponse, Patient, TreatmentPlan, VitalSigns
from kap_clinic.instruments import INSTRUMENTS
from sessions import clinic_time
from sessions.models import DosingSession, PreDoseCheck

fake = Faker()

RISK_NONE = {"q1": 0, "q2": 0, "q6": 0}

# IM, weight-based: the plan's defaults
PLAN_DEFAULTS = {
    "indication": "depression",
    "drug": "racemic",
    "route": "im",
    "dose_unit": "mg_per_kg",
    "planned_dose": "0.5",
    "dose_min": "0.3",
    "dose_max": "1",
    "induction_sessions": 6,
    "spacing_days": 3,
    "fasting_food_hours": "4",
    "fasting_fluids_hours": "2",
}
# sublingual racemic ketamine in fixed milligrams
SL_PLAN = {"route": "sl", "dose_unit": "mg", "planned_dose": 100, "dose_min": 50, "dose_max": 200}
# intranasal esketamine (the 28 mg devices)
ESKETAMINE_PLAN = {
    "drug": "esketamine",
    "route": "in",
    "dose_unit": "mg",
    "planned_dose": 56,
    "dose_min": 28,
    "dose_max": 84,
    "fasting_food_hours": 2,
    "fasting_fluids_hours": "0.5",
}
_PLAN_DECIMALS = ("planned_dose", "dose_min", "dose_max", "fasting_food_hours", "fasting_fluids_hours")

# the answers of a pre-dose check that passes
PRE_DOSE_ANSWERS = {
    "consent_current": True,
    "eligibility_valid": True,
    "hours_since_food": Decimal(6),
    "hours_since_fluids": Decimal(3),
    "escort_phone": "555 201 3344",
    "alcohol_last_24h": False,
    "held_medications_last_24h": False,
    "new_medications": False,
}
# normal pre-dose vitals (VitalSigns columns)
PRE_DOSE_VITALS = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "respiratory_rate": 14}


def ago(*, minutes: float = 0, days: float = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days, minutes=minutes)


def local_field(clinic, at: datetime.datetime | None = None) -> str:
    """`at` (default now) as a date-and-time form field shows it in the clinic's time zone."""
    return f"{timezone.localtime(at or timezone.now(), clinic_time.clinic_zone(clinic)):%Y-%m-%dT%H:%M}"


# --- intake, assessment, plan ---------------------------------------------------------------------


def intake(
    patient, *, status=IntakeQuestionnaire.Status.SUBMITTED, submitted_at=None, reviewed_at=None, answers=None
) -> IntakeQuestionnaire:
    """The patient's questionnaire (the one they have, else a new one in `status`, sent and reviewed now
    unless told)."""
    Status = IntakeQuestionnaire.Status
    defaults = {"status": status}
    if answers is not None:
        defaults["answers"] = answers
    if status in (Status.SUBMITTED, Status.REVIEWED):
        defaults["submitted_at"] = submitted_at or timezone.now()
    if status == Status.REVIEWED:
        defaults["reviewed_at"] = reviewed_at or timezone.now()
    questionnaire, _created = IntakeQuestionnaire.objects.get_or_create(patient=patient, defaults=defaults)
    return questionnaire


def signed_assessment(
    patient, *, by, questionnaire=None, decision=Assessment.Decision.ELIGIBLE, signed_at=None, **fields
) -> Assessment:
    """An assessment signed by `by` (now unless told): "eligible" for depression, with a Faker evaluation,
    unless told. Without a `questionnaire`, the patient's (a submitted one if none)."""
    values = {"indication": "depression", "evaluation": fake.paragraph()} | fields
    return Assessment.objects.create(
        patient=patient,
        questionnaire=questionnaire or intake(patient),
        decision=decision,
        created_by=by,
        signed_by=by,
        signed_at=signed_at or timezone.now(),
        **values,
    )


def treatment_plan(patient, *, by, assessment=None, signed=True, signed_at=None, stage=None, **fields) -> TreatmentPlan:
    """A plan written by `by` (PLAN_DEFAULTS unless told; decimals may be given as numbers or strings),
    signed now unless told, under `assessment` (else a new signed eligible one, on a submitted intake if the
    patient has none). With `stage`, the chart moves to it."""
    values = PLAN_DEFAULTS | fields
    for name in _PLAN_DECIMALS:
        values[name] = Decimal(str(values[name]))
    plan = TreatmentPlan.objects.create(
        patient=patient,
        assessment=assessment or signed_assessment(patient, by=by),
        created_by=by,
        signed_by=by if signed else None,
        signed_at=(signed_at or timezone.now()) if signed else None,
        **values,
    )
    if stage is not None:
        Patient.objects.filter(pk=patient.pk).update(stage=stage)
        patient.refresh_from_db()
    return plan


# --- dosing sessions ------------------------------------------------------------------------------


def dosing_session(
    plan,
    *,
    prescriber,
    monitor=None,
    created_by=None,
    status=DosingSession.Status.SCHEDULED,
    number=None,
    scheduled_at=None,
    checked_in_at=None,
    dosed_at=None,
    discharged_at=None,
    room="Room 1",
) -> DosingSession:
    """A session of the plan's patient in `status` with the times given (none unless told): the next number,
    booked for the check-in (else now), monitored by the prescriber and written by the monitor unless told."""
    patient = plan.patient
    monitor = monitor or prescriber
    return DosingSession.objects.create(
        patient=patient,
        plan=plan,
        number=patient.dosing_sessions.count() + 1 if number is None else number,
        scheduled_at=scheduled_at or checked_in_at or timezone.now(),
        room=room,
        prescriber=prescriber,
        monitor=monitor,
        status=status,
        checked_in_at=checked_in_at,
        dosed_at=dosed_at,
        discharged_at=discharged_at,
        created_by=created_by or monitor,
    )


# --- measures, vitals, the pre-dose check ---------------------------------------------------------


def measure_response(
    patient, instrument, *, answers, by=None, at=None, context=MeasureResponse.Context.BASELINE, **fields
) -> MeasureResponse:
    """A completed response (at `at`, default now; entered by the patient unless told; the instrument's
    current version unless told)."""
    fields.setdefault("version", INSTRUMENTS[instrument].version)
    return MeasureResponse.objects.create(
        patient=patient,
        instrument=instrument,
        answers=answers,
        context=context,
        completed_at=at or timezone.now(),
        entered_by=by or patient.user,
        **fields,
    )


def risk_screen(patient, *, by, at=None, answers=None, risk="none", band="No risk identified") -> MeasureResponse:
    """A pre-dose C-SSRS screen (no risk unless told)."""
    return measure_response(
        patient,
        "cssrs",
        version="screener",
        answers=RISK_NONE if answers is None else answers,
        risk=risk,
        band=band,
        context=MeasureResponse.Context.PRE_DOSE,
        at=at,
        by=by,
    )


def vitals(patient, *, by, at=None, context=VitalSigns.Context.PRE_DOSE, **values) -> VitalSigns:
    """Vital signs measured `at` (default now): the given columns only (None ones left out)."""
    return VitalSigns.objects.create(
        patient=patient,
        context=context,
        measured_at=at or timezone.now(),
        recorded_by=by,
        **{name: value for name, value in values.items() if value is not None},
    )


def pre_dose_check(
    session,
    *,
    by,
    vitals_at=None,
    screened_at=None,
    outcome=PreDoseCheck.Outcome.PASS,
    vital_signs=None,
    **answers,
) -> PreDoseCheck:
    """A pre-dose check of `session` with its vitals (PRE_DOSE_VITALS overridden by `vital_signs`, None
    leaving one out) and a no-risk screen; the answers PRE_DOSE_ANSWERS and a Faker escort unless told."""
    patient = session.patient
    measured = vitals(patient, by=by, at=vitals_at, **(PRE_DOSE_VITALS | (vital_signs or {})))
    screen = risk_screen(patient, by=by, at=screened_at)
    return PreDoseCheck.objects.create(
        session=session,
        vitals=measured,
        risk_screen=screen,
        outcome=outcome,
        recorded_by=by,
        **(PRE_DOSE_ANSWERS | {"escort_name": fake.name()} | answers),
    )
