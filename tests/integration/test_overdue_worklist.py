"""The clinicians' worklist of overdue follow-up measures, and its card on the clinician's home."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import Patient
from kap_clinic.audit.models import AuditEvent
from tests.factories import PatientFactory

from .measures_helpers import days, due, measure, text, today

pytestmark = pytest.mark.django_db

URL = reverse("integration:measures_overdue")


def active(patient):
    Patient.objects.filter(pk=patient.pk).update(stage=Patient.Stage.FOLLOW_UP)
    patient.refresh_from_db()
    return patient


def overdue_patients(clinic, n: int, *, days_late: int = 3):
    for patient in PatientFactory.create_batch(n, clinic=clinic, stage=Patient.Stage.FOLLOW_UP):
        due(patient, "phq9", "month_1", due_on=today(patient) - days(days_late))


def test_the_worklist_lists_open_past_due_measures_oldest_first_with_days_overdue(world, login):
    a, b = active(world.patient_a), active(world.patient_b)
    newer = due(a, "phq9", "month_1", due_on=today(a) - days(2))
    older = due(b, "gad7", "month_3", due_on=today(b) - days(10), reminded_at=timezone.now())
    due(a, "pcl5", "month_1", due_on=today(a))  # due today: not overdue yet
    due(a, "phq9", "month_3", due_on=today(a) + days(5))
    due(a, "gad7", "month_1", due_on=today(a) - days(4), completed_by=measure(a, "gad7", 3, context="follow_up"))
    due(active(world.other_patient), "phq9", "month_1", due_on=today(a) - days(20))  # another clinic's

    response = login(world.therapist).get(URL)

    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] == [older.pk, newer.pk]
    assert [item.days_overdue for item in response.context["items"]] == [10, 2]
    page = text(response)
    assert "10 days" in page and "2 days" in page
    assert "not sent yet" in page and "sent " in page
    assert world.other_patient.legal_name not in page
    assert AuditEvent.objects.filter(actor=world.therapist, detail="overdue follow-up measures, page 1").exists()


def test_an_ended_course_leaves_the_worklist(world, login):
    patient = world.patient_a
    Patient.objects.filter(pk=patient.pk).update(stage=Patient.Stage.DISCHARGED)
    due(patient, "phq9", "month_1", due_on=today(patient) - days(3))

    response = login(world.prescriber).get(URL)

    assert list(response.context["items"]) == []
    assert "Nothing is overdue" in text(response)


def test_the_worklist_pages_and_runs_the_same_queries_at_any_size(world, login):
    client = login(world.nurse)
    overdue_patients(world.clinic, 2)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    overdue_patients(world.clinic, 30, days_late=5)

    with CaptureQueriesContext(connection) as many:
        first = client.get(URL)

    assert len(many) == len(few) <= 10
    assert len(first.context["items"]) == 25
    assert "Page 1 of 2" in text(first)
    assert len(client.get(URL + "?page=2").context["items"]) == 7


@pytest.mark.parametrize("persona", ["admin", "patient_a"])
def test_admins_and_patients_are_refused(world, login, persona):
    user = getattr(world, persona)
    assert login(getattr(user, "user", user)).get(URL).status_code == 403


def test_the_clinician_home_card_counts_the_overdue_and_lists_the_oldest(world, login):
    client = login(world.prescriber)
    assert "No follow-up measures are overdue." in text(client.get(reverse("dashboards:clinician_home")))
    overdue_patients(world.clinic, 7)

    response = client.get(reverse("dashboards:clinician_home"))

    page = text(response)
    assert response.context["overdue_count"] == 7
    assert len(response.context["overdue_measures"]) == 5
    assert "3 days overdue" in page and "All overdue measures" in page


def test_the_clinician_home_stays_within_its_query_budget_with_overdue_measures(world, login):
    client = login(world.prescriber)
    url = reverse("dashboards:clinician_home")
    client.get(url)
    overdue_patients(world.clinic, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    overdue_patients(world.clinic, 20)

    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few) <= 15
