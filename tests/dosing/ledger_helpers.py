"""Small helpers shared by the ledger tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from sessions import services


def administer(lot, patient, mg, by, **kwargs):
    return services.ledger_administer(lot=lot, patient=patient, quantity_mg=Decimal(mg), administered_by=by, **kwargs)


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)
