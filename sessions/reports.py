"""The ledger's reports as rows, shared by the CSV exports (and named the way DEA records name things).

Each function returns (header, rows). Times are in the clinic's time zone; quantities in mg and in the
product's own measure (mL, or troches / devices), since DEA records ask for units or volume [S117].
"""

import csv
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from . import ledger_rules as rules
from .models import Inventory, LedgerEntry, Lot

# A cell a spreadsheet would run as a formula (OWASP CSV injection) is prefixed with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, zone) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return rules.plain_number(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_response(filename: str, header: list[str], rows: Iterable[list], zone) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value, zone) for value in row])
    return response


def _measure(lot: Lot, mg: Decimal) -> Decimal:
    return (mg / lot.strength_mg).quantize(Decimal("0.001"))


def _lot_columns(lot: Lot) -> list:
    return [
        lot.get_substance_display(),
        lot.description,
        lot.ndc,
        lot.lot_number,
        lot.expires_on,
    ]


LOT_HEADER = ["Substance", "Finished form", "NDC", "Lot", "Expires"]


def lots_report(lots: Iterable[Lot]):
    header = [*LOT_HEADER, "Balance (mg)", "Balance", "Unit", "Containers (equivalent)", "Last counted"]
    rows = [
        [
            *_lot_columns(lot),
            lot.balance_mg,
            _measure(lot, lot.balance_mg),
            lot.rule.measure,
            (lot.balance_mg / lot.container_mg).quantize(Decimal("0.01")),
            getattr(lot, "last_counted_at", None),
        ]
        for lot in lots
    ]
    return header, rows


def _who(user) -> str:
    return user.full_name if user else ""


def entry_details(entry: LedgerEntry) -> str:
    """A line of what else the record holds: supplier and invoice, witness, disposal, correction."""
    if entry.kind == LedgerEntry.Kind.RECEIPT and hasattr(entry, "receipt"):
        r = entry.receipt
        containers = ngettext("%(n)s container", "%(n)s containers", r.containers) % {"n": r.containers}
        return (
            f"Received {r.received_on:%Y-%m-%d}: {containers} from {r.supplier_name}, "
            f"{' '.join(r.supplier_address.split())} (DEA {r.supplier_dea_number}), invoice {r.invoice_number}"
        )
    if entry.kind == LedgerEntry.Kind.WASTE and hasattr(entry, "waste"):
        waste = entry.waste
        witness = getattr(waste, "witness", None)
        witnessed = f"witnessed by {witness.witness.full_name}" if witness else "NOT YET WITNESSED"
        return f"{entry.reason}; method: {waste.method}; {witnessed}"
    if entry.kind == LedgerEntry.Kind.DISPOSAL and hasattr(entry, "disposal"):
        d = entry.disposal
        if d.method == d.Method.REVERSE_DISTRIBUTOR:
            return (
                f"{d.disposed_on:%Y-%m-%d} to reverse distributor {d.reverse_distributor_name}, "
                f"{' '.join(d.reverse_distributor_address.split())} (DEA {d.reverse_distributor_dea_number})"
            )
        return (
            f"{d.disposed_on:%Y-%m-%d} destroyed on site at {d.location} by {d.destruction_method}; "
            f"witnesses {_who(d.witness_1)} and {_who(d.witness_2)}"
        )
    if entry.kind == LedgerEntry.Kind.CORRECTION and entry.corrects_id:
        return f"Corrects {entry.corrects.get_kind_display().lower()} {entry.corrects.code}: {entry.reason}"
    return entry.reason


def entries_report(lot: Lot, entries: Iterable[LedgerEntry]):
    header = [
        "Recorded",
        "Occurred",
        "Kind",
        "Change (mg)",
        f"Change ({lot.rule.unit_name_plural})",
        "Balance after (mg)",
        f"Balance after ({lot.rule.unit_name_plural})",
        "Patient",
        "Patient address",
        "By",
        "Details",
        "Entry",
    ]
    rows = [
        [
            entry.recorded_at,
            entry.occurred_at,
            entry.get_kind_display(),
            entry.change_mg,
            _measure(lot, entry.change_mg),
            entry.balance_after_mg,
            _measure(lot, entry.balance_after_mg),
            entry.patient.legal_name if entry.patient else "",
            " ".join(entry.patient.address.split()) if entry.patient else "",
            _who(entry.performed_by),
            entry_details(entry),
            entry.code,
        ]
        for entry in entries
    ]
    return header, rows


def dispensing_report(entries: Iterable[LedgerEntry]):
    """Each dose as 1304.22(c) lists it: substance and form, quantity, patient name and address, date, who."""
    header = [
        "Date and time",
        "Patient",
        "Patient address",
        *LOT_HEADER,
        "Quantity (mg)",
        "Quantity",
        "Unit",
        "Administered by",
        "Corrected",
        "Entry",
    ]
    rows = []
    for entry in entries:
        net = -entry.net_change_mg
        rows.append(
            [
                entry.occurred_at,
                entry.patient.legal_name,
                " ".join(entry.patient.address.split()),
                *_lot_columns(entry.lot),
                net,
                _measure(entry.lot, net),
                entry.lot.rule.measure,
                _who(entry.performed_by),
                f"yes, recorded as {rules.plain_number(entry.quantity_mg)} mg" if entry.corrected_mg else "",
                entry.code,
            ]
        )
    return header, rows


def inventory_report(inventory: Inventory, lines):
    header = [
        "Inventory",
        "Taken",
        "At",
        *LOT_HEADER,
        "Units per container",
        "Containers (equivalent)",
        "Balance (mg)",
        "Balance",
        "Unit",
        "Last counted",
    ]
    rows = [
        [
            inventory.get_kind_display(),
            inventory.taken_at,
            inventory.get_timing_display(),
            *_lot_columns(line.lot),
            line.lot.container_size,
            (line.balance_mg / line.lot.container_mg).quantize(Decimal("0.01")),
            line.balance_mg,
            _measure(line.lot, line.balance_mg),
            line.lot.rule.measure,
            line.last_count.counted_at if line.last_count else None,
        ]
        for line in lines
    ]
    if not rows:
        rows = [
            [inventory.get_kind_display(), inventory.taken_at, inventory.get_timing_display(), "No stock on hand: zero"]
        ]
    return header, rows
