"""The controlled-substance ledger: prescribers, nurses and clinic admins of the clinic; patients and
therapists never (403); another clinic's staff see their own clinic's pages (200) but get 404 for
this clinic's lots, entries, counts and inventories."""

from decimal import Decimal

from sessions import services
from tests.factories import receive_lot

from . import LOGIN, Rule, outcomes

# Clinic-level pages: each staff member sees their own clinic's ledger.
_clinic_page = Rule(outcomes(403, anonymous=LOGIN, prescriber=200, nurse=200, admin=200, others=200))
# Pages of one of this clinic's records: another clinic's staff are told it doesn't exist.
_record_page = outcomes(403, anonymous=LOGIN, prescriber=200, nurse=200, admin=200, others=404)


def _lot(w):
    return {"code": receive_lot(clinic=w.clinic, by=w.nurse).code}


def _receipt(w):
    return {"code": receive_lot(clinic=w.clinic, by=w.nurse).entries.get().code}


def _waste(w):
    lot = receive_lot(clinic=w.clinic, by=w.nurse)
    entry = services.waste_record(
        lot=lot, quantity_mg=Decimal(5), reason="Left in the vial", method="Disposal container", wasted_by=w.nurse
    )
    return {"code": entry.code}


def _open_discrepancy(w):
    lot = receive_lot(clinic=w.clinic, by=w.nurse)
    count = services.count_record(
        lot=lot, counted_mg=lot.balance_mg - 10, counted_by=w.nurse, second_counter=w.prescriber
    )
    return {"code": count.code}


def _inventory(w):
    receive_lot(clinic=w.clinic, by=w.nurse)
    inventory = services.inventory_take(clinic=w.clinic, kind="initial", timing="opening", by=w.admin)
    return {"code": inventory.code}


RULES = {
    "dosing:ledger": _clinic_page,
    "dosing:ledger_receive": _clinic_page,
    "dosing:ledger_inventories": _clinic_page,
    "dosing:ledger_inventory_take": _clinic_page,
    "dosing:ledger_dispensing_log": _clinic_page,
    "dosing:ledger_lot": Rule(_record_page, _lot),
    "dosing:ledger_administer": Rule(_record_page, _lot),
    "dosing:ledger_waste": Rule(_record_page, _lot),
    "dosing:ledger_dispose": Rule(_record_page, _lot),
    "dosing:ledger_count": Rule(_record_page, _lot),
    "dosing:ledger_entry": Rule(_record_page, _receipt),
    "dosing:ledger_entry_correct": Rule(_record_page, _receipt),
    "dosing:ledger_waste_witness": Rule(_record_page, _waste),
    "dosing:ledger_discrepancy_explain": Rule(_record_page, _open_discrepancy),
    "dosing:ledger_inventory": Rule(_record_page, _inventory),
}
