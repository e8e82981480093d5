"""A patient completes the whole intake in the browser; a prescriber reviews it to "eligible" and writes a plan."""

import re

import pytest

from intake.models import IntakeQuestionnaire, MeasureResponse, Patient, TreatmentPlan
from kap_clinic.demo.clinic import DEMO_PASSWORD, seed
from kap_clinic.demo.intake import full_answers
from tests.factories import PASSWORD, PatientFactory

from .filling import fill_form

pytestmark = pytest.mark.django_db(transaction=True)


def test_patient_completes_the_intake_and_a_prescriber_plans_the_course(browser, live_server, log_in, page):
    seed()
    clinic = Patient.objects.get(email="patient1@harbor.demo").clinic
    patient = PatientFactory(clinic=clinic, legal_name="Robin Ellis", stage=Patient.Stage.INVITED)
    answers = full_answers(patient, med_rows=[("Clonazepam", "0.5", "mg", "twice_daily")])

    log_in(patient.user.email, PASSWORD)
    page.get_by_role("link", name="Start your intake").click()
    for slug in ("about", "support", "medical", "medications", "psychiatric", "substances", "trauma", "goals"):
        fill_form(page, answers[slug])
        page.get_by_role("button", name="Save and continue").click()
        expect_no_errors(page, slug)
    for slug in ("phq9", "gad7", "pcl5", "cssrs"):
        fill_form(page, answers[slug])
        page.get_by_role("button", name="Save and continue").click()
        expect_no_errors(page, slug)

    # the consent step sends the patient to read and sign the clinic's consent
    page.get_by_role("link", name=re.compile("sign", re.I)).first.click()
    page.get_by_label("Your full legal name").fill("Robin Ellis")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name=re.compile("Sign version")).click()
    page.goto("/intake/me/intake/")
    if page.get_by_role("button", name="Save and continue").count():
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send my intake").click()
    page.wait_for_load_state()

    questionnaire = IntakeQuestionnaire.objects.get(patient=patient)
    assert questionnaire.status == IntakeQuestionnaire.Status.SUBMITTED
    assert MeasureResponse.objects.filter(patient=patient).count() == 4
    assert any(flag["code"] == "benzodiazepine" for flag in questionnaire.flags)

    page.context.clear_cookies()
    log_in("prescriber@harbor.demo", DEMO_PASSWORD)
    review_and_plan(page, patient)

    patient.refresh_from_db()
    assert patient.stage == Patient.Stage.PLANNED
    assert TreatmentPlan.objects.get(patient=patient).is_signed


def expect_no_errors(page, slug: str) -> None:
    errors = page.locator(".invalid-feedback, .alert-danger")
    assert errors.count() == 0, f"step {slug}: {errors.all_inner_texts()}"


def review_and_plan(page, patient) -> None:
    """From the review queue: read the intake, assess (eligible, signed), then write and sign the plan."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    page.get_by_role("link", name=re.compile("Robin Ellis")).first.click()
    assert page.get_by_text("Benzodiazepine").first.is_visible()
    page.get_by_role("link", name="Start the assessment").click()
    page.get_by_label("Psychological evaluation").fill("Treatment-resistant depression after two SSRIs.")
    page.get_by_label("Primary indication").select_option("depression")
    page.get_by_label("Systolic BP (mmHg)").fill("124")
    page.get_by_label("Diastolic BP (mmHg)").fill("80")
    page.get_by_label("Weight", exact=True).fill("72")
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_role("button", name="Review and sign…").click()
    page.get_by_role("button", name="Sign and lock").click()
    page.get_by_role("button", name="Review and sign…").click()
    page.get_by_role("button", name="Sign the plan").click()
    page.wait_for_load_state()
