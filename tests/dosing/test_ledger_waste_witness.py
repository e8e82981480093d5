"""Waste after a dose needs a witness: a different, active prescriber, nurse or admin of the same clinic,
confirming with their own email and password. Unwitnessed waste stays on the worklist until then."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import InternalError, transaction
from django.urls import reverse

from kap_clinic.accounts.models import Membership
from kap_clinic.audit.models import AuditEvent
from sessions import selectors, services
from sessions.models import LedgerEntry, WasteWitness
from tests.factories import PASSWORD, StaffFactory

from .ledger_helpers import administer, form_data, record_waste, waste_post, witness_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def waste(world, lot):
    return record_waste(lot, 15, world.nurse, administration=administer(lot, world.patient_a, 35, world.nurse))


def _witness_url(entry):
    return reverse("dosing:ledger_waste_witness", args=[entry.code])


def test_unwitnessed_waste_stays_on_the_worklist_until_witnessed(world, waste, login):
    assert list(selectors.unwitnessed_waste(world.clinic)) == [waste]
    page = login(world.admin).get(reverse("dosing:ledger"))
    assert "Waste awaiting a witness" in page.content.decode()
    assert _witness_url(waste) in page.content.decode()

    services.waste_witness(waste_entry=waste, witness=world.prescriber, recorded_by=world.prescriber)

    assert list(selectors.unwitnessed_waste(world.clinic)) == []
    assert "Every waste has been witnessed." in login(world.admin).get(reverse("dosing:ledger")).content.decode()


def test_the_witness_must_be_someone_other_than_the_waster(world, waste):
    with pytest.raises(ValidationError, match="someone other than the person who wasted"):
        services.waste_witness(waste_entry=waste, witness=world.nurse, recorded_by=world.nurse)
    assert not WasteWitness.objects.exists()


def test_the_database_refuses_a_witness_who_is_the_waster(world, waste):
    with pytest.raises(InternalError, match="another person"), transaction.atomic():
        WasteWitness.objects.create(waste=waste.waste, witness=world.nurse, recorded_by=world.prescriber)


def test_the_witness_form_refuses_the_wasters_own_credentials_and_writes_nothing(world, waste, login):
    response = login(world.nurse).post(_witness_url(waste), witness_post(world.nurse))
    assert response.status_code == 200
    assert "someone other than the person who wasted the drug" in response.content.decode()
    assert not WasteWitness.objects.exists()


def test_the_witness_confirms_with_their_own_password(world, waste, login):
    client = login(world.nurse)  # the waster's session; the witness types their own credentials
    response = client.post(_witness_url(waste), witness_post(world.prescriber))
    assert response.status_code == 302
    confirmation = WasteWitness.objects.get()
    assert confirmation.witness == world.prescriber
    assert confirmation.recorded_by == world.nurse
    assert AuditEvent.objects.filter(detail__contains="witnessed by").exists()


def test_a_wrong_witness_password_is_refused_and_audited_as_a_failed_login(world, waste, login):
    response = login(world.nurse).post(
        _witness_url(waste), form_data(witness_email=world.prescriber.email, witness_password="not-the-password")
    )
    assert "don&#x27;t match a staff account" in response.content.decode()
    assert not WasteWitness.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, actor_email=world.prescriber.email).exists()


@pytest.mark.parametrize("who", ["therapist", "other_clinician", "other_admin"])
def test_a_witness_who_may_not_keep_this_clinics_ledger_is_refused(world, waste, login, who):
    witness = getattr(world, who)
    response = login(world.nurse).post(_witness_url(waste), witness_post(witness))
    assert "is not a prescriber, nurse or clinic admin of" in response.content.decode()
    assert not WasteWitness.objects.exists()
    with pytest.raises(ValidationError):
        services.waste_witness(waste_entry=waste, witness=witness, recorded_by=world.nurse)


def test_a_deactivated_witness_is_refused(world, waste, login):
    former = StaffFactory(clinic=world.clinic, clinician_kind="nurse", is_active=False)
    response = login(world.nurse).post(_witness_url(waste), witness_post(former))
    assert "deactivated" in response.content.decode()
    assert not WasteWitness.objects.exists()


def test_a_waste_is_witnessed_once(world, waste):
    services.waste_witness(waste_entry=waste, witness=world.prescriber, recorded_by=world.prescriber)
    with pytest.raises(ValidationError, match="already witnessed"):
        services.waste_witness(waste_entry=waste, witness=world.admin, recorded_by=world.admin)
    assert WasteWitness.objects.count() == 1


def test_waste_can_be_witnessed_at_once_on_the_waste_form(world, lot, login):
    client = login(world.nurse)
    url = reverse("dosing:ledger_waste", args=[lot.code])
    data = waste_post(world, quantity="0.5", unit="mL", witness_email=world.admin.email, witness_password=PASSWORD)
    assert client.post(url, {**data, "occurred_at": ""}).status_code == 200  # the time is required
    response = client.post(url, data)
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.WASTE)
    assert entry.change_mg == Decimal(-25)  # 0.5 mL × 50 mg/mL
    assert entry.waste.witness.witness == world.admin
    assert list(selectors.unwitnessed_waste(world.clinic)) == []


def test_a_waste_corrected_to_nothing_leaves_the_worklist(world, waste):
    services.entry_correct(entry=waste, corrected_mg=Decimal(0), reason="Recorded on the wrong lot", by=world.admin)
    assert list(selectors.unwitnessed_waste(world.clinic)) == []


def test_another_clinics_waste_is_not_found(world, waste, login):
    response = login(world.other_clinician).post(_witness_url(waste), witness_post(world.other_admin))
    assert response.status_code == 404
    assert not WasteWitness.objects.exists()


def test_a_witness_whose_membership_here_was_deactivated_is_refused(world, waste, login):
    Membership.objects.filter(user=world.prescriber, clinic=world.clinic).update(is_active=False)
    response = login(world.nurse).post(_witness_url(waste), witness_post(world.prescriber))
    assert "is not a prescriber, nurse or clinic admin of" in response.content.decode()
    assert not WasteWitness.objects.exists()
    assert world.prescriber not in selectors.ledger_staff(world.clinic)
