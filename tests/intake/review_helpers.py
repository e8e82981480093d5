"""Helpers for the clinician-side intake tests: a submitted intake built through the patient's own services
(answers per intake_fields.md, Faker data), baseline vitals, and a signed eligible assessment."""

import datetime
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from intake.models import IntakeQuestionnaire, SafetyAlert, VitalSigns
from intake.services.assessment import assessment_sign
from intake.services.questionnaire import questionnaire_for_patient, questionnaire_save_step, questionnaire_submit
from intake.services.safety import safety_alert_open

from .test_questionnaire_helpers import medication_rows, valid_answers

fake = Faker()


def answers(**steps) -> dict[str, dict]:
    """A valid, unremarkable answer set for every step (no medications, PHQ-9 total 8); `steps` override
    fields per step, e.g. answers(medical={"aneurysm_avm": "yes"}, medications=[{...}])."""
    result = valid_answers() | {
        "phq9": {f"q{n}": "1" for n in range(1, 10)} | {"q9": "0"},
        "gad7": {f"q{n}": "1" for n in range(1, 8)},
        "pcl5": {"index_event": ""} | {f"q{n}": "1" for n in range(1, 21)},
    }
    rows = steps.pop("medications", [])
    for slug, values in steps.items():
        result[slug] = {**result[slug], **values}
    result["medications"] = medication_rows(*rows, extra=0) | ({} if rows else {"no_medications": "on"})
    return result


def submit_intake(patient, **steps) -> IntakeQuestionnaire:
    """Fill in every step (as the patient) and submit, through the patient's own services."""
    questionnaire = questionnaire_for_patient(patient=patient)
    for slug, data in answers(**steps).items():
        saved = questionnaire_save_step(questionnaire=questionnaire, slug=slug, data=data, by=patient.user)
        assert saved.valid, (slug, saved.form.errors)
    questionnaire, submitted = questionnaire_submit(questionnaire=questionnaire, by=patient.user)
    assert submitted
    return questionnaire


def bare_submitted(patient, *, submitted_at=None, flags=()) -> IntakeQuestionnaire:
    """A submitted questionnaire row without answers (fast: for list pages)."""
    return IntakeQuestionnaire.objects.create(
        patient=patient,
        status=IntakeQuestionnaire.Status.SUBMITTED,
        submitted_at=submitted_at or timezone.now(),
        flags=list(flags),
    )


def vitals(**values) -> dict:
    """Baseline vitals as the services take them (°C, kg): normal unless told."""
    return {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98, "weight_kg": Decimal("70.0")} | values


def weigh(patient, by, kg, days_ago: int = 0) -> VitalSigns:
    return VitalSigns.objects.create(
        patient=patient,
        measured_at=timezone.now() - datetime.timedelta(days=days_ago),
        weight_kg=Decimal(kg),
        recorded_by=by,
    )


def eligible(patient, prescriber, weight_kg=Decimal("70.0"), **steps):
    """A submitted intake and a signed "eligible" assessment (no absolute contraindication), with baseline
    vitals weighing `weight_kg` (None: no weight)."""
    submit_intake(patient, **steps)
    return assessment_sign(
        patient=patient,
        by=prescriber,
        vitals={k: v for k, v in vitals(weight_kg=weight_kg).items() if v is not None},
        evaluation=fake.paragraph(),
        indication="depression",
        decision="eligible",
    )


def open_alert(patient, source=SafetyAlert.Source.PHQ9_ITEM9) -> SafetyAlert:
    return safety_alert_open(patient=patient, source=source, detail="PHQ-9 item 9 answered above 'Not at all'")
