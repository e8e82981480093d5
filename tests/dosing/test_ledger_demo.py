"""seed_demo gives Harbor Light a ledger with receipts, doses, one witnessed waste and one open discrepancy."""

import pytest
from django.db.models import Sum

from kap_clinic.accounts.models import Clinic
from kap_clinic.demo.clinic import seed
from sessions import selectors
from sessions.models import LedgerEntry, Lot, WasteWitness

pytestmark = pytest.mark.django_db


def test_the_demo_ledger_has_receipts_doses_a_witnessed_waste_and_an_open_discrepancy():
    seed()
    harbor = Clinic.objects.get(name__startswith="Harbor")
    entries = LedgerEntry.objects.filter(lot__clinic=harbor)
    assert entries.filter(kind="receipt").count() >= 2
    assert entries.filter(kind="administration").count() >= 2
    assert WasteWitness.objects.filter(waste__entry__lot__clinic=harbor).count() == 1
    assert list(selectors.unwitnessed_waste(harbor)) == []
    assert len(selectors.open_discrepancies(harbor)) == 1
    for lot in Lot.objects.filter(clinic=harbor):
        assert lot.balance_mg == lot.entries.aggregate(total=Sum("change_mg"))["total"]
    assert not Lot.objects.exclude(clinic=harbor).exists()


def test_seeding_twice_adds_nothing():
    seed()
    count = LedgerEntry.objects.count()
    seed()
    assert LedgerEntry.objects.count() == count
