"""The patient's intake, step by step: each step checks its answers with a clear message, keeps what was
typed whatever happens, and picks up where the patient left off."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeQuestionnaire, Medication, Patient
from intake.sections import SECTIONS, cleaned_section, missing_sections

from .test_questionnaire_helpers import fake, medication_rows, post_step, step_url, valid_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(world):
    return world.patient_a


@pytest.fixture
def client_a(login, patient):
    return login(patient.user)


def errors_of(response) -> str:
    return response.content.decode()


def test_first_visit_opens_the_draft_at_the_first_step(client_a, patient):
    response = client_a.get(reverse("intake:questionnaire_resume"))

    assert response.status_code == 302 and response["Location"] == step_url("about")
    assert IntakeQuestionnaire.objects.filter(patient=patient, status="draft").exists()
    page = client_a.get(step_url("about")).content.decode()
    assert "Step 1 of 13" in page
    assert 'aria-current="step"' in page
    assert "Save and continue" in page and "Save and finish later" in page


def test_the_first_save_moves_an_invited_patient_to_intake(client_a, patient):
    Patient.objects.filter(pk=patient.pk).update(stage=Patient.Stage.INVITED)

    post_step(client_a, "about", {"legal_name": "x"}, action="later")

    patient.refresh_from_db()
    assert patient.stage == Patient.Stage.INTAKE


def test_a_valid_step_moves_on_and_is_marked_complete(client_a, patient):
    response = post_step(client_a, "about", valid_answers()["about"])

    assert response["Location"] == step_url("support")
    questionnaire = IntakeQuestionnaire.objects.get(patient=patient)
    assert questionnaire.completed_steps == ["about"]
    assert questionnaire.current_step == "support"
    assert "Step 2 of 13" in client_a.get(step_url("support")).content.decode()


def test_about_step_copies_the_details_onto_the_chart(client_a, patient):
    answers = valid_answers()["about"]

    post_step(client_a, "about", answers)

    patient.refresh_from_db()
    assert patient.legal_name == answers["legal_name"]
    assert patient.date_of_birth.isoformat() == answers["date_of_birth"]
    assert patient.emergency_contact_phone == answers["emergency_contact_phone"]


def test_an_invalid_step_keeps_everything_typed_and_says_what_is_wrong(client_a, patient):
    answers = {
        **valid_answers()["about"],
        "date_of_birth": (timezone.localdate() - datetime.timedelta(days=365 * 10)).isoformat(),
        "phone": "12",
    }

    response = post_step(client_a, "about", answers)

    assert response.status_code == 200
    page = errors_of(response)
    assert "This program is for adults: you must be 18 or older." in page
    assert "A phone number has 7 to 15 digits" in page
    assert answers["emergency_contact_name"] in page  # still in the form
    questionnaire = IntakeQuestionnaire.objects.get(patient=patient)
    assert questionnaire.answers["about"]["emergency_contact_name"] == answers["emergency_contact_name"]
    assert "about" not in questionnaire.completed_steps
    patient.refresh_from_db()
    assert patient.emergency_contact_name != answers["emergency_contact_name"]  # not copied until valid


@pytest.mark.parametrize(
    ("slug", "change", "message"),
    [
        ("about", {"legal_name": ""}, "Please fill this in."),
        ("about", {"date_of_birth": "31/31/1990"}, "Enter a date as year-month-day, e.g. 1984-03-25."),
        ("support", {"ride_home_confirmed": ""}, "Please tick this box: after a session you can"),
        ("support", {"ride_home_phone": "call me"}, "A phone number has 7 to 15 digits"),
        ("medical", {"hypertension": ""}, "Please answer yes or no."),
        ("medical", {"hypertension": "yes"}, "You said you have high blood pressure: is it controlled?"),
        ("medical", {"pregnant": "maybe"}, "Please choose one of the options."),
        ("psychiatric", {"hospitalisations": "-1"}, "The number can"),
        ("psychiatric", {"hospitalisations": "two"}, "Please give a whole number, e.g. 0, 1 or 2."),
        ("psychiatric", {"diagnoses": ["other"]}, "Please name the other diagnosis."),
        ("substances", {"substance_use_disorder": "in_recovery"}, "Please give the date your recovery began"),
        ("substances", {"alcohol_drinks": "400"}, "more than 50 drinks a day?"),
        ("goals", {"goals": ""}, "Please fill this in."),
        ("phq9", {"q9": ""}, "Please answer this question."),
        ("pcl5", {"q3": "7"}, "Please choose one of the answers."),
        ("cssrs", {"q2": "1"}, "Please answer this question."),  # q3–q5 now apply
        ("cssrs", {"q6": "1"}, "Please answer this question."),  # q6_recent now applies
    ],
)
def test_each_step_explains_a_wrong_answer(client_a, slug, change, message):
    answers = {**valid_answers()[slug], **change}
    answers = {key: value for key, value in answers.items() if value != ""}

    response = post_step(client_a, slug, answers)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_every_step_accepts_valid_answers(client_a, patient):
    for slug, answers in valid_answers().items():
        response = post_step(client_a, slug, answers)
        assert response.status_code == 302, slug
    questionnaire = IntakeQuestionnaire.objects.get(patient=patient)
    assert missing_sections(questionnaire) == []
    assert questionnaire.current_step == "submit"
    assert cleaned_section(questionnaire, "medical")["hypertension"] is False
    assert cleaned_section(questionnaire, "psychiatric")["diagnoses"] == ["depression", "anxiety"]


def test_risk_screen_ignores_follow_ups_that_do_not_apply(client_a, patient):
    post_step(client_a, "cssrs", {"q1": "0", "q2": "0", "q3": "1", "q6": "0"})

    cleaned = cleaned_section(IntakeQuestionnaire.objects.get(patient=patient), "cssrs")
    assert "q3" not in cleaned
    assert cleaned["score"].risk == "none"


def test_risk_screen_shows_the_clinics_licensed_wording_or_the_placeholder(client_a, world):
    from intake.models import ScreenerWording
    from kap_clinic.instruments.definitions import CSSRS_PLACEHOLDER_WORDING

    page = client_a.get(step_url("cssrs")).content.decode()
    assert str(CSSRS_PLACEHOLDER_WORDING["q1"]).replace("'", "&#x27;") in page

    wording = {key: f"Licensed {key} {fake.word()}" for key in ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")}
    ScreenerWording.objects.create(
        clinic=world.clinic, licence_reference="Licence 1", updated_by=world.admin, **wording
    )
    page = client_a.get(step_url("cssrs")).content.decode()
    assert wording["q1"] in page and wording["q6_recent"] in page
    assert str(CSSRS_PLACEHOLDER_WORDING["q1"]).replace("'", "&#x27;") not in page


def test_measure_pages_carry_their_notices(client_a):
    phq = client_a.get(step_url("phq9")).content.decode()
    assert "educational grant from Pfizer Inc." in phq
    pcl = client_a.get(step_url("pcl5")).content.decode()
    assert "PCL-5 (8/14/2013) Weathers, Litz, Keane, Palmieri, Marx, &amp; Schnurr" in pcl


def test_pcl5_index_event_comes_from_the_trauma_step(client_a):
    post_step(client_a, "trauma", {"index_event": "The flood of 2011"})

    assert 'value="The flood of 2011"' in client_a.get(step_url("pcl5")).content.decode()


def test_medications_need_a_row_or_the_no_medications_box(client_a, patient):
    response = post_step(client_a, "medications", medication_rows())
    assert "Please list at least one medication, or tick" in response.content.decode()

    response = post_step(client_a, "medications", {**medication_rows(), "no_medications": "on"})
    assert response.status_code == 302
    assert not Medication.objects.filter(questionnaire__patient=patient).exists()


def test_medication_rows_are_checked_with_units(client_a):
    rows = medication_rows(
        {"name": "Lorazepam", "dose": "0", "unit": "mg", "frequency": "twice_daily"},
        {"name": "", "dose": "5", "unit": "mg", "frequency": ""},
        {"name": "Sertraline", "dose": "50", "unit": "", "frequency": "once_daily"},
    )

    page = post_step(client_a, "medications", rows).content.decode()

    assert "The dose must be more than 0." in page
    assert "Please write the name of this medication." in page
    assert "Please choose the unit of the dose (mg, mcg, …)." in page
    assert 'value="Lorazepam"' in page and 'value="Sertraline"' in page


def test_medications_step_replaces_the_rows_with_their_class(client_a, patient):
    post_step(
        client_a,
        "medications",
        medication_rows(
            {"name": "Xanax", "dose": "0.5", "unit": "mg", "frequency": "three_daily"},
            {"name": "Sertraline", "dose": "100", "unit": "mg", "frequency": "once_daily"},
        ),
    )
    post_step(
        client_a,
        "medications",
        medication_rows({"name": "Klonopin", "dose": "500", "unit": "mcg", "frequency": "twice_daily"}),
    )

    rows = list(Medication.objects.filter(questionnaire__patient=patient))
    assert [(m.name, m.drug_class, m.generic_name) for m in rows] == [("Klonopin", "benzodiazepine", "clonazepam")]
    assert str(rows[0].diazepam_mg_per_day) == "20.00"  # 0.5 mg × 2 a day; 0.5 mg clonazepam ≈ 10 mg diazepam


def test_add_row_without_javascript_keeps_the_rows_and_adds_one(client_a, patient):
    rows = medication_rows({"name": "Lamictal", "dose": "100", "unit": "mg", "frequency": "once_daily"}, extra=0)

    response = post_step(client_a, "medications", rows, action="add_row")

    assert response.status_code == 302 and response["Location"].startswith(step_url("medications"))
    page = client_a.get(step_url("medications")).content.decode()
    assert 'value="Lamictal"' in page and 'name="med-1-name"' in page


def test_back_saves_and_goes_to_the_previous_step(client_a, patient):
    response = post_step(client_a, "support", {"support_person_name": "Ana"}, action="back")

    assert response["Location"] == step_url("about")
    assert IntakeQuestionnaire.objects.get(patient=patient).answers["support"]["support_person_name"] == "Ana"


def test_finish_later_saves_and_resume_lands_on_the_same_step(client_a, patient):
    post_step(client_a, "about", valid_answers()["about"])
    post_step(client_a, "support", {"support_person_name": "Ana Half-Done"}, action="later")

    response = client_a.get(reverse("intake:questionnaire_resume"))

    assert response["Location"] == step_url("support")
    page = client_a.get(step_url("support")).content.decode()
    assert 'value="Ana Half-Done"' in page
    home = client_a.get(reverse("intake:patient_home")).content.decode()
    assert "you will carry on at step 2 of 13" in home


def test_a_draft_survives_a_new_login(client, patient):
    client.force_login(patient.user)
    post_step(client, "goals", {"goals": "Feel like myself again"}, action="later")
    client.logout()

    client.force_login(patient.user)

    assert "Feel like myself again" in client.get(step_url("goals")).content.decode()


def test_unknown_step_is_not_found(client_a):
    assert client_a.get(step_url("nope")).status_code == 404


def test_sections_list_every_step_of_the_contract():
    assert [s.slug for s in SECTIONS] == [
        "about",
        "support",
        "medical",
        "medications",
        "psychiatric",
        "substances",
        "trauma",
        "goals",
        "phq9",
        "gad7",
        "pcl5",
        "cssrs",
        "consent",
    ]
