"""Helpers for the intake questionnaire tests: valid answers for every step (Faker data), and posting them.

(No tests here; the name keeps it among the questionnaire's test modules.)
"""

from django.urls import reverse
from faker import Faker

from intake.models import IntakeQuestionnaire

fake = Faker()


def step_url(slug: str) -> str:
    return reverse("intake:questionnaire_step", kwargs={"step": slug})


def medication_rows(*rows: dict, extra: int = 1) -> dict:
    """The formset's POST data for `rows` (dicts with name, dose, unit, frequency) and `extra` empty rows."""
    data = {
        "med-TOTAL_FORMS": str(len(rows) + extra),
        "med-INITIAL_FORMS": "0",
        "med-MIN_NUM_FORMS": "0",
        "med-MAX_NUM_FORMS": "40",
    }
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"med-{number}-{key}"] = value
    return data


def measure(keys, value: str = "0", **overrides) -> dict:
    return {**dict.fromkeys(keys, value), **overrides}


def phq9(**overrides) -> dict:
    return measure([f"q{n}" for n in range(1, 10)], **overrides)


def gad7(**overrides) -> dict:
    return measure([f"q{n}" for n in range(1, 8)], **overrides)


def pcl5(**overrides) -> dict:
    return {"index_event": "", **measure([f"q{n}" for n in range(1, 21)], "1"), **overrides}


def cssrs(**overrides) -> dict:
    return {"q1": "0", "q2": "0", "q6": "0", **overrides}


def valid_answers() -> dict[str, dict]:
    """One valid answer set per step (consent has nothing to type)."""
    adult = fake.date_of_birth(minimum_age=25, maximum_age=70)
    return {
        "about": {
            "legal_name": fake.name(),
            "preferred_name": fake.first_name(),
            "date_of_birth": adult.isoformat(),
            "sex_at_birth": "female",
            "gender": "",
            "phone": "555 201 3344",
            "address": fake.address(),
            "emergency_contact_name": fake.name(),
            "emergency_contact_phone": "555 201 9988",
            "emergency_contact_relationship": "sister",
        },
        "support": {
            "support_person_name": fake.name(),
            "support_person_phone": "555 301 2233",
            "support_person_relationship": "friend",
            "ride_home_name": fake.name(),
            "ride_home_phone": "555 301 4455",
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
        "medications": medication_rows(
            {"name": "Sertraline", "dose": "50", "unit": "mg", "frequency": "once_daily"},
        ),
        "psychiatric": {
            "diagnoses": ["depression", "anxiety"],
            "psychosis_history": "no",
            "psychosis_family": "no",
            "mania_history": "no",
            "hospitalisations": "0",
            "prior_ketamine": "no",
        },
        "substances": {
            "alcohol": "monthly_or_less",
            "alcohol_drinks": "1",
            "cannabis": "never",
            "substance_use_disorder": "none",
        },
        "trauma": {"trauma_types": ["accident"], "index_event": "A car crash in 2019", "trauma_notes": ""},
        "goals": {"goals": fake.sentence(), "intentions": fake.sentence(), "concerns": ""},
        "phq9": phq9(q1="1", q2="2"),
        "gad7": gad7(q1="1"),
        "pcl5": pcl5(index_event="A car crash in 2019"),
        "cssrs": cssrs(),
        "consent": {},
    }


def post_step(client, slug: str, data: dict, action: str = "continue", **kwargs):
    return client.post(step_url(slug), {**data, "action": action}, **kwargs)


def fill_everything(client, patient) -> IntakeQuestionnaire:
    """Post every step valid, as the logged-in `patient`."""
    for slug, data in valid_answers().items():
        response = post_step(client, slug, data)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    return IntakeQuestionnaire.objects.get(patient=patient)
