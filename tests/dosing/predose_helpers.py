"""Helpers for the pre-dose and administration tests: a patient ready to dose (reviewed intake, signed
eligible assessment, signed plan, signed consent, a recent weight), a session in any status, and what
the services and the forms take."""

import datetime
import itertools
import uuid
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from intake.models import Assessment, ConsentDocument, ConsentSignature, IntakeQuestionnaire, TreatmentPlan, VitalSigns
from sessions.models import DosingSession, PreDoseCheck
from sessions.services.pipeline import session_set_status
from sessions.services.predose import predose_record
from tests import course

fake = Faker()
_numbers = itertools.count(1)

RISK_NONE = course.RISK_NONE
RISK_MODERATE = {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}
RISK_HIGH = {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0}
PHQ9_CALM = {f"q{n}": 0 for n in range(1, 10)}


def now() -> datetime.datetime:
    return timezone.now()


def reviewed_intake(patient, *, escort=True) -> IntakeQuestionnaire:
    support = {"ride_home_name": fake.name(), "ride_home_phone": "555 201 3344"} if escort else {}
    return course.intake(patient, status=IntakeQuestionnaire.Status.REVIEWED, answers={"support": support})


def eligible(patient, *, by, decision=Assessment.Decision.ELIGIBLE) -> Assessment:
    return course.signed_assessment(
        patient,
        by=by,
        questionnaire=reviewed_intake(patient),
        decision=decision,
        decision_note="" if decision == Assessment.Decision.ELIGIBLE else "Not now.",
    )


def plan_for(
    patient,
    *,
    by,
    assessment=None,
    signed=True,
    drug="racemic",
    route="im",
    dose_unit="mg_per_kg",
    planned="0.5",
    low="0.3",
    high="1.0",
    food="4",
    fluids="2",
    escort_required=True,
    holds="Lorazepam: skip the morning dose",
) -> TreatmentPlan:
    return course.treatment_plan(
        patient,
        by=by,
        assessment=assessment or eligible(patient, by=by),
        signed=signed,
        drug=drug,
        route=route,
        dose_unit=dose_unit,
        planned_dose=planned,
        dose_min=low,
        dose_max=high,
        fasting_food_hours=food,
        fasting_fluids_hours=fluids,
        medication_holds=holds,
        escort_required=escort_required,
    )


# plan_for's names of course.ESKETAMINE_PLAN's fields
_SHORT_NAMES = {
    "planned_dose": "planned",
    "dose_min": "low",
    "dose_max": "high",
    "fasting_food_hours": "food",
    "fasting_fluids_hours": "fluids",
}


def esketamine_plan(patient, *, by, **overrides) -> TreatmentPlan:
    values = {_SHORT_NAMES.get(name, name): value for name, value in course.ESKETAMINE_PLAN.items()}
    return plan_for(patient, by=by, **(values | overrides))


def sign_consent(patient, *, by) -> ConsentSignature:
    clinic = patient.clinic
    version = (
        ConsentDocument.objects.filter(clinic=clinic).order_by("-version").values_list("version", flat=True).first()
        or 0
    ) + 1
    document = ConsentDocument.objects.create(
        clinic=clinic,
        version=version,
        title="Consent to ketamine-assisted psychotherapy",
        body=fake.paragraph(),
        created_by=by,
        published_at=now(),
        published_by=by,
    )
    return ConsentSignature.objects.create(
        patient=patient,
        document=document,
        typed_name=patient.legal_name,
        agreed=True,
        signed_at=now(),
        text_sha256=document.text_sha256,
        signed_by=patient.user,
    )


def weigh(patient, kg, *, by, days_ago=0) -> VitalSigns:
    return course.vitals(
        patient, by=by, at=course.ago(days=days_ago), context=VitalSigns.Context.OTHER, weight_kg=Decimal(kg)
    )


