"""Sending the intake: once, only when complete, then read-only for the patient; a returned intake can be
changed and sent again. Only the patient themself reaches these pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import ConsentDocument, ConsentSignature, IntakeQuestionnaire, MeasureResponse, Patient
from intake.services.questionnaire import questionnaire_submit
from kap_clinic.audit.models import AuditEvent

from .test_questionnaire_helpers import fill_everything, phq9, post_step, step_url

pytestmark = pytest.mark.django_db

SUBMIT = reverse("intake:questionnaire_submit")
ANSWERS = reverse("intake:questionnaire_answers")


@pytest.fixture
def client_a(login, world):
    return login(world.patient_a.user)


def test_submit_writes_the_four_baseline_measures_once_on_a_double_submit(client_a, world):
    patient = world.patient_a
    fill_everything(client_a, patient)

    first = client_a.post(SUBMIT, follow=True)
    second = client_a.post(SUBMIT, follow=True)

    assert "your intake was sent to your care team" in first.content.decode()
    assert "Your intake was already submitted; nothing was changed." in second.content.decode()
    measures = MeasureResponse.objects.filter(patient=patient)
    assert sorted(measures.values_list("instrument", flat=True)) == ["cssrs", "gad7", "pcl5", "phq9"]
    assert set(measures.values_list("context", flat=True)) == {"baseline"}
    assert measures.get(instrument="pcl5").index_event == "A car crash in 2019"
    assert measures.get(instrument="phq9").total == 3
    questionnaire = IntakeQuestionnaire.objects.get(patient=patient)
    assert questionnaire.status == "submitted" and questionnaire.submitted_at is not None
    patient.refresh_from_db()
    assert patient.stage == Patient.Stage.ASSESSMENT
    assert AuditEvent.objects.filter(action="submit", patient_code=patient.code).count() == 1


def test_pcl5_uses_the_clinics_cutoff(client_a, world):
    world.clinic.pcl5_cutoff = 20
    world.clinic.save(update_fields=["pcl5_cutoff"])
    fill_everything(client_a, world.patient_a)  # PCL-5 total 20

    client_a.post(SUBMIT)

    assert "pcl5_above_cutoff" in MeasureResponse.objects.get(patient=world.patient_a, instrument="pcl5").flags


def test_submit_lists_the_sections_still_missing(client_a, world):
    post_step(client_a, "phq9", phq9())
    post_step(client_a, "about", {"legal_name": "Only a name"}, action="later")

    page = client_a.get(SUBMIT).content.decode()
    assert "These sections still need answers before you can send your intake:" in page
    assert "About you" in page and "Current medications" in page and "Mood (PHQ-9)" in page

    response = client_a.post(SUBMIT)
    assert response.status_code == 200
    assert "Some sections still need answers: About you, Support and your ride home" in response.content.decode()
    assert not MeasureResponse.objects.exists()
    assert IntakeQuestionnaire.objects.get(patient=world.patient_a).status == "draft"


def test_consent_step_needs_the_current_published_consent_signed(client_a, world):
    fill_everything(client_a, world.patient_a)
    document = ConsentDocument.objects.create(
        clinic=world.clinic,
        version=1,
        title="Consent",
        body="Text",
        created_by=world.admin,
        published_at=timezone.now(),
        published_by=world.admin,
    )

    page = client_a.get(step_url("consent")).content.decode()
    assert reverse("intake:consent_sign") in page
    assert "Consent" in client_a.get(SUBMIT).content.decode().split("still need answers")[1]

    ConsentSignature.objects.create(
        patient=world.patient_a,
        document=document,
        typed_name="A",
        agreed=True,
        signed_at=timezone.now(),
        text_sha256=document.text_sha256,
        signed_by=world.patient_a.user,
    )
    assert "still need answers" not in client_a.get(SUBMIT).content.decode()


def test_after_submitting_the_intake_is_read_only(client_a, world):
    questionnaire = fill_everything(client_a, world.patient_a)
    client_a.post(SUBMIT)
    before = IntakeQuestionnaire.objects.get(pk=questionnaire.pk).answers

    response = post_step(client_a, "goals", {"goals": "Changed after sending", "intentions": "x"}, follow=True)

    assert response.redirect_chain[-1][0] == ANSWERS
    assert "it can&#x27;t be changed now" in response.content.decode()
    assert IntakeQuestionnaire.objects.get(pk=questionnaire.pk).answers == before
    assert client_a.get(step_url("about"))["Location"] == ANSWERS
    assert client_a.get(reverse("intake:questionnaire_resume"))["Location"] == ANSWERS


def test_answers_page_shows_everything_with_scores(client_a, world):
    fill_everything(client_a, world.patient_a)
    client_a.post(SUBMIT)

    page = client_a.get(ANSWERS).content.decode()

    assert "Sent to your care team on" in page
    assert "Sertraline" in page
    assert "Depression, Anxiety" in page
    assert "3 / 27" in page and "Minimal" in page  # PHQ-9
    assert "A car crash in 2019" in page
    assert "educational grant from Pfizer Inc." in page


def test_a_returned_intake_shows_the_message_and_can_be_sent_again(client_a, world):
    questionnaire = fill_everything(client_a, world.patient_a)
    client_a.post(SUBMIT)
    IntakeQuestionnaire.objects.filter(pk=questionnaire.pk).update(
        status="returned", return_message="Please tell us the dose of your sertraline.", returned_at=timezone.now()
    )

    response = client_a.get(reverse("intake:questionnaire_resume"), follow=True)
    assert "Please tell us the dose of your sertraline." in response.content.decode()
    assert (
        "Please tell us the dose of your sertraline." in client_a.get(reverse("intake:patient_home")).content.decode()
    )

    post_step(client_a, "phq9", phq9(q1="3"))
    client_a.post(SUBMIT)

    assert IntakeQuestionnaire.objects.get(pk=questionnaire.pk).status == "submitted"
    # only the changed measure is recorded again
    assert MeasureResponse.objects.filter(patient=world.patient_a, instrument="phq9").count() == 2
    assert MeasureResponse.objects.filter(patient=world.patient_a, instrument="gad7").count() == 1


def test_the_service_submits_once_when_called_twice(world):
    from intake.services.questionnaire import questionnaire_for_patient, questionnaire_save_step

    from .test_questionnaire_helpers import valid_answers

    questionnaire = questionnaire_for_patient(patient=world.patient_a)
    for slug, data in valid_answers().items():
        questionnaire_save_step(questionnaire=questionnaire, slug=slug, data=data, by=world.patient_a.user)

    _q, first = questionnaire_submit(questionnaire=questionnaire, by=world.patient_a.user)
    _q, second = questionnaire_submit(questionnaire=questionnaire, by=world.patient_a.user)

    assert (first, second) == (True, False)
    assert MeasureResponse.objects.filter(patient=world.patient_a).count() == 4


def test_each_patient_only_ever_sees_their_own_intake(login, world):
    client = login(world.patient_a.user)
    post_step(client, "goals", {"goals": "Secret goal of patient A", "intentions": "x"})

    client = login(world.patient_b.user)
    for url in (step_url("goals"), ANSWERS, SUBMIT):
        assert "Secret goal of patient A" not in client.get(url).content.decode()


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse", "admin", "other_clinician"])
def test_staff_are_refused_the_patients_own_pages(login, world, persona):
    client = login(getattr(world, persona))
    for url in (reverse("intake:questionnaire_resume"), step_url("about"), SUBMIT, ANSWERS):
        assert client.get(url).status_code == 403
    assert client.post(step_url("about"), {"legal_name": "x"}).status_code == 403


def test_patient_home_shows_intake_status_and_the_plans_preparation(client_a, world):
    home = client_a.get(reverse("intake:patient_home")).content.decode()
    assert "Start your intake" in home and "Suicide &amp; Crisis Lifeline" in home

    fill_everything(client_a, world.patient_a)
    client_a.post(SUBMIT)
    home = client_a.get(reverse("intake:patient_home")).content.decode()
    assert "Sent to your care team on" in home
    assert "Getting ready for a session" not in home

    _signed_plan(world)
    home = client_a.get(reverse("intake:patient_home")).content.decode()
    assert "No food for 4 hours" in home and "No drinks, not even water, for 2 hours" in home
    assert "Hold lamotrigine the day before" in home
    assert "Don't drive until the next day" in home


def _signed_plan(world):
    from decimal import Decimal

    from intake.models import Assessment, TreatmentPlan

    assessment = Assessment.objects.create(
        patient=world.patient_a, questionnaire=world.patient_a.questionnaire, created_by=world.prescriber
    )
    return TreatmentPlan.objects.create(
        patient=world.patient_a,
        assessment=assessment,
        indication="depression",
        route="im",
        dose_unit="mg_per_kg",
        planned_dose=Decimal("0.5"),
        dose_min=Decimal("0.5"),
        dose_max=Decimal("1"),
        induction_sessions=6,
        spacing_days=3,
        fasting_food_hours=Decimal("4"),
        fasting_fluids_hours=Decimal("2"),
        medication_holds="Hold lamotrigine the day before",
        escort_required=True,
        created_by=world.prescriber,
        signed_by=world.prescriber,
        signed_at=timezone.now(),
    )
