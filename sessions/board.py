"""What the live observation board, the session page and the dashboards read about observations:
every session in clinic now with its last vitals, the next check and its open alerts (a fixed number
of queries whatever the number of sessions), and one session's summary (pre-dose, peak and last BP,
lowest SpO₂, deepest sedation)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from intake.models import SafetyAlert

from . import observation_rules as rules
from .models import DosingSession, ObservationEntry
from .observation_schedule import NextCheck, next_check
from .pipeline import IN_CLINIC

ALERT_FIELDS = frozenset(name for rule in rules.ALERT_RULES for name in rule.fields)
LAST_VALUES = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "moaas", "dissociation")


def observations_prefetch(to_attr: str | None = None) -> Prefetch:
    """The session's entries, oldest first, with who recorded them (for `prefetch_related`)."""
    queryset = ObservationEntry.objects.select_related("recorded_by").order_by("observed_at", "pk")
    return Prefetch("observations", queryset=queryset, to_attr=to_attr)


def baseline_systolic(session) -> int | None:
    """The pre-dose check's systolic BP: what "40 mmHg above baseline" compares with."""
    check = getattr(session, "pre_dose_check", None)
    vitals = check.vitals if check is not None else None
    return vitals.systolic if vitals is not None else None


def open_alerts(observations) -> list[dict]:
    """The entry alerts still open: raised by the latest entry that measured what the rule reads (a newer
    reading of the same thing closes it). Each alert also carries `observed_at`; most serious first."""
    latest_by_field: dict[str, ObservationEntry] = {}
    for entry in observations:  # oldest first
        for name in ALERT_FIELDS:
            if getattr(entry, name, None) not in (None, ""):
                latest_by_field[name] = entry
    found = []
    seen = set()
    for entry in reversed(observations):
        for alert in entry.alerts or []:
            rule = rules.RULES_BY_CODE.get(alert.get("code"))
            if rule is None or alert["code"] in seen:
                continue
            latest = [latest_by_field.get(name) for name in rule.fields if name in latest_by_field]
            if entry in latest:
                seen.add(alert["code"])
                found.append(alert | {"observed_at": entry.observed_at})
    found.sort(key=lambda alert: -rules.LEVELS.index(alert["level"]))
    return found


@dataclass
class BoardRow:
    session: DosingSession
    schedule: NextCheck
    last: dict  # latest value of each of LAST_VALUES, with "<name>_at" the time it was taken
    news2: int | None
    news2_band: rules.ResponseBand | None
    news2_partial: bool
    last_entry: ObservationEntry | None
    alerts: list[dict] = field(default_factory=list)  # open entry alerts, most serious first
    safety_alerts: list = field(default_factory=list)  # the patient's open safety alerts

    @property
    def patient(self):
        return self.session.patient

    @property
    def top_level(self) -> str | None:
        level = rules.top_level(self.alerts)
        if self.safety_alerts and (level is None or rules.LEVELS.index(level) < 1):
            level = rules.URGENT_LEVEL  # an open safety alert needs a clinician, like an urgent one
        return level

    @property
    def serious(self) -> bool:
        return self.top_level in (rules.URGENT_LEVEL, rules.EMERGENCY_LEVEL)


def last_values(observations) -> dict:
    last: dict = {}
    for entry in observations:  # oldest first: later values win
        for name in LAST_VALUES:
            value = getattr(entry, name)
            if value is not None:
                last[name] = value
                last[f"{name}_at"] = entry.observed_at
    return last


def board_sessions(clinics):
    """The sessions of `clinics` in clinic now, with everything a row shows: three queries in all."""
    return (
        DosingSession.objects.filter(patient__clinic__in=clinics, status__in=IN_CLINIC, signed_at__isnull=True)
        .select_related("patient__clinic", "monitor", "prescriber", "pre_dose_check__vitals")
        .prefetch_related(
            observations_prefetch(),
            Prefetch(
                "patient__safety_alerts",
                queryset=SafetyAlert.objects.filter(acknowledged_at__isnull=True).order_by("-opened_at"),
                to_attr="open_safety_alerts",
            ),
        )
        .order_by("dosed_at", "checked_in_at", "scheduled_at", "pk")
    )


