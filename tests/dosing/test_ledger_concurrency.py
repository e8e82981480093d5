"""Two administrations at once from a lot with stock for one: one is recorded, the other refused.

Each thread has its own database connection (a real concurrent transaction), started together at a
barrier. The service locks the lot row; the database trigger and CHECK refuse a negative balance
even for code that skips the service's checks.
"""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from sessions import services
from sessions.models import LedgerEntry, Lot
from tests.factories import receive_lot

pytestmark = pytest.mark.django_db(transaction=True)


def _race(work, n: int = 2) -> list[str]:
    """Run `work(i)` in `n` threads released together; collect each one's outcome."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=10)
            work(i)
            result = "recorded"
        except (ValidationError, IntegrityError) as error:
            result = f"refused: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_administrations_from_a_lot_with_stock_for_one_leave_one_refused(world):
    lot = receive_lot(clinic=world.clinic, by=world.nurse, containers=1)  # 500 mg
    givers = [world.nurse, world.prescriber]

    def give(i):
        services.ledger_administer(
            lot=Lot.objects.get(pk=lot.pk),  # each thread its own instance, as two requests would have
            patient=world.patient_a,
            quantity_mg=Decimal(300),
            administered_by=givers[i],
        )

    outcomes = _race(give)

    assert sorted(o.split(":")[0] for o in outcomes) == ["recorded", "refused"], outcomes
    assert any("holds only 200 mg" in o for o in outcomes), outcomes
    lot.refresh_from_db()
    assert lot.balance_mg == Decimal(200)
    assert LedgerEntry.objects.filter(lot=lot, kind=LedgerEntry.Kind.ADMINISTRATION).count() == 1


def test_the_database_alone_refuses_the_second_of_two_concurrent_entries_that_overdraw(world):
    """Code that inserts entries without the service's lock or checks still can't overdraw a lot."""
    lot = receive_lot(clinic=world.clinic, by=world.nurse, containers=1)  # 500 mg

    def insert(i):
        LedgerEntry.objects.create(
            lot=Lot.objects.get(pk=lot.pk),
            kind=LedgerEntry.Kind.ADMINISTRATION,
            change_mg=Decimal(-300),
            balance_after_mg=Decimal(200),  # what each thread believes; the trigger sets the truth
            occurred_at=timezone.now(),
            recorded_by=world.nurse,
            performed_by=world.nurse,
            patient=world.patient_a,
        )

    outcomes = _race(insert)

    assert sorted(o.split(":")[0] for o in outcomes) == ["recorded", "refused"], outcomes
    assert any("lot_balance_never_negative" in o for o in outcomes), outcomes
    lot.refresh_from_db()
    assert lot.balance_mg == Decimal(200)


def test_many_concurrent_doses_never_overdraw_and_the_balance_matches_the_entries(world):
    lot = receive_lot(clinic=world.clinic, by=world.nurse, containers=1)  # 500 mg: room for 5 × 100 mg

    def give(i):
        services.ledger_administer(
            lot=Lot.objects.get(pk=lot.pk),
            patient=world.patient_b,
            quantity_mg=Decimal(100),
            administered_by=world.nurse,
        )

    outcomes = _race(give, n=8)

    assert [o.split(":")[0] for o in outcomes].count("recorded") == 5, outcomes
    lot.refresh_from_db()
    assert lot.balance_mg == 0
    balances = list(LedgerEntry.objects.filter(lot=lot).order_by("pk").values_list("balance_after_mg", flat=True))
    assert balances == [Decimal(500), Decimal(400), Decimal(300), Decimal(200), Decimal(100), Decimal(0)]
