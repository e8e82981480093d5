"""The admin dashboard's numbers for one clinic and a period of the clinic's own dates (issue #7).

Each table is one or two aggregate queries, whatever the clinic's size (Count / Avg / percentile with
FILTER and GROUP BY in PostgreSQL). The one exception is the outcome table: its rows are one per patient
(baseline and latest total per instrument, fetched in one query with subqueries), and the rates are
counted in Python with `integration.progress.compare`, the same rule the chart applies: a fixed number
of queries, O(patients) in Python.

Definitions, as the page states them:
- Period: `first` to `last`, both days included, midnight to midnight in the clinic's time zone.
- Patients by stage: the patients whose chart was opened in the period, by the stage they are at now.
- Sessions per week: dosing sessions discharged in each ISO week (Monday to Sunday) of the period;
  cancellations and no-shows by their scheduled time.
- Outcomes: per instrument, patients with a baseline and at least one later response completed in the
  period; the latest such response against the first baseline (`integration.progress_rules`).
- Adverse events per 100 sessions: events of the sessions dosed in the period, per 100 such sessions.
- Dose to discharge: minutes from the first dose to discharge, sessions discharged in the period.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Cast, TruncWeek
from django.utils.translation import gettext_lazy as _

from intake.models import DoseUnit, Indication, MeasureResponse, Patient, Route, TreatmentPlan
from integration.progress import compare
from integration.progress_rules import PROGRESS_INSTRUMENTS, PROGRESS_RULES
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.instruments import INSTRUMENTS
from sessions import clinic_time
from sessions import selectors as session_selectors
from sessions.models import Administration, AdverseEvent, DosingSession

Stage = Patient.Stage
Status = DosingSession.Status


@dataclass(frozen=True)
class Period:
    """A clinic and a range of its own dates, both days included."""

    clinic: object  # kap_clinic.accounts.models.Clinic
    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return session_selectors.clinic_day_bounds(self.clinic, self.first)[0]

    @property
    def end(self) -> datetime.datetime:
        """Midnight after `last` (exclusive)."""
        return session_selectors.clinic_day_bounds(self.clinic, self.last)[1]

    def within(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _one_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- patients by stage --------------------------------------------------------------------------------

# The course in its order (style.md §5's pipeline); "not eligible" and "discharged" leave it and are shown beside.
FUNNEL = (
    Stage.INVITED,
    Stage.INTAKE,
    Stage.ASSESSMENT,
    Stage.PLANNED,
    Stage.DOSING,
    Stage.INTEGRATION,
    Stage.FOLLOW_UP,
    Stage.COMPLETED,
)
OFF_FUNNEL = (Stage.NOT_ELIGIBLE, Stage.DISCHARGED)
# How far along the course a patient who left it got: "not eligible" came through the assessment. The chart
# doesn't record the stage a "discharged" patient left from, so they count as invited only.
FURTHEST_STAGE = {Stage.NOT_ELIGIBLE: Stage.ASSESSMENT, Stage.DISCHARGED: Stage.INVITED}


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    now: int  # at this stage now
    reached: int | None  # got at least this far (None beside the funnel)


@dataclass(frozen=True)
class StageFunnel:
    stages: list[StageCount]
    beside: list[StageCount]
    total: int  # invited in the period
    clinic_total: int  # all the clinic's patients

    @property
    def widest(self) -> int:
        return max([self.total, 1])


def patients_by_stage(period: Period) -> StageFunnel:
    """The patients invited in the period by stage now, and how far along the course they got. One query,
    which also counts all the clinic's patients (`clinic_total`, whatever the period)."""
    rows = (
        Patient.objects.filter(clinic=period.clinic)
        .order_by()
        .values("stage")
        .annotate(in_period=Count("pk", filter=period.within("created_at")), all=Count("pk"))
    )
    counts = {row["stage"]: row["in_period"] for row in rows if row["in_period"]}
    position = {stage: n for n, stage in enumerate(FUNNEL)}
    reached = [0] * len(FUNNEL)
    for stage, n in counts.items():
        furthest = position[FURTHEST_STAGE.get(stage, stage)]
        for step in range(furthest + 1):
            reached[step] += n
    labels = dict(Stage.choices)
    return StageFunnel(
        stages=[StageCount(s, labels[s], counts.get(s, 0), reached[n]) for n, s in enumerate(FUNNEL)],
        beside=[StageCount(s, labels[s], counts.get(s, 0), None) for s in OFF_FUNNEL],
        total=sum(counts.values()),
        clinic_total=sum(row["all"] for row in rows),
    )


