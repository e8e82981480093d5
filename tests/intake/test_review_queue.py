"""The review queue and the review page: submitted intakes of the clinician's clinics, oldest first, with
their flags; the review page summarises every section, the medications, scores and flags."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from intake.models import IntakeQuestionnaire
from kap_clinic.audit.models import AuditEvent
from tests.factories import PatientFactory

from .review_helpers import bare_submitted, open_alert, submit_intake

pytestmark = pytest.mark.django_db

QUEUE = reverse("intake:review_queue")
ABSOLUTE = {"code": "aneurysm_avm", "kind": "absolute", "title": "Aneurysm or AVM", "detail": "", "source": "§4.1"}
RELATIVE = {"code": "seizures", "kind": "relative", "title": "Seizures", "detail": "", "source": "§2"}


def shown(response) -> list[int]:
    return [questionnaire.patient_id for questionnaire in response.context["page"]]


def test_submitted_intakes_are_listed_oldest_first(world, client):
    now = timezone.now()
    bare_submitted(world.patient_b, submitted_at=now - datetime.timedelta(hours=1))
    bare_submitted(world.patient_a, submitted_at=now - datetime.timedelta(days=2))
    IntakeQuestionnaire.objects.create(patient=PatientFactory(clinic=world.clinic))  # a draft: not listed
    client.force_login(world.therapist)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert shown(response) == [world.patient_a.pk, world.patient_b.pk]


def test_flags_and_open_alerts_show_in_the_list(world, client):
    bare_submitted(world.patient_a, flags=[ABSOLUTE, RELATIVE])
    bare_submitted(world.patient_b)
    open_alert(world.patient_a)
    client.force_login(world.nurse)

    content = client.get(QUEUE).content.decode()

    assert "Aneurysm or AVM" in content
    assert "1 relative" in content and "Seizures" in content
    assert "1 open safety alert" in content
    assert "No flags" in content  # patient B


def test_another_clinics_intakes_are_not_listed(world, client):
    bare_submitted(world.other_patient)
    bare_submitted(world.patient_a)
    client.force_login(world.prescriber)

    response = client.get(QUEUE)

    assert shown(response) == [world.patient_a.pk]
    assert world.other_patient.legal_name not in response.content.decode()


def test_an_empty_queue_says_so(world, client):
    client.force_login(world.prescriber)
    assert "No intakes are waiting for review." in client.get(QUEUE).content.decode()


@pytest.mark.parametrize("persona", ["admin", "patient_a"])
def test_admins_and_patients_are_refused_the_queue(world, client, persona):
    client.force_login(world.patient_a.user if persona == "patient_a" else world.admin)
    assert client.get(QUEUE).status_code == 403


def test_the_queue_runs_the_same_queries_with_few_and_many_intakes(world, client, django_assert_max_num_queries):
    client.force_login(world.prescriber)
    client.get(QUEUE)  # the first request of a session caches the clinic's time zone
    for patient in PatientFactory.create_batch(2, clinic=world.clinic):
        bare_submitted(patient, flags=[ABSOLUTE])
        open_alert(patient)
    with django_assert_max_num_queries(12) as few:
        client.get(QUEUE)
    for patient in PatientFactory.create_batch(30, clinic=world.clinic):
        bare_submitted(patient, flags=[ABSOLUTE, RELATIVE])
        open_alert(patient)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE)
    assert len(response.context["page"]) == 25


def test_the_queue_is_audited_per_clinic(world, client):
    client.force_login(world.prescriber)
    client.get(QUEUE)
    assert AuditEvent.objects.filter(
        actor=world.prescriber, action=AuditEvent.Action.VIEW, clinic=world.clinic, detail="review queue, page 1"
    ).exists()


# --- the review page ------------------------------------------------------------------------------


def test_the_review_page_summarises_the_intake(world, client):
    patient = world.patient_a
    submit_intake(
        patient,
        medical={"heart_disease": "yes", "heart_disease_details": "Stent placed in 2015", "aneurysm_avm": "yes"},
        medications=[
            {"name": "Xanax", "dose": "0.5", "unit": "mg", "frequency": "three_daily"},
            {"name": "Sertraline", "dose": "100", "unit": "mg", "frequency": "once_daily"},
        ],
        phq9={"q9": "1"},
        goals={"goals": "Feel present with my children"},
    )
    client.force_login(world.therapist)

    response = client.get(reverse("intake:intake_review", args=[patient.code]))

    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "Stent placed in 2015",  # the medical section
        escape("Feel present with my children"),  # goals
        "Xanax",
        "Benzodiazepine",
        "≈ 30.0 mg/day",  # its diazepam equivalent
        "Sertraline",
        "PHQ-9",
        "Mild",  # PHQ-9 total 9 → mild
        "PCL-5",
        "Intrusion (B)",  # PCL-5 subscores
        "Absolute contraindications",
        "Aneurysmal vascular disease or arteriovenous malformation",
        "aneurysm_avm",  # the rule's code
        "§4.1 [S84,S85]",  # and its source
        "Heart disease",
        "Drug and substance interactions",
        "Open safety alert",  # PHQ-9 item 9 opened one
        reverse("intake:assessment_edit", args=[patient.code]),
    ):
        assert text in content, text


def test_the_review_page_before_the_intake_is_started(world, client):
    client.force_login(world.prescriber)
    response = client.get(reverse("intake:intake_review", args=[world.patient_a.code]))
    assert response.status_code == 200
    assert "hasn't started the intake" in response.content.decode()


@pytest.mark.parametrize("persona", ["other_clinician", "other_admin", "admin", "patient_a", "patient_b"])
def test_the_review_page_is_not_found_for_anyone_outside_the_care_team(world, client, persona):
    submit_intake(world.patient_a)
    users = {"patient_a": world.patient_a.user, "patient_b": world.patient_b.user}
    client.force_login(users.get(persona) or getattr(world, persona))
    assert client.get(reverse("intake:intake_review", args=[world.patient_a.code])).status_code == 404