def board_row(session, now: datetime.datetime) -> BoardRow:
    observations = list(session.observations.all())
    scored = [entry for entry in observations if entry.news2 is not None]
    latest_scored = scored[-1] if scored else None
    score = rules.news2(latest_scored) if latest_scored else None
    return BoardRow(
        session=session,
        schedule=next_check(session, observations, now),
        last=last_values(observations),
        news2=latest_scored.news2 if latest_scored else None,
        news2_band=score.band if score else None,
        news2_partial=score.partial if score else False,
        last_entry=observations[-1] if observations else None,
        alerts=open_alerts(observations),
        safety_alerts=list(getattr(session.patient, "open_safety_alerts", [])),
    )


def board_rows(clinics, now: datetime.datetime) -> list[BoardRow]:
    """Every session of `clinics` in clinic now (checked in, dosing, observing): dosed first, by dose time."""
    return [board_row(session, now) for session in board_sessions(clinics)]


# --- one session's summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    value: object
    at: datetime.datetime | None
    entry: ObservationEntry | None = None


@dataclass(frozen=True)
class ObservationSummary:
    pre_dose_bp: Reading | None  # "systolic/diastolic" of the pre-dose check's vitals
    peak_bp: Reading | None  # the highest systolic on the timeline, with its diastolic
    last_bp: Reading | None
    lowest_spo2: Reading | None
    deepest_sedation: Reading | None  # the lowest MOAA/S
    peak_dissociation: Reading | None
    peak_news2: Reading | None
    entries: int
    serious_alerts: int  # entries that raised an urgent or emergency alert


def _bp(entry) -> str:
    return f"{entry.systolic}/{entry.diastolic}" if entry.diastolic is not None else f"{entry.systolic}/–"


def _extreme(observations, name, pick):
    taken = [entry for entry in observations if getattr(entry, name) is not None]
    if not taken:
        return None
    entry = pick(taken, key=lambda e: getattr(e, name))
    return Reading(getattr(entry, name), entry.observed_at, entry)


def observation_summary(session, observations=None) -> ObservationSummary:
    """Pre-dose, peak and last BP, lowest SpO₂, deepest sedation, peak dissociation and NEWS2 of a session
    (for the session page, discharge, the REMS form and the dashboards). Pass prefetched `observations`
    (oldest first) to run no query."""
    if observations is None:
        observations = list(session.observations.order_by("observed_at", "pk"))
    observations = sorted(observations, key=lambda e: (e.observed_at, e.pk or 0))
    check = getattr(session, "pre_dose_check", None)
    vitals = check.vitals if check is not None else None
    pre_dose = Reading(_bp(vitals), vitals.measured_at) if vitals is not None and vitals.systolic is not None else None
    bps = [entry for entry in observations if entry.systolic is not None]
    # max() and min() keep the first of equals: the earliest peak, the earliest low
    peak = max(bps, key=lambda e: e.systolic) if bps else None
    return ObservationSummary(
        pre_dose_bp=pre_dose,
        peak_bp=Reading(_bp(peak), peak.observed_at, peak) if peak else None,
        last_bp=Reading(_bp(bps[-1]), bps[-1].observed_at, bps[-1]) if bps else None,
        lowest_spo2=_extreme(observations, "spo2", min),
        deepest_sedation=_extreme(observations, "moaas", min),
        peak_dissociation=_extreme(observations, "dissociation", max),
        peak_news2=_extreme(observations, "news2", max),
        entries=len(observations),
        serious_alerts=sum(1 for entry in observations if rules.is_serious(entry.alerts or [])),
    )
