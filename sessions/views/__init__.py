"""The app's pages: the landing page here, the rest one module per part, re-exported for urls.py."""

from django.shortcuts import render

from kap_clinic.access import role_required

from .ledger import (
    STAFF,
    ledger_administer,
    ledger_count,
    ledger_discrepancy_explain,
    ledger_dispensing_log,
    ledger_dispose,
    ledger_entry,
    ledger_entry_correct,
    ledger_home,
    ledger_inventories,
    ledger_inventory,
    ledger_inventory_take,
    ledger_lot,
    ledger_receive,
    ledger_waste,
    ledger_waste_witness,
)

__all__ = [
    "landing",
    "ledger_administer",
    "ledger_count",
    "ledger_discrepancy_explain",
    "ledger_dispensing_log",
    "ledger_dispose",
    "ledger_entry",
    "ledger_entry_correct",
    "ledger_home",
    "ledger_inventories",
    "ledger_inventory",
    "ledger_inventory_take",
    "ledger_lot",
    "ledger_receive",
    "ledger_waste",
    "ledger_waste_witness",
]


@role_required(*STAFF)
def landing(request):
    return render(request, "dosing/landing.html")
