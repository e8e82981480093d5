"""Property: any sequence of ledger operations, valid or not, keeps every lot's balance equal to
receipts − administered − wasted − disposed ± corrections (and count adjustments), never below zero.

The test keeps its own book in Python from the quantities it asked for, predicts whether each
operation should be accepted, and checks the service agreed; a refused operation must write nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions import clinic_time, services
from sessions.models import Disposal, LedgerEntry, Lot
from tests.factories import receive_lot

pytestmark = pytest.mark.django_db

VIAL_MG = Decimal(500)  # the factory's vial: 10 mL × 50 mg/mL
OUTFLOW_TOTALS = {"administer": "administered", "waste": "wasted", "dispose": "disposed"}

# Quantities in mg with up to 3 decimals, including zero, negatives and more than any balance.
quantities = st.one_of(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(300), places=3),
    st.decimals(min_value=Decimal(-50), max_value=Decimal(2500), places=3, allow_nan=False),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(min_value=-1, max_value=3)),
        st.tuples(st.just("administer"), quantities),
        st.tuples(st.just("waste"), quantities),
        st.tuples(st.just("dispose"), quantities),
        st.tuples(st.just("correct"), st.integers(min_value=0, max_value=30), quantities),
        st.tuples(st.just("count"), quantities),
    ),
    max_size=14,
)


@dataclass
class Book:
    """What the balance must be, from the operations the services accepted."""

    received: Decimal = Decimal(0)
    administered: Decimal = Decimal(0)
    wasted: Decimal = Decimal(0)
    disposed: Decimal = Decimal(0)
    corrections: Decimal = Decimal(0)  # corrections and count adjustments, signed
    # correctable entries: (entry, sign, its quantity as corrected so far)
    entries: list = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.received - self.administered - self.wasted - self.disposed + self.corrections


def _apply(op, lot, book: Book, world) -> bool | None:
    """Run one operation; return whether the book predicts it valid (None: nothing to try)."""
    kind = op[0]
    if kind == "receive":
        containers = op[1]
        expected = containers > 0
        entry = _try(
            lambda: services.lot_receive(
                clinic=lot.clinic,
                by=world.nurse,
                received_by=world.nurse,
                containers=containers,
                **{name: getattr(lot, name) for name in services.LOT_DETAILS},
                ndc=lot.ndc,
                lot_number=lot.lot_number,
                received_on=clinic_time.clinic_today(lot.clinic),
                supplier_name="Supplier",
                supplier_address="1 Road",
                supplier_dea_number="RC1234563",
                invoice_number="INV",
            )
        )
        if entry is not None:
            book.received += containers * VIAL_MG
            book.entries.append([entry, 1, containers * VIAL_MG])
        return expected, entry is not None
    if kind in ("administer", "waste", "dispose"):
        mg = op[1]
        expected = Decimal(0) < mg <= book.balance
        if kind == "administer":
            call = lambda: services.ledger_administer(  # noqa: E731
                lot=lot, patient=world.patient_a, quantity_mg=mg, administered_by=world.nurse
            )
        elif kind == "waste":
            call = lambda: services.waste_record(  # noqa: E731
                lot=lot, quantity_mg=mg, reason="left over", method="container", wasted_by=world.nurse
            )
        else:
            call = lambda: services.disposal_record(  # noqa: E731
                lot=lot,
                quantity_mg=mg,
                method=Disposal.Method.REVERSE_DISTRIBUTOR,
                disposed_on=clinic_time.clinic_today(lot.clinic),
                by=world.admin,
                reverse_distributor_name="Returns Inc.",
                reverse_distributor_address="2 Road",
                reverse_distributor_dea_number="RC1234563",
            )
        entry = _try(call)
        if entry is not None:
            total = OUTFLOW_TOTALS[kind]
            setattr(book, total, getattr(book, total) + mg)
            book.entries.append([entry, -1, mg])
        return expected, entry is not None
    if kind == "correct":
        if not book.entries:
            return None
        target = book.entries[op[1] % len(book.entries)]
        entry, sign, current = target
        mg = op[2]
        delta = sign * (mg - current)
        expected = mg >= 0 and delta != 0 and book.balance + delta >= 0
        correction = _try(lambda: services.entry_correct(entry=entry, corrected_mg=mg, reason="typo", by=world.admin))
        if correction is not None:
            book.corrections += delta
            target[2] = mg
        return expected, correction is not None
    if kind == "count":
        mg = op[1]
        expected = mg >= 0
        count = _try(
            lambda: services.count_record(
                lot=lot, counted_mg=mg, counted_by=world.nurse, second_counter=world.prescriber
            )
        )
        if count is not None:
            book.corrections += mg - count.expected_mg
        return expected, count is not None
    raise AssertionError(kind)


def _try(call):
    try:
        return call()
    except ValidationError:
        return None


def _state(lot: Lot):
    entries = LedgerEntry.objects.filter(lot=lot)
    return entries.count(), Lot.objects.get(pk=lot.pk).balance_mg


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_of_operations_keeps_the_balance_equal_to_the_book_and_never_negative(world, ops):
    lot = receive_lot(clinic=world.clinic, by=world.nurse, containers=1)
    book = Book(received=VIAL_MG)
    book.entries.append([lot.entries.get(), 1, VIAL_MG])
    for op in ops:
        before = _state(lot)
        outcome = _apply(op, lot, book, world)
        if outcome is None:
            continue
        expected, accepted = outcome
        assert accepted == expected, f"{op}: the service {'accepted' if accepted else 'refused'} it"
        if not accepted:
            assert _state(lot) == before, f"{op} was refused but wrote something"
        balance = Lot.objects.get(pk=lot.pk).balance_mg
        entries = LedgerEntry.objects.filter(lot=lot)
        assert balance == book.balance
        assert balance >= 0
        assert balance == entries.aggregate(total=Sum("change_mg"))["total"]
        assert balance == entries.order_by("-pk").first().balance_after_mg
    # the running balance after each entry is the sum of the changes up to it
    running = Decimal(0)
    for entry in LedgerEntry.objects.filter(lot=lot).order_by("pk"):
        running += entry.change_mg
        assert entry.balance_after_mg == running >= 0
