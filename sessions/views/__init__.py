"""The app's pages: the landing page here, the rest one module per part, re-exported for urls.py."""

from django.shortcuts import render

from kap_clinic.access import Action, clinics_where, role_required

from .. import selectors
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
    """Where the dosing area's pages start: the session list, the live board and the ledger, as the
    policy allows, with today's numbers."""
    board_clinics = list(clinics_where(request.user, Action.VIEW_BOARD))
    context = {
        "may_board": bool(board_clinics),
        "may_ledger": clinics_where(request.user, Action.VIEW_LEDGER).exists(),
    }
    if board_clinics:
        context |= {
            "today_count": selectors.sessions_today(board_clinics).count(),
            "observing_count": selectors.sessions_in_observation(board_clinics).count(),
        }
    return render(request, "dosing/landing.html", context)
