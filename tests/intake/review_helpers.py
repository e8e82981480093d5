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

fake = Faker()


def medication_rows(*rows: dict) -> dict:
    """The medications step's raw answers (the formset, prefix "med") for `rows` (name, dose, unit, frequency)."""
    data = {"med-TOTAL_FORMS": str(len(rows)), "med-INITIAL_FORMS": "0", "med-MIN_NUM_FORMS": "0"}
    data["med-MAX_NUM_FORMS"] = "40"
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"med-{number}-{key}"] = value
    if not rows:
        data["no_medications"] = "on"
    return data


def answers(**steps) -> dict[str, dict]:
    """A valid, unremarkable answer set for every step; `steps` override fields per step, e.g.
    answers(medical={"aneurysm_avm": "yes"}, medications=[{...}])."""
    result = {
        "about": {
            "legal_name": fake.name(),
            "preferred_name": "",
            "date_of_birth": fake.date_of_birth(minimum_age=25, maximum_age=70).isoformat(),
            "sex_at_birth": "female",
            "gender": "",
            "phone": fake.numerify("555 ### ####"),
            "address": fake.address(),
            "emergency_contact_name": fake.name(),
            "emergency_contact_phone": fake.numerify("555 ### ####"),
            "emergency_contact_relationship": "sibling",
        },
        "support": {
            "support_person_name": fake.name(),
            "support_person_phone": fake.numerify("555 ### ####"),
            "support_person_relationship": "friend",
            "ride_home_name": fake.name(),
            "ride_home_phone": fake.numerify("555 ### ####"),
            "ride_home_confirmed": "on",
        },
        "medical": {
            "hypertension": "no",
            "heart_disease": "no",
            "aneurysm_avm": "no",
            "stroke_ich": "no",
            "liver_disease": "no",
            "glaucoma_pressure": "no",
            "head_injury": "no",
            "seizures": "no",
            "thyroid": "none",
            "bladder_urinary": "no",
            "pregnant": "not_applicable",
            "breastfeeding": "no",
            "ketamine_allergy": "no",
        },
        "medications": [],
        "psychiatric": {
            "diagnoses": ["depression"],
            "psychosis_history": "no",
            "psychosis_family": "no",
            "mania_history": "no",
            "hospitalisations": "0",
            "prior_ketamine": "no",
        },
        "substances": {"alcohol": "monthly_or_less", "alcohol_drinks": "1", "cannabis": "never"},
        "trauma": {"trauma_types": ["accident"], "index_event": fake.sentence(), "trauma_notes": ""},
        "goals": {"goals": fake.sentence(), "intentions": fake.sentence(), "concerns": ""},
        "phq9": {f"q{n}": "1" for n in range(1, 10)} | {"q9": "0"},
        "gad7": {f"q{n}": "1" for n in range(1, 8)},
        "pcl5": {"index_event": ""} | {f"q{n}": "1" for n in range(1, 21)},
        "cssrs": {"q1": "0", "q2": "0", "q6": "0"},
        "consent": {},
    }
    result["substances"]["substance_use_disorder"] = "none"
    for slug, values in steps.items():
        if slug == "medications":
            result[slug] = values
        else:
            result[slug] = {**result[slug], **values}
    result["medications"] = medication_rows(*result["medications"])
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
