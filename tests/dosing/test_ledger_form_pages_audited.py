"""Ledger forms that show patients' names (dose, waste, correction) leave a view audit entry."""

import pytest
from django.urls import reverse

from kap_clinic.audit.models import AuditEvent
from tests.factories import receive_lot

from .ledger_helpers import administer

pytestmark = pytest.mark.django_db


def views_of(user):
    return AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.VIEW)


@pytest.mark.parametrize(
    ("url_name", "detail"), [("dosing:ledger_administer", "dose form"), ("dosing:ledger_waste", "waste form")]
)
def test_dose_and_waste_forms_are_audited(world, client, url_name, detail):
    lot = receive_lot(clinic=world.clinic, by=world.nurse)
    client.force_login(world.nurse)

    assert client.get(reverse(url_name, args=[lot.code])).status_code == 200

    event = views_of(world.nurse).get()
    assert detail in event.detail and event.clinic == world.clinic and event.object_id == str(lot.code)


def test_the_correction_form_audits_the_patient_it_shows(world, client):
    lot = receive_lot(clinic=world.clinic, by=world.nurse)
    dose = administer(lot, world.patient_a, "50", world.nurse)
    client.force_login(world.prescriber)

    assert client.get(reverse("dosing:ledger_entry_correct", args=[dose.code])).status_code == 200

    event = views_of(world.prescriber).get()
    assert event.patient_code == dose.patient.code
