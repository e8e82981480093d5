"""The ledger is append-only in the database: UPDATE and DELETE are refused by trigger, whether they
come from raw SQL, a queryset or a model's save(); a lot's balance changes only through entries."""

import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from kap_clinic.submissions.models import Submission
from kap_clinic.submissions.services import submission_record
from sessions import models, services
from sessions.models import LedgerEntry, Lot

from .ledger_helpers import administer, destroy_on_site, record_waste

pytestmark = pytest.mark.django_db

LEDGER_MODELS = [
    models.LedgerEntry,
    models.Receipt,
    models.Waste,
    models.WasteWitness,
    models.Disposal,
    models.Count,
    models.DiscrepancyExplanation,
    models.Inventory,
    models.InventoryLine,
    Submission,
]


@pytest.fixture
def full_ledger(world, lot):
    """At least one row in every ledger table, and the record of a sent form."""
    dose = administer(lot, world.patient_a, 50, world.nurse)
    record_waste(lot, 10, world.nurse, administration=dose, witness=world.prescriber)
    destroy_on_site(lot, 100, world.admin, world.nurse)
    services.count_record(
        lot=lot, counted_mg=Decimal(800), counted_by=world.nurse, second_counter=world.admin, explanation="spill"
    )
    submission_record(
        token=uuid.uuid4(),
        by=world.admin,
        write=lambda: services.inventory_take(clinic=world.clinic, kind="initial", timing="close", by=world.admin),
    )
    services.entry_correct(entry=dose, corrected_mg=Decimal(45), reason="typo", by=world.admin)
    return lot


def _refused(sql: str, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_raw_sql_update_and_delete_are_refused_on_every_ledger_table(full_ledger, model):
    table = model._meta.db_table
    assert model.objects.exists()
    pk = model._meta.pk.column
    _refused(f"UPDATE {table} SET {pk} = {pk}")  # noqa: S608 (table names from the models)
    _refused(f"DELETE FROM {table}")  # noqa: S608
    assert model.objects.exists()


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_orm_update_and_delete_are_refused_on_every_ledger_table(full_ledger, model):
    row = model.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{model._meta.pk.attname: row.pk})
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


def test_saving_a_changed_entry_is_refused(world, lot):
    entry = administer(lot, world.patient_a, 50, world.nurse)
    entry.change_mg = Decimal(-5)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        entry.save()
    entry.refresh_from_db()
    assert entry.change_mg == Decimal(-50)


def test_a_lots_details_never_change(lot):
    _refused("UPDATE dosing_lot SET lot_number = 'OTHER' WHERE id = %s", [lot.pk])
    _refused("UPDATE dosing_lot SET expires_on = expires_on + 365 WHERE id = %s", [lot.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).delete()


def test_a_lots_balance_changes_only_through_ledger_entries(lot):
    _refused("UPDATE dosing_lot SET balance_mg = balance_mg + 100 WHERE id = %s", [lot.pk])
    with pytest.raises(DatabaseError, match="only through ledger entries"), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(balance_mg=0)
    lot.refresh_from_db()
    assert lot.balance_mg == Decimal(1000)


def _entry(lot, world, change, **fields):
    return LedgerEntry(
        lot=lot,
        change_mg=Decimal(str(change)),
        balance_after_mg=Decimal(0),
        occurred_at=timezone.now(),
        recorded_by=world.nurse,
        performed_by=world.nurse,
        **fields,
    )


def test_the_database_keeps_the_balance_whatever_code_inserts_an_entry(world, lot):
    entry = _entry(lot, world, -250, kind=LedgerEntry.Kind.ADMINISTRATION, patient=world.patient_a)
    entry.save()
    entry.refresh_from_db()
    lot.refresh_from_db()
    assert lot.balance_mg == Decimal(750)
    assert entry.balance_after_mg == Decimal(750)  # set by the trigger, not by the caller's 0


def test_the_database_refuses_an_entry_that_would_take_the_balance_below_zero(world, lot):
    entry = _entry(lot, world, -1000.001, kind=LedgerEntry.Kind.ADMINISTRATION, patient=world.patient_a)
    with pytest.raises(IntegrityError, match="lot_balance_never_negative"), transaction.atomic():
        entry.save()
    lot.refresh_from_db()
    assert lot.balance_mg == Decimal(1000)


@pytest.mark.parametrize(
    ("kind", "change"),
    [("receipt", -5), ("receipt", 0), ("administration", 5), ("waste", 0), ("disposal", 1), ("correction", 0)],
)
def test_the_database_refuses_a_change_whose_sign_does_not_fit_its_kind(world, lot, kind, change):
    fields = {"patient": world.patient_a} if kind == "administration" else {}
    if kind == "correction":
        fields = {"corrects": lot.entries.get(), "reason": "x"}
    with pytest.raises(IntegrityError, match="entry_change_sign_fits_kind"), transaction.atomic():
        _entry(lot, world, change, kind=kind, **fields).save()


def test_the_database_refuses_a_dose_for_another_clinics_patient(world, lot):
    entry = _entry(lot, world, -10, kind=LedgerEntry.Kind.ADMINISTRATION, patient=world.other_patient)
    with pytest.raises(DatabaseError, match="another clinic"), transaction.atomic():
        entry.save()


def test_the_database_refuses_a_correction_of_another_lots_entry(world, lot, other_lot):
    entry = _entry(lot, world, 10, kind=LedgerEntry.Kind.CORRECTION, corrects=other_lot.entries.get(), reason="x")
    with pytest.raises(DatabaseError, match="same lot"), transaction.atomic():
        entry.save()


def test_a_correction_is_a_new_entry_that_references_the_original_with_a_reason(world, lot):
    dose = administer(lot, world.patient_a, 50, world.nurse)
    correction = services.entry_correct(entry=dose, corrected_mg=Decimal(60), reason="Gave 60 mg", by=world.admin)
    dose.refresh_from_db()
    assert dose.change_mg == Decimal(-50)  # untouched
    assert correction.corrects == dose
    assert correction.change_mg == Decimal(-10)
    assert correction.reason == "Gave 60 mg"
    assert services.entry_net_change(dose) == Decimal(-60)
    lot.refresh_from_db()
    assert lot.balance_mg == Decimal(940)


def test_records_outlive_nothing_they_name(world, lot):
    """Retention: a patient, user, clinic or lot named by a ledger record can't be deleted (PROTECT)."""
    administer(lot, world.patient_a, 10, world.nurse)
    for obj in (world.patient_a, world.nurse, world.clinic):
        with pytest.raises((ProtectedError, DatabaseError)), transaction.atomic():
            obj.delete()
    assert LedgerEntry.objects.filter(lot=lot).count() == 2
