"""The ledger services as the dosing session will call them: who may record, for which patient, from
which lot; each write audited; a refusal writes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kap_clinic.accounts.validators import dea_number_is_valid
from kap_clinic.audit.models import AuditEvent
from sessions import clinic_time, quantities, services
from sessions.models import Disposal, LedgerEntry

from .ledger_helpers import administer

pytestmark = pytest.mark.django_db


def test_an_administration_records_what_dea_asks_and_is_audited(world, lot):
    entry = administer(lot, world.patient_a, 35, world.nurse)
    assert (entry.kind, entry.change_mg, entry.balance_after_mg) == ("administration", Decimal(-35), Decimal(965))
    assert (entry.patient, entry.performed_by, entry.recorded_by) == (world.patient_a, world.nurse, world.nurse)
    assert lot.balance_mg == Decimal(965)  # the caller's instance is kept current
    event = AuditEvent.objects.get(object_id=str(entry.code))
    assert (event.action, event.patient_code, event.clinic_id) == ("create", world.patient_a.code, world.clinic.pk)


def test_a_dose_for_another_clinics_patient_is_refused(world, lot):
    with pytest.raises(ValidationError, match="not a patient of"):
        administer(lot, world.other_patient, 35, world.nurse)
    assert not LedgerEntry.objects.filter(kind="administration").exists()


@pytest.mark.parametrize("who", ["therapist", "other_clinician", "other_admin"])
def test_only_this_clinics_prescribers_nurses_and_admins_may_administer(world, lot, who):
    with pytest.raises(ValidationError, match="not a prescriber, nurse or clinic admin"):
        administer(lot, world.patient_a, 35, getattr(world, who))
    assert not LedgerEntry.objects.filter(kind="administration").exists()


def test_a_deactivated_clinician_may_not_record(world, lot):
    world.nurse.is_active = False
    world.nurse.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        administer(lot, world.patient_a, 35, world.nurse)


def test_more_than_the_balance_is_refused_with_both_quantities(world, lot):
    with pytest.raises(ValidationError, match=r"holds only 1000 mg \(20 mL\), less than the 1200 mg \(24 mL\)"):
        administer(lot, world.patient_a, 1200, world.nurse)


def test_an_on_site_destruction_needs_two_different_witnesses(world, lot):
    kwargs = {
        "lot": lot,
        "quantity_mg": Decimal(100),
        "method": Disposal.Method.DESTROYED_ON_SITE,
        "disposed_on": clinic_time.clinic_today(world.clinic),
        "by": world.nurse,
        "destruction_method": "Denaturing kit",
        "location": "Med room",
    }
    with pytest.raises(ValidationError, match="two witnesses"):
        services.disposal_record(**kwargs, witness_1=world.nurse)
    with pytest.raises(ValidationError, match="two different people"):
        services.disposal_record(**kwargs, witness_1=world.nurse, witness_2=world.nurse)
    with pytest.raises(ValidationError, match="second witness"):
        services.disposal_record(**kwargs, witness_1=world.nurse, witness_2=world.therapist)
    assert not Disposal.objects.exists()
    services.disposal_record(**kwargs, witness_1=world.nurse, witness_2=world.prescriber)
    assert lot.balance_mg == Decimal(900)


def test_a_waste_after_a_dose_must_follow_a_dose_of_the_same_lot(world, lot, troche_lot):
    dose = administer(troche_lot, world.patient_a, 100, world.nurse)
    with pytest.raises(ValidationError, match="same lot"):
        services.waste_record(
            lot=lot, quantity_mg=Decimal(5), reason="x", method="y", wasted_by=world.nurse, administration=dose
        )


def test_receipts_of_esketamine_come_as_nasal_devices(world):
    entry = services.lot_receive(
        clinic=world.clinic,
        substance="esketamine",
        form="nasal_device",
        strength_mg=Decimal(28),
        container_size=Decimal(3),
        ndc="99993-0028-03",
        lot_number="SPV-1",
        expires_on=clinic_time.clinic_today(world.clinic).replace(year=clinic_time.clinic_today(world.clinic).year + 1),
        received_on=clinic_time.clinic_today(world.clinic),
        supplier_name="Wholesaler",
        supplier_address="1 Road",
        supplier_dea_number="RC1234563",
        invoice_number="I-1",
        containers=2,
        received_by=world.nurse,
        by=world.nurse,
    )
    assert entry.lot.balance_mg == Decimal(168)  # 2 kits × 3 devices × 28 mg
    assert entry.lot.description == "Esketamine (Spravato) 28 mg device"
    assert quantities.fmt_quantity(entry.lot, Decimal(56)) == "56 mg (2 devices)"


@pytest.mark.parametrize(
    ("number", "valid"),
    [("AB1234563", True), ("RC1234563", True), ("A91234563", True), ("AB1234564", False), ("AB123456", False)],
)
def test_dea_numbers_are_checked(number, valid):
    assert dea_number_is_valid(number) is valid
