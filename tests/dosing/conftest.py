"""Ledger fixtures on top of the shared `world`: a stocked lot of this clinic and one of the other clinic."""

from decimal import Decimal

import pytest

from tests.factories import receive_lot


@pytest.fixture
def lot(world):
    """Two 10 mL vials of ketamine 50 mg/mL at the world's clinic: 1000 mg (20 mL)."""
    return receive_lot(clinic=world.clinic, by=world.nurse)


@pytest.fixture
def troche_lot(world):
    """One package of 30 ketamine 100 mg troches: 3000 mg."""
    return receive_lot(
        clinic=world.clinic,
        by=world.nurse,
        containers=1,
        form="troche",
        strength_mg=Decimal(100),
        container_size=Decimal(30),
    )


@pytest.fixture
def other_lot(world):
    return receive_lot(clinic=world.other_clinic, by=world.other_clinician)
