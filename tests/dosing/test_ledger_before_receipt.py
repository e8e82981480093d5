"""Nothing leaves a lot on a day before it arrived: the ledger must tell the stock's real history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sessions import clinic_time, services
from sessions.models import LedgerEntry
from tests.factories import receive_lot

pytestmark = pytest.mark.django_db


def test_a_dose_dated_before_the_lot_was_received_is_refused(world):
    today = clinic_time.clinic_today(world.clinic)
    lot = receive_lot(clinic=world.clinic, by=world.nurse, received_on=today - datetime.timedelta(days=3))
    zone = clinic_time.clinic_zone(world.clinic)

    def at(days_ago: int) -> datetime.datetime:
        day = today - datetime.timedelta(days=days_ago)
        return datetime.datetime.combine(day, datetime.time(10), tzinfo=zone)

    with pytest.raises(ValidationError, match="was received on"):
        services.ledger_administer(
            lot=lot, patient=world.patient_a, quantity_mg=Decimal(30), administered_by=world.nurse, at=at(4)
        )
    services.ledger_administer(  # the day it arrived is fine, even before the receipt's noon
        lot=lot, patient=world.patient_a, quantity_mg=Decimal(30), administered_by=world.nurse, at=at(3)
    )
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ADMINISTRATION).count() == 1