# --- sessions per week --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    monday: datetime.date
    discharged: int
    cancelled: int
    no_show: int

    @property
    def label(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


def sessions_per_week(period: Period) -> list[Week]:
    """Every ISO week that overlaps the period, oldest first, with zero rows for quiet weeks."""
    zone = clinic_time.clinic_zone(period.clinic)
    discharged = Q(status=Status.DISCHARGED) & period.within("discharged_at")
    missed = Q(status__in=[Status.CANCELLED, Status.NO_SHOW]) & period.within("scheduled_at")
    # a discharged session counts in the week it ended; a cancellation or no-show in the week it was booked for
    when = Case(When(status=Status.DISCHARGED, then=F("discharged_at")), default=F("scheduled_at"))
    rows = (
        DosingSession.objects.filter(discharged | missed, patient__clinic=period.clinic)
        .annotate(week=TruncWeek(when, tzinfo=zone, output_field=DateField()))
        .order_by()
        .values("week")
        .annotate(
            discharged=Count("pk", filter=Q(status=Status.DISCHARGED)),
            cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
            no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
        )
    )
    counts = {row["week"]: row for row in rows}
    monday = period.first - datetime.timedelta(days=period.first.weekday())
    weeks = []
    while monday <= period.last:
        row = counts.get(monday, {})
        weeks.append(Week(monday, row.get("discharged", 0), row.get("cancelled", 0), row.get("no_show", 0)))
        monday += datetime.timedelta(days=7)
    return weeks


# --- clinic outcomes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseBand:
    key: str
    label: str
    unit: str  # DoseUnit: the band applies to patients whose plan doses in this unit
    upper: Decimal | None = None  # doses below this (None: no upper limit) …
    upper_included: bool = False  # … or equal to it, when included


# Dose bands of the outcome table (a reporting choice, issue #7). Weight-based plans (IV, IM) in mg/kg, around
# the standard 0.5 mg/kg IV dose and the 0.75 mg/kg upper dose of KAP's IM studies (domain.md §3 [S62,S63,S65,
# S66]); fixed-dose plans (SL, IN) in mg, split at 100 mg within the 50–200 mg SL clinic range [S68] (Spravato's
# 56 and 84 mg fall in the lower band [S59]). A patient's dose is the mean over their dosed sessions of the
# session's total (a booster adds to its session's dose), in the unit of their signed plan.
DOSE_BANDS = (
    DoseBand("mg_per_kg_below_0_5", "< 0.5 mg/kg", DoseUnit.MG_PER_KG, upper=Decimal("0.5")),
    DoseBand("mg_per_kg_0_5_to_0_75", "0.5–0.75 mg/kg", DoseUnit.MG_PER_KG, upper=Decimal("0.75"), upper_included=True),
    DoseBand("mg_per_kg_above_0_75", "> 0.75 mg/kg", DoseUnit.MG_PER_KG),
    DoseBand("mg_up_to_100", "≤ 100 mg", DoseUnit.MG, upper=Decimal(100), upper_included=True),
    DoseBand("mg_above_100", "> 100 mg", DoseUnit.MG),
)
NOT_RECORDED = "not_recorded"


def dose_band(unit: str | None, dose: Decimal | None) -> DoseBand | None:
    """The band of a patient's mean session dose in their plan's unit (None: no plan or no dose yet)."""
    if not unit or dose is None:
        return None
    for band in DOSE_BANDS:
        if band.unit != unit:
            continue
        if band.upper is None or dose < band.upper or (band.upper_included and dose == band.upper):
            return band
    return None


BREAKDOWNS = (
    ("all", _("Overall")),
    ("indication", _("Indication")),
    ("route", _("Route")),
    ("dose_band", _("Dose band")),
)


@dataclass(frozen=True)
class PatientOutcome:
    """One patient's first baseline and latest total in the period, for one instrument."""

    instrument: str
    markers: object  # integration.progress.Markers
    indication: str  # "" when no signed plan
    route: str
    dose_band: str  # a DoseBand key, or NOT_RECORDED


@dataclass
class OutcomeGroup:
    instrument: str
    breakdown: str
    group: str  # the group's key within the breakdown
    label: str
    changes: list[int] = field(default_factory=list)
    responders: int = 0
    remission_n: int = 0  # patients above the remission line at baseline: the only ones who can remit
    remitted: int = 0

    def add(self, markers) -> None:
        self.changes.append(markers.change)
        self.responders += markers.response
        if not markers.below_threshold_at_baseline:
            self.remission_n += 1
            self.remitted += markers.remission

    @property
    def n(self) -> int:
        return len(self.changes)

    @property
    def mean_change(self) -> Decimal | None:
        """Latest − baseline, averaged, to 0.1 point: negative is improvement on all three instruments."""
        if not self.changes:
            return None
        return (Decimal(sum(self.changes)) / Decimal(len(self.changes))).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def response_rate(self) -> Decimal | None:
        return _percent(self.responders, self.n)

    @property
    def remission_rate(self) -> Decimal | None:
        return _percent(self.remitted, self.remission_n)

    @property
    def instrument_name(self) -> str:
        return str(INSTRUMENTS[self.instrument].short_name)

    @property
    def breakdown_label(self) -> str:
        return str(dict(BREAKDOWNS)[self.breakdown])


@dataclass(frozen=True)
class InstrumentOutcomes:
    instrument: str
    groups: list[OutcomeGroup]

    @property
    def name(self) -> str:
        return str(INSTRUMENTS[self.instrument].short_name)

    @property
    def n(self) -> int:
        return self.groups[0].n if self.groups else 0


def _first_baseline(key: str):
    return MeasureResponse.objects.filter(
        patient=OuterRef("pk"), instrument=key, context=MeasureResponse.Context.BASELINE, total__isnull=False
    ).order_by("completed_at", "pk")


def _latest_in_period(key: str, period: Period):
    """The patient's latest `key` total completed in the period after the first baseline (as the chart orders
    responses: by completion time, then by id)."""
    after_baseline = Q(completed_at__gt=OuterRef(f"{key}_baseline_at")) | Q(
        completed_at=OuterRef(f"{key}_baseline_at"), pk__gt=OuterRef(f"{key}_baseline_id")
    )
    return (
        MeasureResponse.objects.filter(period.within("completed_at"), patient=OuterRef("pk"), instrument=key)
        .filter(after_baseline, total__isnull=False)
        .order_by("-completed_at", "-pk")
    )


def _mean_session_dose(period: Period, column: str):
    """Total of `column` over the patient's administrations up to the period's end, per dosed session."""
    dose = (
        Administration.objects.filter(session__patient=OuterRef("pk"), session__dosed_at__lt=period.end)
        .order_by()
        .values("session__patient")
        .annotate(mean=Cast(Sum(column), FloatField()) / Cast(Count("session", distinct=True), FloatField()))
        .values("mean")
    )
    return Subquery(dose, output_field=FloatField())


def patient_outcomes(period: Period) -> list[PatientOutcome]:
    """Per patient and instrument with a baseline and a later response in the period: baseline vs latest,
    with the signed plan's indication, route and the dose band. One query."""
    plan = TreatmentPlan.objects.filter(patient=OuterRef("pk"), signed_at__isnull=False).order_by("-signed_at", "-pk")
    annotations = {
        "plan_indication": Subquery(plan.values("indication")[:1]),
        "plan_route": Subquery(plan.values("route")[:1]),
        "plan_unit": Subquery(plan.values("dose_unit")[:1]),
        "dose_mg": _mean_session_dose(period, "dose_mg"),
        "dose_mg_per_kg": _mean_session_dose(period, "mg_per_kg"),
    }
    has_latest = Q(pk__in=[])
    patients = Patient.objects.filter(clinic=period.clinic)
    for key in PROGRESS_INSTRUMENTS:
        patients = patients.annotate(
            **{
                f"{key}_baseline": Subquery(_first_baseline(key).values("total")[:1]),
                f"{key}_baseline_at": Subquery(_first_baseline(key).values("completed_at")[:1]),
                f"{key}_baseline_id": Subquery(_first_baseline(key).values("pk")[:1]),
            }
        ).annotate(**{f"{key}_latest": Subquery(_latest_in_period(key, period).values("total")[:1])})
        has_latest |= Q(**{f"{key}_latest__isnull": False})
    rows = (
        patients.annotate(**annotations)
        .filter(has_latest)
        .order_by("pk")
        .values(
            "plan_indication",
            "plan_route",
            "plan_unit",
            "dose_mg",
            "dose_mg_per_kg",
            *[f"{key}_{what}" for key in PROGRESS_INSTRUMENTS for what in ("baseline", "latest")],
        )
    )
    cutoff = period.clinic.pcl5_cutoff
    result = []
    for row in rows:
        unit = row["plan_unit"]
        dose = row["dose_mg_per_kg"] if unit == DoseUnit.MG_PER_KG else row["dose_mg"]
        band = dose_band(unit, None if dose is None else Decimal(str(dose)).quantize(Decimal("0.001")))
        for key in PROGRESS_INSTRUMENTS:
            if row[f"{key}_latest"] is None:
                continue
            markers = compare(PROGRESS_RULES[key], row[f"{key}_baseline"], row[f"{key}_latest"], cutoff=cutoff)
            result.append(
                PatientOutcome(
                    instrument=key,
                    markers=markers,
                    indication=row["plan_indication"] or NOT_RECORDED,
                    route=row["plan_route"] or NOT_RECORDED,
                    dose_band=band.key if band else NOT_RECORDED,
                )
            )
    return result


def _group_labels() -> dict[str, list[tuple[str, str]]]:
    """Each breakdown's groups in the order the table lists them."""
    not_recorded = (NOT_RECORDED, str(_("Not recorded")))
    return {
        "all": [("all", str(_("All patients")))],
        "indication": [*[(k, str(v)) for k, v in Indication.choices], not_recorded],
        "route": [*[(k, str(v)) for k, v in Route.choices], not_recorded],
        "dose_band": [*[(b.key, b.label) for b in DOSE_BANDS], not_recorded],
    }


def clinic_outcomes(period: Period) -> list[InstrumentOutcomes]:
    """Per instrument (PHQ-9, GAD-7, PCL-5): mean change, response and remission rates with their n, for all
    patients and by indication, route and dose band. Groups without patients are left out."""
    groups: dict[tuple[str, str, str], OutcomeGroup] = {}
    labels = _group_labels()
    for outcome in patient_outcomes(period):
        for breakdown, group in (
            ("all", "all"),
            ("indication", outcome.indication),
            ("route", outcome.route),
            ("dose_band", outcome.dose_band),
        ):
            key = (outcome.instrument, breakdown, group)
            if key not in groups:
                label = dict(labels[breakdown]).get(group, group)
                groups[key] = OutcomeGroup(outcome.instrument, breakdown, group, label)
            groups[key].add(outcome.markers)
    result = []
    for instrument in PROGRESS_INSTRUMENTS:
        ordered = [
            groups[(instrument, breakdown, group)]
            for breakdown, _label in BREAKDOWNS
            for group, _name in labels[breakdown]
            if (instrument, breakdown, group) in groups
        ]
        result.append(InstrumentOutcomes(instrument, ordered))
    return result


# --- safety ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdverseEventRate:
    kind: str
    kind_label: str
    severity: str  # "" on a kind's total row
    severity_label: str
    events: int
    per_100: Decimal | None


@dataclass(frozen=True)
class AdverseEventTable:
    sessions: int  # sessions dosed in the period: the denominator
    rows: list[AdverseEventRate]
    total: AdverseEventRate


def _per_100(events: int, sessions: int) -> Decimal | None:
    if not sessions:
        return None
    return (Decimal(events * 100) / Decimal(sessions)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def adverse_events(period: Period) -> AdverseEventTable:
    """Adverse events of the sessions dosed in the period, per 100 of those sessions, by kind and severity
    (each kind with a total row). One query: the sessions joined to their events, a FILTERed count per kind
    and severity beside the count of distinct sessions."""
    kinds, severities = dict(AdverseEvent.Kind.choices), dict(AdverseEvent.Severity.choices)
    per_cell = {
        f"{kind}__{severity}": Count(
            "adverse_events", filter=Q(adverse_events__kind=kind, adverse_events__severity=severity)
        )
        for kind in kinds
        for severity in severities
    }
    counts = DosingSession.objects.filter(period.within("dosed_at"), patient__clinic=period.clinic).aggregate(
        sessions=Count("pk", distinct=True), **per_cell
    )
    sessions = counts["sessions"]
    rows = []
    for kind, kind_label in kinds.items():
        per_kind = [(s, counts[f"{kind}__{s}"]) for s in severities if counts[f"{kind}__{s}"]]
        if not per_kind:
            continue
        total = sum(n for _s, n in per_kind)
        rows.append(AdverseEventRate(kind, str(kind_label), "", str(_("All")), total, _per_100(total, sessions)))
        for severity, n in per_kind:
            rows.append(
                AdverseEventRate(kind, str(kind_label), severity, str(severities[severity]), n, _per_100(n, sessions))
            )
    events = sum(counts[key] for key in per_cell)
    total = AdverseEventRate("", str(_("Any adverse event")), "", str(_("All")), events, _per_100(events, sessions))
    return AdverseEventTable(sessions=sessions, rows=rows, total=total)


class Percentile(Aggregate):
    """PostgreSQL's interpolated percentile (`percentile_cont`) of an expression, e.g. the median at 0.5."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class DischargeTime:
    route: str
    label: str
    sessions: int
    median_minutes: Decimal | None
    p90_minutes: Decimal | None


def _minutes(value: datetime.timedelta | None) -> Decimal | None:
    return None if value is None else _one_decimal(value.total_seconds() / 60)


def discharge_times(period: Period) -> list[DischargeTime]:
    """Minutes from the first dose to discharge of the sessions discharged in the period: median and 90th
    percentile (interpolated), by the plan's route, then for all routes. Two queries."""
    sessions = DosingSession.objects.filter(
        period.within("discharged_at"),
        patient__clinic=period.clinic,
        status=Status.DISCHARGED,
        dosed_at__isnull=False,
    )
    duration = ExpressionWrapper(F("discharged_at") - F("dosed_at"), output_field=DurationField())
    stats = {
        "n": Count("pk"),
        "median": Percentile(duration, 0.5, output_field=DurationField()),
        "p90": Percentile(duration, 0.9, output_field=DurationField()),
    }
    by_route = {row["plan__route"]: row for row in sessions.order_by().values("plan__route").annotate(**stats)}
    result = [
        DischargeTime(route, str(label), row["n"], _minutes(row["median"]), _minutes(row["p90"]))
        for route, label in Route.choices
        if (row := by_route.get(route))
    ]
    overall = sessions.order_by().aggregate(**stats)
    result.append(
        DischargeTime("", str(_("All routes")), overall["n"], _minutes(overall["median"]), _minutes(overall["p90"]))
    )
    return result


# --- ledger status and staff activity ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerItem:
    key: str
    label: str
    open: int
    oldest: datetime.datetime | None


def ledger_status(clinic) -> list[LedgerItem]:
    """What the ledger has waiting now (not limited to the period): open count discrepancies and waste
    awaiting a witness, with the oldest of each. Two queries."""
    discrepancies = (
        session_selectors.open_discrepancies(clinic).order_by().aggregate(n=Count("pk"), oldest=Min("counted_at"))
    )
    waste = session_selectors.unwitnessed_waste(clinic).order_by().aggregate(n=Count("pk"), oldest=Min("occurred_at"))
    return [
        LedgerItem(
            "discrepancies", str(_("Unexplained count discrepancies")), discrepancies["n"], discrepancies["oldest"]
        ),
        LedgerItem("unwitnessed_waste", str(_("Waste awaiting a witness")), waste["n"], waste["oldest"]),
    ]


# the audit actions the staff activity table counts, in its column order
ACTIVITY_ACTIONS = (
    AuditEvent.Action.VIEW,
    AuditEvent.Action.CREATE,
    AuditEvent.Action.UPDATE,
    AuditEvent.Action.SIGN,
    AuditEvent.Action.DOWNLOAD,
)


@dataclass(frozen=True)
class StaffActivity:
    name: str
    email: str
    role: str
    counts: dict[str, int]  # per action in ACTIVITY_ACTIONS
    total: int  # every audited action, these and the others (logins, submissions …)

    def count(self, action: str) -> int:
        return self.counts.get(action, 0)

    @property
    def columns(self) -> list[int]:
        return [self.count(action) for action in ACTIVITY_ACTIONS]


def staff_activity(period: Period) -> list[StaffActivity]:
    """Per staff member, their audited actions in the clinic in the period: views, creates, updates, signs,
    downloads and all actions. One query; busiest first."""
    rows = (
        AuditEvent.objects.filter(period.within("at"), clinic=period.clinic, actor__isnull=False)
        .exclude(actor__role=User.Role.PATIENT)
        .order_by()
        .values("actor", "actor__full_name", "actor__email", "actor__role", "actor__clinician_kind")
        .annotate(
            total=Count("pk"),
            **{str(action): Count("pk", filter=Q(action=action)) for action in ACTIVITY_ACTIONS},
        )
        .order_by("-total", "actor__full_name", "actor")
    )
    kinds, roles = dict(User.ClinicianKind.choices), dict(User.Role.choices)
    return [
        StaffActivity(
            name=row["actor__full_name"],
            email=row["actor__email"],
            role=str(kinds.get(row["actor__clinician_kind"]) or roles.get(row["actor__role"], "")),
            counts={str(action): row[str(action)] for action in ACTIVITY_ACTIONS},
            total=row["total"],
        )
        for row in rows
    ]
