"""What the ledger and session pages read: one clinic's lots, entries, worklists and reports, the sessions
of a day, one session's whole record, in a fixed number of queries."""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kap_clinic.access import KIND_ACTIONS, ROLE_ACTIONS, Action
from kap_clinic.accounts.models import User

from . import clinic_time
from . import ledger_rules as rules
from .models import (
    Addendum,
    Administration,
    AdverseEvent,
    Count,
    DosingSession,
    Inventory,
    LedgerEntry,
    Lot,
    ObservationEntry,
    SessionNote,
    StatusChange,
)

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


# --- dosing sessions ---------------------------------------------------------------------------------


def clinic_day_bounds(clinic, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight of `day` in the clinic's own time zone, as aware datetimes."""
    zone = zoneinfo.ZoneInfo(clinic.time_zone)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def sessions_listed(clinics) -> QuerySet:
    """Sessions of `clinics`' patients with what a list row shows (patient, plan, staff)."""
    return DosingSession.objects.filter(patient__clinic__in=clinics).select_related(
        "patient__clinic", "plan", "prescriber", "monitor"
    )


def _today_filter(clinics) -> Q:
    """Sessions scheduled today, each clinic's today in its own time zone."""
    condition = Q(pk__in=[])
    for clinic in clinics:
        start, end = clinic_day_bounds(clinic, clinic_time.clinic_today(clinic))
        condition |= Q(patient__clinic=clinic, scheduled_at__gte=start, scheduled_at__lt=end)
    return condition


def sessions_today(clinics) -> QuerySet:
    """Today's sessions of `clinics` (every status), by time."""
    return sessions_listed(clinics).filter(_today_filter(clinics)).order_by("scheduled_at", "pk")


def sessions_in_observation(clinics) -> QuerySet:
    """Patients being dosed or observed now, longest in first."""
    statuses = [DosingSession.Status.DOSING, DosingSession.Status.OBSERVING]
    return sessions_listed(clinics).filter(status__in=statuses).order_by("dosed_at", "scheduled_at", "pk")


def sessions_worklists(clinics) -> tuple[list, list]:
    """Today's sessions and those being dosed or observed now, for the clinician home: one query."""
    in_observation = [DosingSession.Status.DOSING, DosingSession.Status.OBSERVING]
    rows = list(
        sessions_listed(clinics)
        .filter(_today_filter(clinics) | Q(status__in=in_observation))
        .order_by("scheduled_at", "pk")
    )
    today = [
        s
        for s in rows
        if clinic_time.clinic_date(s.patient.clinic, s.scheduled_at) == clinic_time.clinic_today(s.patient.clinic)
    ]
    observing = sorted(
        (s for s in rows if s.status in in_observation), key=lambda s: (s.dosed_at or s.scheduled_at, s.pk)
    )
    return today, observing


def session_page(session):
    """One session with everything its page shows, in a fixed number of queries."""
    return (
        DosingSession.objects.select_related(
            "patient__clinic",
            "patient__user",
            "plan",
            "prescriber",
            "monitor",
            "signed_by",
            "created_by",
            "pre_dose_check__vitals",
            "pre_dose_check__risk_screen",
            "pre_dose_check__phq9",
            "pre_dose_check__recorded_by",
            "pre_dose_check__override_by",
            "discharge__discharged_by",
            "discharge__override_by",
        )
        .prefetch_related(
            Prefetch(
                "administrations",
                queryset=Administration.objects.select_related(
                    "lot", "administered_by", "recorded_by", "override_by", "ledger_entry"
                ).order_by("started_at", "pk"),
            ),
            Prefetch(
                "observations",
                queryset=ObservationEntry.objects.select_related("recorded_by").order_by("observed_at", "pk"),
            ),
            Prefetch("adverse_events", queryset=_adverse_events()),
            Prefetch("notes", queryset=_notes()),
            Prefetch("addenda", queryset=_addenda()),
            Prefetch("status_changes", queryset=_status_changes()),
        )
        .get(pk=session.pk)
    )


def _adverse_events():
    return AdverseEvent.objects.select_related("recorded_by").order_by("onset_at", "pk")


def _notes():
    return SessionNote.objects.select_related("author").order_by("kind", "pk")


def _addenda():
    return Addendum.objects.select_related("author").order_by("created_at", "pk")


def _status_changes():
    return StatusChange.objects.select_related("by").order_by("at", "pk")


def patient_sessions(patient) -> QuerySet:
    """A patient's sessions for the chart, latest first, with the first administration's dose."""
    return (
        DosingSession.objects.filter(patient=patient)
        .select_related("plan")
        .prefetch_related(Prefetch("administrations", queryset=Administration.objects.order_by("started_at", "pk")))
        .order_by("-scheduled_at", "-pk")
    )


def patient_next_session(patient):
    """The patient's next session still to come (scheduled, from now on), or None."""
    return (
        DosingSession.objects.filter(
            patient=patient, status=DosingSession.Status.SCHEDULED, scheduled_at__gte=timezone.now()
        )
        .select_related("plan", "patient__clinic")
        .order_by("scheduled_at", "pk")
        .first()
    )


def patient_next_session_prep(patient) -> dict | None:
    """The patient's next session and its preparation times by the session's plan: no food after
    `food_until`, no fluids after `fluids_until` (the plan's fasting hours before the session time).
    None when nothing is booked."""
    session = patient_next_session(patient)
    if session is None:
        return None
    plan = session.plan
    food_until = session.scheduled_at - datetime.timedelta(hours=float(plan.fasting_food_hours))
    fluids_until = session.scheduled_at - datetime.timedelta(hours=float(plan.fasting_fluids_hours))
    day = clinic_time.clinic_date(session.patient.clinic, session.scheduled_at)
    return {
        "session": session,
        "plan": plan,
        "food_until": food_until,
        "fluids_until": fluids_until,
        "food_day_before": clinic_time.clinic_date(session.patient.clinic, food_until) != day,
        "fluids_day_before": clinic_time.clinic_date(session.patient.clinic, fluids_until) != day,
        "time_zone": session.patient.clinic.time_zone,
    }