def make_session(
    world, patient=None, *, status="scheduled", plan=None, consent=True, weight="70", weight_days_ago=1, **plan_kw
) -> DosingSession:
    """A session of `patient` (default patient A) under a signed plan (IM 0.3–1.0 mg/kg unless told),
    with a signed consent and a weight `weight_days_ago` days old (None: no weight), moved to `status`
    ("scheduled" or "checked_in")."""
    patient = patient or world.patient_a
    prescriber = world.prescriber if patient.clinic_id == world.clinic.pk else world.other_clinician
    plan = plan or plan_for(patient, by=prescriber, **plan_kw)
    if consent:
        sign_consent(patient, by=prescriber)
    if weight is not None:
        weigh(patient, weight, by=prescriber, days_ago=weight_days_ago)
    session = course.dosing_session(plan, prescriber=prescriber, number=next(_numbers), room="Room 2")
    if status == "checked_in":
        session = session_set_status(session=session, to="checked_in", by=prescriber)
        session = arrived_earlier(session)
    return session


def arrived_earlier(session, minutes=60) -> DosingSession:
    """Move the check-in `minutes` back, so that doses can be dated in the past hour."""
    DosingSession.objects.filter(pk=session.pk).update(checked_in_at=now() - datetime.timedelta(minutes=minutes))
    session.refresh_from_db()
    return session


def check_data(**overrides) -> dict:
    """Pre-dose answers that pass (the service's `data`)."""
    data = {
        "hours_since_food": Decimal(6),
        "hours_since_fluids": Decimal(3),
        "escort_name": fake.name(),
        "escort_phone": "555 123 4567",
        "alcohol_last_24h": False,
        "held_medications_last_24h": False,
        "new_medications": False,
        "new_medications_details": "",
        "pregnancy": "not_pregnant",
    }
    return data | overrides


def vitals(**overrides) -> dict:
    """Normal pre-dose vitals (the service's `vitals_data`, VitalSigns columns)."""
    values = {
        "systolic": 122,
        "diastolic": 78,
        "heart_rate": 72,
        "spo2": 98,
        "respiratory_rate": 14,
        "temperature_c": Decimal("36.8"),
    }
    return {k: v for k, v in (values | overrides).items() if v is not None}


def record_check(session, by, *, data=None, vitals_data=None, risk=None, phq9=None) -> PreDoseCheck:
    return predose_record(
        session=session,
        data=data or check_data(),
        vitals_data=vitals() if vitals_data is None else vitals_data,
        risk_answers=risk or RISK_NONE,
        phq9_answers=phq9,
        by=by,
    )


def cleared_session(world, patient=None, **kwargs) -> DosingSession:
    """A checked-in session whose pre-dose check passed."""
    session = make_session(world, patient, **kwargs)
    by = session.prescriber
    check = record_check(session, by)
    assert check.outcome == "pass", check.findings
    return arrived_earlier(session)


# --- what the forms send -----------------------------------------------------------------------------


def local_field(world, when=None) -> str:
    return course.local_field(world.clinic, when)


def predose_post(*, risk=None, phq9=None, **overrides) -> dict:
    """The pre-dose form as a nurse fills it in for a patient who passes; `overrides` by field name
    (vitals fields with their `vitals-` prefix)."""
    data = {
        "submission": str(uuid.uuid4()),
        "hours_since_food": "6",
        "hours_since_fluids": "3",
        "escort_name": "Robin Escort",
        "escort_phone": "555 123 4567",
        "alcohol_last_24h": "no",
        "held_medications_last_24h": "no",
        "new_medications": "no",
        "new_medications_details": "",
        "pregnancy": "not_pregnant",
        "vitals-systolic": "122",
        "vitals-diastolic": "78",
        "vitals-heart_rate": "72",
        "vitals-spo2": "98",
        "vitals-respiratory_rate": "14",
        "vitals-temperature": "36.8",
        "vitals-temperature_unit": "C",
        "vitals-weight": "",
        "vitals-weight_unit": "kg",
        "vitals-height_cm": "",
    }
    for key, value in (risk or RISK_NONE).items():
        data[f"risk_{key}"] = str(value)
    for key, value in (phq9 or {}).items():
        data[f"phq9_{key}"] = str(value)
    return data | overrides


def administration_post(world, session, lot, *, by=None, **overrides) -> dict:
    plan = session.plan
    data = {
        "submission": str(uuid.uuid4()),
        "drug": plan.drug,
        "route": plan.route,
        "dose_mg": "35",
        "started_at": local_field(world),
        "ended_at": "",
        "lot": str(lot.code),
        "administered_by": str((by or world.nurse).code),
        "override_reason": "",
    }
    return data | overrides
