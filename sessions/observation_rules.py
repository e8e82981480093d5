"""In-session observation rules, as data with their source (domain.md §1.6, §2, §8).

Two parts:

- **NEWS2** (Royal College of Physicians, 2017) [S144,S147]: each parameter scores 0–3 by the bands
  below; the aggregate and the highest single score give the clinical response band. `news2(entry)`
  scores what was measured; parameters that were not measured simply don't score, and the result
  says "partial" when some are missing.
- **In-session alerts** ("In-session alert / escalate" column of domain.md §8): each rule has a
  code, a level (notify < urgent < emergency), a message saying what to do, the source, and the
  fields it reads (so a later reading of the same thing can tell whether it is still open).
  `evaluate(entry, baseline_systolic=..., previous=...)` lists the rules an entry raises.

Every threshold is a default a clinic's medical director signs off, not a fixed truth.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

NEWS2_SOURCE = "[S144,S147]"

# --- NEWS2 scoring tables ------------------------------------------------------------------------
# Each band is (highest value in the band, inclusive, or None for "and above", score); the first band
# whose upper limit the value does not exceed is the one that scores.

Bands = tuple[tuple[Decimal | None, int], ...]


def _bands(*pairs) -> Bands:
    return tuple((None if upper is None else Decimal(str(upper)), score) for upper, score in pairs)


@dataclass(frozen=True)
class News2Parameter:
    field: str
    label: str
    bands: Bands
    source: str = NEWS2_SOURCE

    def score(self, value) -> int:
        value = Decimal(str(value))
        for upper, points in self.bands:
            if upper is None or value <= upper:
                return points
        raise AssertionError("the last band is open-ended")  # pragma: no cover


NEWS2_PARAMETERS: tuple[News2Parameter, ...] = (
    # respiration rate (per minute): ≤8 → 3; 9–11 → 1; 12–20 → 0; 21–24 → 2; ≥25 → 3
    News2Parameter("respiratory_rate", _("Respiration rate"), _bands((8, 3), (11, 1), (20, 0), (24, 2), (None, 3))),
    # SpO₂ scale 1 (%): ≤91 → 3; 92–93 → 2; 94–95 → 1; ≥96 → 0
    News2Parameter("spo2", _("SpO₂ (scale 1)"), _bands((91, 3), (93, 2), (95, 1), (None, 0))),
    # systolic BP (mmHg): ≤90 → 3; 91–100 → 2; 101–110 → 1; 111–219 → 0; ≥220 → 3
    News2Parameter("systolic", _("Systolic BP"), _bands((90, 3), (100, 2), (110, 1), (219, 0), (None, 3))),
    # pulse (per minute): ≤40 → 3; 41–50 → 1; 51–90 → 0; 91–110 → 1; 111–130 → 2; ≥131 → 3
    News2Parameter("heart_rate", _("Pulse"), _bands((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (None, 3))),
    # temperature (°C): ≤35.0 → 3; 35.1–36.0 → 1; 36.1–38.0 → 0; 38.1–39.0 → 1; ≥39.1 → 2
    News2Parameter(
        "temperature_c", _("Temperature"), _bands(("35.0", 3), ("36.0", 1), ("38.0", 0), ("39.0", 1), (None, 2))
    ),
)
# Air or oxygen: any supplemental oxygen scores 2, air 0.
NEWS2_OXYGEN_SCORE = 2
# Consciousness (ACVPU): Alert 0; new Confusion, Voice, Pain or Unresponsive 3.
NEWS2_CONSCIOUSNESS = {"A": 0, "C": 3, "V": 3, "P": 3, "U": 3}
# The six measured parameters ("air or oxygen" is always known: the box is ticked or not).
NEWS2_MEASURED = (*(p.field for p in NEWS2_PARAMETERS), "avpu")
NEWS2_LABELS = {p.field: p.label for p in NEWS2_PARAMETERS} | {"avpu": _("Consciousness")}


@dataclass(frozen=True)
class ResponseBand:
    code: str
    label: str
    response: str
    css: str  # Bootstrap classes for the score's badge


# Aggregate response [S144,S147]: 0 routine; 1–4 low (ward-level review); any single parameter scoring 3,
# or a total of 5–6, urgent review; 7 or more, emergency response.
ROUTINE = ResponseBand("routine", _("Routine"), _("Continue routine monitoring."), "text-bg-success")
LOW = ResponseBand("low", _("Low"), _("Low score: the monitoring clinician reviews."), "text-bg-warning")
URGENT = ResponseBand(
    "urgent",
    _("Urgent"),
    _("Urgent review by the prescriber on site."),
    "bg-danger-subtle text-danger-emphasis border border-danger",
)
EMERGENCY = ResponseBand("emergency", _("Emergency"), _("Emergency response."), "text-bg-danger")
RESPONSE_BANDS = {band.code: band for band in (ROUTINE, LOW, URGENT, EMERGENCY)}


def response_band(total: int, *, any_three: bool) -> ResponseBand:
    if total >= 7:
        return EMERGENCY
    if total >= 5 or any_three:
        return URGENT
    if total >= 1:
        return LOW
    return ROUTINE


@dataclass(frozen=True)
class News2:
    total: int
    scores: dict[str, int]  # the parameters that scored, by field
    missing: tuple[str, ...]  # measured parameters not recorded
    band: ResponseBand

    @property
    def partial(self) -> bool:
        return bool(self.missing)

    @property
    def any_three(self) -> bool:
        return any(score == 3 for score in self.scores.values())


def _get(entry, name):
    if isinstance(entry, Mapping):
        return entry.get(name)
    return getattr(entry, name, None)


def news2(entry) -> News2 | None:
    """The NEWS2 of one entry (a model instance or a mapping of its fields), from what it measured.

    None when it measured none of the six parameters (a note alone has no score). On oxygen scores 2
    whenever there is a score at all.
    """
    scores: dict[str, int] = {}
    for parameter in NEWS2_PARAMETERS:
        value = _get(entry, parameter.field)
        if value is not None:
            scores[parameter.field] = parameter.score(value)
    avpu = _get(entry, "avpu")
    if avpu:
        scores["avpu"] = NEWS2_CONSCIOUSNESS[avpu]
    if not scores:
        return None
    if _get(entry, "on_oxygen"):
        scores["on_oxygen"] = NEWS2_OXYGEN_SCORE
    missing = tuple(name for name in NEWS2_MEASURED if name not in scores)
    total = sum(scores.values())
    return News2(
        total=total,
        scores=scores,
        missing=missing,
        band=response_band(total, any_three=any(score == 3 for score in scores.values())),
    )


def band_of(entry) -> ResponseBand | None:
    """The response band of an entry (stored or not), computed from what it measured."""
    score = news2(entry)
    return score.band if score else None


# --- in-session alert rules ----------------------------------------------------------------------

NOTIFY, URGENT_LEVEL, EMERGENCY_LEVEL = "notify", "urgent", "emergency"
LEVELS = (NOTIFY, URGENT_LEVEL, EMERGENCY_LEVEL)  # from least to most serious
LEVEL_CSS = {
    NOTIFY: "text-bg-warning",
    URGENT_LEVEL: "bg-danger-subtle text-danger-emphasis border border-danger",
    EMERGENCY_LEVEL: "text-bg-danger",
}
LEVEL_LABELS = {NOTIFY: _("Notify"), URGENT_LEVEL: _("Urgent"), EMERGENCY_LEVEL: _("Emergency")}

SUSTAINED_AFTER = datetime.timedelta(minutes=5)  # "sustained >120 for 5 min" (clinic protocol) [S143]
REPEAT_WITHIN = datetime.timedelta(minutes=15)  # a previous reading this recent counts as "2 readings" [S142]


@dataclass(frozen=True)
class Context:
    """What a rule may compare the entry with: the pre-dose baseline and the session's earlier entries
    (oldest first), and the time of this entry."""

    observed_at: datetime.datetime | None = None
    baseline_systolic: int | None = None
    previous: tuple = ()

    def last_with(self, name: str):
        """The latest earlier entry that measured `name`."""
        for entry in reversed(self.previous):
            if _get(entry, name) is not None:
                return entry
        return None


@dataclass(frozen=True)
class AlertRule:
    code: str
    level: str
    title: str  # a few words, for the board
    message: str  # what it means and what to do
    source: str
    fields: tuple[str, ...]  # what the rule reads: a newer reading of these closes the alert
    test: Callable[[object, Context], bool] = field(repr=False, compare=False)


def _v(entry, name, default=None):
    value = _get(entry, name)
    return default if value is None else value


def _sbp(entry) -> int | None:
    return _get(entry, "systolic")


def _dbp(entry) -> int | None:
    return _get(entry, "diastolic")


def _recent(ctx: Context, earlier) -> bool:
    at, then = ctx.observed_at, _get(earlier, "observed_at")
    return at is None or then is None or at - then <= REPEAT_WITHIN


def _bp_high_repeated(entry, ctx: Context) -> bool:
    sbp, dbp = _sbp(entry), _dbp(entry)
    if sbp is None or not (sbp >= 180 or (dbp or 0) >= 110) or sbp >= 200 or (dbp or 0) >= 120:
        return False
    earlier = ctx.last_with("systolic")
    return earlier is not None and (_sbp(earlier) >= 180 or (_dbp(earlier) or 0) >= 110) and _recent(ctx, earlier)


def _hr_sustained(entry, ctx: Context) -> bool:
    hr = _get(entry, "heart_rate")
    if hr is None or hr <= 120:
        return False
    earlier = ctx.last_with("heart_rate")
    if earlier is None or _get(earlier, "heart_rate") <= 120:
        return False
    at, then = ctx.observed_at, _get(earlier, "observed_at")
    return at is not None and then is not None and at - then >= SUSTAINED_AFTER


def _news2_total(entry) -> int | None:
    score = news2(entry)
    return score.total if score else None


ALERT_RULES: tuple[AlertRule, ...] = (
    # --- blood pressure [S49,S50,S51,S140,S141,S142,S143,S144]
    AlertRule(
        "bp_crisis",
        EMERGENCY_LEVEL,
        _("BP ≥200/120"),
        _(
            "BP at or above 200/120 mmHg: emergency. Call the prescriber now; look for chest pain, severe "
            "headache, visual change, confusion or a focal deficit."
        ),
        "[S142,S140,S49]",
        ("systolic", "diastolic"),
        lambda e, c: (_sbp(e) is not None and _sbp(e) >= 200) or (_dbp(e) is not None and _dbp(e) >= 120),
    ),
    AlertRule(
        "bp_high_repeated",
        URGENT_LEVEL,
        _("BP ≥180/110 twice"),
        _("BP at or above 180/110 mmHg on two readings in a row: get the prescriber to the patient."),
        "[S142,S143]",
        ("systolic", "diastolic"),
        _bp_high_repeated,
    ),
    AlertRule(
        "sbp_high",
        NOTIFY,
        _("Systolic ≥180"),
        _("Systolic BP 180 mmHg or more: recheck in 5 minutes and tell the prescriber."),
        "[S141,S142,S143]",
        ("systolic",),
        lambda e, c: _sbp(e) is not None and 180 <= _sbp(e) < 200 and not _bp_high_repeated(e, c),
    ),
    AlertRule(
        "dbp_high",
        NOTIFY,
        _("Diastolic ≥110"),
        _("Diastolic BP 110 mmHg or more: recheck in 5 minutes and tell the prescriber."),
        "[S142,S143]",
        ("diastolic",),
        lambda e, c: _dbp(e) is not None and 110 <= _dbp(e) < 120 and not _bp_high_repeated(e, c),
    ),
    AlertRule(
        "sbp_rise",
        NOTIFY,
        _("Systolic +40 over pre-dose"),
        _("Systolic BP 40 mmHg or more above the pre-dose reading: recheck in 5 minutes and tell the prescriber."),
        "[S51,S142]",
        ("systolic",),
        lambda e, c: _sbp(e) is not None and c.baseline_systolic is not None and _sbp(e) - c.baseline_systolic >= 40,
    ),
    AlertRule(
        "sbp_low",
        URGENT_LEVEL,
        _("Systolic ≤90"),
        _("Systolic BP 90 mmHg or less (NEWS2 3): lay the patient flat, recheck and get the prescriber."),
        "[S144]",
        ("systolic",),
        lambda e, c: _sbp(e) is not None and _sbp(e) <= 90,
    ),
    # --- heart rate [S141,S143,S144]
    AlertRule(
        "hr_sustained",
        URGENT_LEVEL,
        _("HR >120 for 5 min"),
        _("Heart rate above 120 bpm for 5 minutes or more: get the prescriber to the patient."),
        "[S143,S144]",
        ("heart_rate",),
        _hr_sustained,
    ),
    AlertRule(
        "hr_high",
        NOTIFY,
        _("HR >120"),
        _("Heart rate above 120 bpm: recheck in 5 minutes; if it stays above 120, tell the prescriber."),
        "[S143,S144]",
        ("heart_rate",),
        lambda e, c: _get(e, "heart_rate") is not None and _get(e, "heart_rate") > 120 and not _hr_sustained(e, c),
    ),
    # --- oxygen and breathing [S141,S144,S146]
    AlertRule(
        "hypoxemia",
        EMERGENCY_LEVEL,
        _("SpO₂ <90%"),
        _("SpO₂ below 90%: hypoxemia. Stimulate the patient, give oxygen and escalate now."),
        "[S144,S146]",
        ("spo2",),
        lambda e, c: _get(e, "spo2") is not None and _get(e, "spo2") < 90,
    ),
    AlertRule(
        "spo2_low",
        URGENT_LEVEL,
        _("SpO₂ ≤91%"),
        _(
            "SpO₂ 91% or less (NEWS2 3): check the airway and the probe, stimulate, consider oxygen, "
            "tell the prescriber."
        ),
        "[S144]",
        ("spo2",),
        lambda e, c: _get(e, "spo2") is not None and 90 <= _get(e, "spo2") <= 91,
    ),
    AlertRule(
        "rr_low",
        URGENT_LEVEL,
        _("RR ≤8"),
        _("Respiratory rate 8 a minute or less (NEWS2 3): stimulate, check SpO₂, get the prescriber."),
        "[S141,S144]",
        ("respiratory_rate",),
        lambda e, c: _get(e, "respiratory_rate") is not None and _get(e, "respiratory_rate") <= 8,
    ),
    # --- sedation and consciousness [S23,S24,S144]
    AlertRule(
        "moaas_zero",
        EMERGENCY_LEVEL,
        _("MOAA/S 0"),
        _("MOAA/S 0: no response to a painful stimulus. Airway, breathing, circulation; emergency response."),
        "[S23]",
        ("moaas",),
        lambda e, c: _get(e, "moaas") == 0,
    ),
    AlertRule(
        "moaas_low",
        URGENT_LEVEL,
        _("MOAA/S ≤3"),
        _(
            "MOAA/S 3 or less: moderate or deeper sedation. Stay with the patient, watch SpO₂ and breathing, "
            "tell the prescriber."
        ),
        "[S23]",
        ("moaas",),
        lambda e, c: _get(e, "moaas") is not None and 1 <= _get(e, "moaas") <= 3,
    ),
    AlertRule(
        "avpu_unresponsive",
        EMERGENCY_LEVEL,
        _("Unresponsive"),
        _("Unresponsive (AVPU U): airway, breathing, circulation; emergency response."),
        "[S144,S23]",
        ("avpu",),
        lambda e, c: _get(e, "avpu") == "U",
    ),
    AlertRule(
        "avpu_reduced",
        URGENT_LEVEL,
        _("New confusion, V or P"),
        _("New confusion, or responds only to voice or pain (NEWS2 3): get the prescriber to the patient."),
        "[S144]",
        ("avpu",),
        lambda e, c: _get(e, "avpu") in ("C", "V", "P"),
    ),
    # --- the NEWS2 aggregate [S144,S147]
    AlertRule(
        "news2_emergency",
        EMERGENCY_LEVEL,
        _("NEWS2 ≥7"),
        _("NEWS2 7 or more: emergency response."),
        NEWS2_SOURCE,
        NEWS2_MEASURED,
        lambda e, c: (_news2_total(e) or 0) >= 7,
    ),
    AlertRule(
        "news2_urgent",
        URGENT_LEVEL,
        _("NEWS2 5–6"),
        _("NEWS2 5 or 6: urgent review by the prescriber."),
        NEWS2_SOURCE,
        NEWS2_MEASURED,
        lambda e, c: 5 <= (_news2_total(e) or 0) <= 6,
    ),
    AlertRule(
        "news2_single_3",
        URGENT_LEVEL,
        _("NEWS2: a single 3"),
        _("One NEWS2 parameter scores 3: urgent review by the prescriber."),
        NEWS2_SOURCE,
        NEWS2_MEASURED,
        lambda e, c: (score := news2(e)) is not None and score.any_three and score.total < 5,
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in ALERT_RULES}


def evaluate(entry, *, observed_at=None, baseline_systolic=None, previous: Iterable = ()) -> list[dict]:
    """The alerts `entry` raises, most serious first, as stored on the entry:
    `{"code", "level", "title", "message", "source"}`. `previous` are the session's earlier entries, oldest first.

    "One NEWS2 parameter scores 3" is kept only for a parameter no more specific urgent rule named
    (e.g. a temperature of 35 °C or a pulse of 40), with that parameter in its message.
    """
    ctx = Context(
        observed_at=observed_at or _get(entry, "observed_at"),
        baseline_systolic=baseline_systolic,
        previous=tuple(previous),
    )
    raised = [rule for rule in ALERT_RULES if rule.test(entry, ctx)]
    alerts = []
    for rule in raised:
        title, message = str(rule.title), str(rule.message)
        if rule.code == "news2_single_3":
            covered = {
                name
                for other in raised
                if other.level != NOTIFY and other.fields != NEWS2_MEASURED
                for name in other.fields
            }
            threes = [name for name, score in news2(entry).scores.items() if score == 3 and name not in covered]
            if not threes:
                continue
            named = ", ".join(str(NEWS2_LABELS[name]) for name in threes)
            title, message = f"{title} ({named})", f"{message} ({named})"
        alerts.append(
            {
                "code": rule.code,
                "level": rule.level,
                "title": title,
                "message": message,
                "source": rule.source,
            }
        )
    alerts.sort(key=lambda alert: -LEVELS.index(alert["level"]))
    return alerts


def top_level(alerts: Iterable[Mapping]) -> str | None:
    """The most serious level among `alerts` (None when there are none)."""
    levels = [alert.get("level") for alert in alerts if alert.get("level") in LEVELS]
    return max(levels, key=LEVELS.index) if levels else None


def is_serious(alerts: Iterable[Mapping]) -> bool:
    """Does any alert call for more than a notification (urgent or emergency)?"""
    return top_level(alerts) in (URGENT_LEVEL, EMERGENCY_LEVEL)
