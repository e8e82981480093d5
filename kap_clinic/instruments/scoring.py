"""Scoring: answers (item key → option value) in, a `Score` out. Rules from `shared/domain.md` §1."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import definitions as d


class Risk:
    """C-SSRS screener triage levels (domain.md §1.5), lowest first."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    ORDER = (NONE, LOW, MODERATE, HIGH)
    LABELS = {NONE: "No risk identified", LOW: "Low risk", MODERATE: "Moderate risk", HIGH: "High risk"}
    LEVELS = {NONE: "success", LOW: "warning", MODERATE: "orange", HIGH: "danger"}


@dataclass
class Score:
    instrument: str
    total: int | None
    band: str = ""
    level: str = "secondary"  # display colour of the band
    subscores: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # machine keys, e.g. "phq9_item9", "cssrs_high"
    risk: str = ""  # C-SSRS only
    positive: bool | None = None  # PCL-5: at or above the clinic's cutoff

    @property
    def needs_safety_alert(self) -> bool:
        return bool(set(self.flags) & SAFETY_FLAGS)


SAFETY_FLAGS = {"phq9_item9", "cssrs_moderate", "cssrs_high"}
FLAG_LABELS = {
    "phq9_item9": "PHQ-9 item 9 (thoughts of death or self-harm) answered above 'Not at all'",
    "cssrs_low": "Risk screen: low risk",
    "cssrs_moderate": "Risk screen: moderate risk",
    "cssrs_high": "Risk screen: high risk — defer dosing, evaluate now",
    "pcl5_provisional_dsm5": "PCL-5: DSM-5 symptom pattern met (provisional PTSD)",
    "pcl5_above_cutoff": "PCL-5 total at or above the clinic's cutoff (provisional PTSD)",
    "gad7_screen_positive": "GAD-7 ≥ 10: screen positive for anxiety",
}


def validate_answers(instrument: d.Instrument, answers: dict) -> dict[str, int]:
    """Every scored item answered with one of its options (C-SSRS: as its skip logic asks)."""
    allowed = {value for value, _label in instrument.options}
    required = [item.key for item in instrument.items]
    if instrument.key == d.CSSRS.key:
        required = cssrs_required(answers)
    clean: dict[str, int] = {}
    for key in required:
        value = answers.get(key)
        if value in ("", None):
            raise ValidationError(_("Please answer every question."), code="incomplete")
        clean[key] = _choice(value, allowed)
    extra_allowed = {value for value, _label in instrument.extra_options}
    for item in instrument.extra_items:
        value = answers.get(item.key)
        if value not in ("", None):
            clean[item.key] = _choice(value, extra_allowed)
    return clean


def _choice(value, allowed: set[int]) -> int:
    """An option value as posted ("2") or stored (2). Anything else is refused rather than coerced: int()
    would turn 2.5 into 2 and True into 1, and raise a bare ValueError on text."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise ValidationError(_("An answer is not one of the choices."), code="invalid")
    return value


def cssrs_required(answers: dict) -> list[str]:
    """Skip logic [S38]: always Q1, Q2 and Q6; Q3–Q5 only when Q2 is yes; the recency follow-up when Q6 is yes."""
    required = ["q1", "q2"]
    if str(answers.get("q2")) == "1":
        required += ["q3", "q4", "q5"]
    required.append("q6")
    if str(answers.get("q6")) == "1":
        required.append("q6_recent")
    return required


def score(instrument: d.Instrument | str, answers: dict, *, pcl5_cutoff: int = d.PCL5_DEFAULT_CUTOFF) -> Score:
    """Score validated `answers`. Raises ValidationError when an answer is missing or out of range."""
    if isinstance(instrument, str):
        instrument = d.instrument(instrument)
    answers = validate_answers(instrument, answers)
    if instrument.key == d.CSSRS.key:
        return _score_cssrs(answers)
    total = sum(answers[item.key] for item in instrument.scored_items)
    result = Score(instrument=instrument.key, total=total)
    band = instrument.band_for(total)
    if band:
        result.band, result.level = str(band.label), band.level
    if instrument.key == d.PHQ9.key and answers["q9"] >= 1:
        result.flags.append("phq9_item9")
    if instrument.key == d.GAD7.key and total >= 10:
        result.flags.append("gad7_screen_positive")
    if instrument.key == d.PCL5.key:
        _score_pcl5(result, answers, pcl5_cutoff)
    return result


def _score_pcl5(result: Score, answers: dict[str, int], cutoff: int) -> None:
    result.subscores = {name: sum(answers[key] for key in keys) for name, keys in d.PCL5.subscales.items()}
    result.positive = result.total >= cutoff
    if result.positive:
        result.flags.append("pcl5_above_cutoff")
        result.band, result.level = _("At or above cutoff (%(cutoff)s)") % {"cutoff": cutoff}, "danger"
    else:
        result.band, result.level = _("Below cutoff (%(cutoff)s)") % {"cutoff": cutoff}, "success"
    symptoms = {
        name: sum(1 for key in keys if answers[key] >= d.PCL5_SYMPTOM_THRESHOLD)
        for name, keys in d.PCL5.subscales.items()
    }
    if all(symptoms[name] >= minimum for name, minimum in d.PCL5_CLUSTER_MINIMUM.items()):
        result.flags.append("pcl5_provisional_dsm5")


def cssrs_risk(answers: dict[str, int]) -> str:
    """Triage (domain.md §1.5): high = Q4 or Q5, or behavior within 3 months; moderate = Q3, or older
    behavior; low = only Q1 and/or Q2; none = all no."""
    yes = {key for key, value in answers.items() if value == 1}
    if yes & {"q4", "q5"} or {"q6", "q6_recent"} <= yes:
        return Risk.HIGH
    if "q3" in yes or "q6" in yes:
        return Risk.MODERATE
    if yes & {"q1", "q2"}:
        return Risk.LOW
    return Risk.NONE


def _score_cssrs(answers: dict[str, int]) -> Score:
    risk = cssrs_risk(answers)
    result = Score(instrument=d.CSSRS.key, total=None, risk=risk, band=_(Risk.LABELS[risk]), level=Risk.LEVELS[risk])
    if risk != Risk.NONE:
        result.flags.append(f"cssrs_{risk}")
    return result
