"""List pages run a fixed number of queries whatever the data size (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("intake:patient_list", "prescriber"),
    ("dashboards:clinician_home", "prescriber"),
    ("dashboards:admin_home", "admin"),
    ("dashboards:audit_log", "admin"),
    ("accounts:staff_list", "admin"),
]


def grow(world, n: int) -> None:
    """`n` more patients, staff members and audit events in the world's clinic."""
    for patient in PatientFactory.create_batch(n, clinic=world.clinic):
        audit_record(actor=world.nurse, action=AuditEvent.Action.VIEW, patient=patient)
    StaffFactory.create_batch(n, clinic=world.clinic)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "persona"), PAGES)
def test_page_queries_do_not_grow_with_the_data(world, client, name, persona):
    client.force_login(getattr(world, persona))
    url = reverse(name)
    queries(client, url)  # the first request of a session also caches the clinic's time zone
    grow(world, 2)
    few = queries(client, url)
    grow(world, 40)
    many = queries(client, url)

    assert many == few, f"{name}: {few} queries with few rows, {many} with many"
    assert many <= 15, f"{name} runs {many} queries"


def test_patient_list_and_clinician_home_leave_an_audit_event(world, client):
    client.force_login(world.prescriber)

    client.get(reverse("intake:patient_list"))
    client.get(reverse("dashboards:clinician_home"))

    events = AuditEvent.objects.filter(actor=world.prescriber, action=AuditEvent.Action.VIEW)
    assert sorted(events.values_list("detail", "clinic")) == [
        ("clinician home: recently updated charts", world.clinic.pk),
        ("patient list, page 1", world.clinic.pk),
    ]
