"""The demo clinic shows a patient at each intake stage, built through the real services, and seeds twice safely."""

import pytest

from intake.models import ConsentDocument, IntakeQuestionnaire, Patient, SafetyAlert
from kap_clinic.demo.clinic import seed

pytestmark = pytest.mark.django_db


def chart(email: str) -> Patient:
    return Patient.objects.get(email=email)


def test_the_demo_has_a_patient_at_every_intake_stage():
    seed()
    seed()  # idempotent

    assert chart("patient1@harbor.demo").stage == Patient.Stage.INTAKE
    assert chart("patient1@harbor.demo").questionnaire.status == IntakeQuestionnaire.Status.DRAFT
    waiting = chart("patient2@harbor.demo")
    assert waiting.questionnaire.status == IntakeQuestionnaire.Status.SUBMITTED
    assert {flag["code"] for flag in waiting.questionnaire.flags} >= {"benzodiazepine", "lamotrigine"}
    assert SafetyAlert.objects.filter(patient=waiting, acknowledged_at__isnull=True).count() == 1
    assert waiting.measures.count() == 4
    planned = chart("patient4@harbor.demo")
    assert planned.treatment_plans.get().is_signed
    assert planned.stage == Patient.Stage.DOSING  # the demo then books and runs their sessions
    assert chart("patient5@harbor.demo").stage == Patient.Stage.NOT_ELIGIBLE
    assert chart("patient3@harbor.demo").stage == Patient.Stage.INVITED
    assert ConsentDocument.objects.filter(published_at__isnull=False).count() == 2  # one per clinic
