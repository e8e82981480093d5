"""What the ledger pages read: one clinic's lots, entries, worklists and reports, in a fixed number of queries."""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kap_clinic.access import KIND_ACTIONS, ROLE_ACTIONS, Action
from kap_clinic.accounts.models import User

from . import ledger_rules as rules
from .models import Count, Inventory, LedgerEntry, Lot

Kind = LedgerEntry.Kind
_MG = DecimalField(max_digits=12, decimal_places=rules.MG_PLACES)


def ledger_staff(clinic) -> QuerySet[User]:
    """Active people who may record ledger entries in `clinic`, by the access policy's own tables."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.RECORD_LEDGER in actions]
    kinds = [kind for kind, actions in KIND_ACTIONS.items() if Action.RECORD_LEDGER in actions]
    return (
        User.objects.staff_of(clinic)
        .filter(Q(role__in=roles) | Q(role=User.Role.CLINICIAN, clinician_kind__in=kinds))
        .order_by("full_name")
    )


def _corrections_total():
    """The sum of an entry's corrections, as a subquery annotation (0 when none)."""
    total = (
        LedgerEntry.objects.filter(corrects=OuterRef("pk"))
        .order_by()
        .values("corrects")
        .annotate(total=Sum("change_mg"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MG), Value(Decimal(0)), output_field=_MG)


def with_net_change(entries: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """Annotate `corrected_mg` (sum of corrections) and `net_change_mg` (the entry as corrected)."""
    return entries.annotate(corrected_mg=_corrections_total()).annotate(
        net_change_mg=F("change_mg") + F("corrected_mg")
    )


def lots_with_balances(clinic, *, include_empty: bool = False) -> QuerySet[Lot]:
    lots = Lot.objects.filter(clinic=clinic).annotate(last_counted_at=Max("counts__counted_at"))
    if not include_empty:
        lots = lots.filter(balance_mg__gt=0)
    return lots.order_by("substance", "form", "expires_on", "lot_number", "pk")


def lot_entries(lot: Lot) -> QuerySet[LedgerEntry]:
    """The lot's entries in the order they were applied, each with its running balance and details."""
    return with_net_change(
        lot.entries.select_related(
            "performed_by",
            "recorded_by",
            "patient",
            "corrects",
            "receipt",
            "waste__witness__witness",
            "disposal__witness_1",
            "disposal__witness_2",
            "count",
        )
    ).order_by("pk")


def unwitnessed_waste(clinic) -> QuerySet[LedgerEntry]:
    """Waste with no witness yet (a waste corrected to nothing is no longer waiting)."""
    return (
        with_net_change(LedgerEntry.objects.filter(lot__clinic=clinic, kind=Kind.WASTE, waste__witness__isnull=True))
        .exclude(net_change_mg=0)
        .select_related("lot", "performed_by", "waste")
        .order_by("occurred_at", "pk")
    )


def open_discrepancies(clinic) -> QuerySet[Count]:
    """Counts that differed from the ledger and have no explanation yet: an alert for the clinic admins."""
    return (
        Count.objects.filter(lot__clinic=clinic, explanation__isnull=True)
        .exclude(counted_mg=F("expected_mg"))
        .select_related("lot", "counted_by", "second_counter")
        .order_by("counted_at", "pk")
    )


def lots_expired_with_stock(clinic, today: datetime.date) -> QuerySet[Lot]:
    return Lot.objects.filter(clinic=clinic, balance_mg__gt=0, expires_on__lt=today).order_by("expires_on", "pk")


def lots_expiring(clinic, today: datetime.date, *, within_days: int = 30) -> QuerySet[Lot]:
    return Lot.objects.filter(
        clinic=clinic,
        balance_mg__gt=0,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=within_days),
    ).order_by("expires_on", "pk")


@dataclass(frozen=True)
class InventoryStatus:
    initial: Inventory | None
    latest: Inventory | None
    next_due: datetime.date | None
    overdue: bool
    due_soon: bool


def inventory_status(clinic, today: datetime.date, *, warn_days: int = 60) -> InventoryStatus:
    """When the next biennial inventory is due: 2 years after the latest one [S125,S126]."""
    inventories = list(Inventory.objects.filter(clinic=clinic).order_by("-taken_at", "-pk")[:1])
    latest = inventories[0] if inventories else None
    initial = Inventory.objects.filter(clinic=clinic, kind=Inventory.Kind.INITIAL).first()
    next_due = None
    if latest is not None:
        taken = timezone.localtime(latest.taken_at, zoneinfo.ZoneInfo(clinic.time_zone)).date()
        try:
            next_due = taken.replace(year=taken.year + rules.BIENNIAL_INVENTORY_YEARS)
        except ValueError:  # 29 February
            next_due = taken.replace(year=taken.year + rules.BIENNIAL_INVENTORY_YEARS, day=28)
    return InventoryStatus(
        initial=initial,
        latest=latest,
        next_due=next_due,
        overdue=next_due is not None and next_due < today,
        due_soon=next_due is not None and today <= next_due <= today + datetime.timedelta(days=warn_days),
    )


def dispensing_log(clinic, start: datetime.datetime, end: datetime.datetime) -> QuerySet[LedgerEntry]:
    """Administrations at `clinic` from `start` (inclusive) to `end` (exclusive), oldest first, as corrected."""
    return (
        with_net_change(
            LedgerEntry.objects.filter(
                lot__clinic=clinic, kind=Kind.ADMINISTRATION, occurred_at__gte=start, occurred_at__lt=end
            )
        )
        .select_related("lot", "patient", "performed_by")
        .order_by("occurred_at", "pk")
    )


def inventory_lines(inventory: Inventory):
    return inventory.lines.select_related("lot", "last_count").order_by(
        "lot__substance", "lot__form", "lot__expires_on"
    )
