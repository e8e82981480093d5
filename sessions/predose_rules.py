"""The pre-dose check's rules, as data: what needs a prescriber's review and what holds the dose.

Each rule has a code, an outcome (REVIEW: a prescriber must look and clear it with a written reason;
HOLD: do not dose), a title, its threshold in words, its source in `shared/domain.md` (section and
[Sn] tags), and whether a prescriber may override it with a written reason. `evaluate` applies them
to the facts of one check (`Facts`); nothing else decides a pre-dose outcome.

Holds a prescriber may NOT override: the consent is not current (the patient must sign it), the
eligibility is not valid (a signed eligible assessment and a signed plan are needed), pregnancy, and
no ride home. The others (BP, the risk screen, HR, RR, temperature, fasting) a prescriber may clear
with a written reason (the issue: "a prescriber may override only with a written reason").

The thresholds are the defaults domain.md gives (§8 "pre-dose hold/defer", configurable there); a
clinic's medical director reviews them. They are not medical advice.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REVIEW = "review"
HOLD = "hold"
PASS = "pass"  # noqa: S105 (an outcome, not a password)

# --- thresholds (domain.md §8, the "pre-dose hold/defer" column) ----------------------------------
BP_REVIEW_ABOVE = (140, 90)  # > 140/90 mmHg: weigh a delay (Spravato "general guide") [S49,S50]
BP_HOLD_AT = (180, 110)  # SBP ≥ 180 or DBP ≥ 110: do not dose [S139,S140,S88,S141]
HR_REVIEW_ABOVE = 120  # resting HR > 120 bpm: review [S141,S143]
HR_HOLD_ABOVE = 150  # HR > 150 bpm: do not dose (ED ketamine protocol) [S141]
RR_HOLD_OUTSIDE = (10, 30)  # RR < 10 or > 30 /min: do not dose [S141]
SPO2_REVIEW_BELOW = 94  # SpO2 < 94 % on room air: review (NEWS2 scale 1) [S144]
TEMPERATURE_HOLD_AT = Decimal("38.0")  # ≥ 38.0 °C, febrile illness: reschedule (clinic policy, L) [S144]

# PHQ-9: 2-week recall, so at most weekly before doses (domain.md §7.2) [S41,S66].
PHQ9_INTERVAL_DAYS = 7


@dataclass(frozen=True)
class Facts:
    """Everything the rules read about one pre-dose check."""

    consent_current: bool
    eligibility_valid: bool
    eligibility_problem: str  # why not, in words ("" when valid)
    hours_since_food: Decimal
    hours_since_fluids: Decimal
    fasting_food_hours: Decimal  # the plan's
    fasting_fluids_hours: Decimal
    escort_required: bool  # the plan's
    escort_name: str
    escort_phone: str
    alcohol_last_24h: bool
    held_medications_last_24h: bool
    medication_holds: str  # the plan's list, quoted in the finding
    new_medications: bool
    new_medications_details: str
    pregnancy: str  # PreDoseCheck.Pregnancy value
    pregnancy_relevant: bool
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None
    temperature_c: Decimal | None = None
    risk: str = ""  # this check's risk screen: none / low / moderate / high
    open_risk_alert: str = ""  # an unacknowledged risk-screen alert of the patient: "" / moderate / high
    phq9_item9: int | None = None  # this check's PHQ-9 item 9, if one was taken
    open_phq9_alert: bool = False


@dataclass(frozen=True)
class Rule:
    code: str
    outcome: str  # REVIEW or HOLD
    title: str
    threshold: str
    source: str
    overridable: bool
    fires: Callable[[Facts], str | None]  # the finding's detail when the rule applies, else None


def _n(value) -> str:
    return f"{Decimal(value).normalize():f}" if value is not None else ""


def _bp(f: Facts) -> str:
    return f"{f.systolic}/{f.diastolic} mmHg"


def _bp_crisis(f: Facts) -> bool:
    return f.systolic is not None and (f.systolic >= BP_HOLD_AT[0] or (f.diastolic or 0) >= BP_HOLD_AT[1])


def _bp_high(f: Facts) -> str | None:
    if f.systolic is None or _bp_crisis(f):  # the hold takes over
        return None
    if f.systolic > BP_REVIEW_ABOVE[0] or (f.diastolic or 0) > BP_REVIEW_ABOVE[1]:
        return _("Blood pressure %(bp)s is above 140/90 mmHg.") % {"bp": _bp(f)}
    return None


def _bp_hold(f: Facts) -> str | None:
    if _bp_crisis(f):
        return _("Blood pressure %(bp)s: systolic 180 or more, or diastolic 110 or more.") % {"bp": _bp(f)}
    return None


def _hr_high(f: Facts) -> str | None:
    if f.heart_rate is not None and HR_REVIEW_ABOVE < f.heart_rate <= HR_HOLD_ABOVE:
        return _("Heart rate %(hr)s bpm at rest is above 120 bpm.") % {"hr": f.heart_rate}
    return None


def _hr_hold(f: Facts) -> str | None:
    if f.heart_rate is not None and f.heart_rate > HR_HOLD_ABOVE:
        return _("Heart rate %(hr)s bpm is above 150 bpm.") % {"hr": f.heart_rate}
    return None


def _rr_hold(f: Facts) -> str | None:
    low, high = RR_HOLD_OUTSIDE
    if f.respiratory_rate is not None and not low <= f.respiratory_rate <= high:
        return _("Respiratory rate %(rr)s /min is outside 10–30 /min.") % {"rr": f.respiratory_rate}
    return None


def _spo2_low(f: Facts) -> str | None:
    if f.spo2 is not None and f.spo2 < SPO2_REVIEW_BELOW:
        return _("SpO₂ %(spo2)s %% is below 94 %%.") % {"spo2": f.spo2}
    return None


def _fever(f: Facts) -> str | None:
    if f.temperature_c is not None and f.temperature_c >= TEMPERATURE_HOLD_AT:
        return _("Temperature %(t)s °C is 38.0 °C or more.") % {"t": _n(f.temperature_c)}
    return None


RISK_LABELS = {"moderate": gettext_lazy("moderate"), "high": gettext_lazy("high")}


def _risk(level: str) -> Callable[[Facts], str | None]:
    def fires(f: Facts) -> str | None:
        if f.risk == level:
            return _("Today's risk screen: %(level)s risk.") % {"level": RISK_LABELS[level]}
        if f.open_risk_alert == level and f.risk != "high":
            return _("A %(level)s-risk safety alert from an earlier risk screen is still open (not acknowledged).") % {
                "level": RISK_LABELS[level]
            }
        return None

    return fires


def _phq9_item9(f: Facts) -> str | None:
    if f.phq9_item9:
        return _("PHQ-9 item 9 (thoughts of death or self-harm) answered %(value)s (above “Not at all”).") % {
            "value": f.phq9_item9
        }
    if f.open_phq9_alert:
        return _("A PHQ-9 item 9 safety alert is still open (not acknowledged).")
    return None


def _fasting(f: Facts) -> str | None:
    short = []
    if f.hours_since_food < f.fasting_food_hours:
        short.append(
            _("food %(h)s h (the plan asks %(plan)s h)")
            % {"h": _n(f.hours_since_food), "plan": _n(f.fasting_food_hours)}
        )
    if f.hours_since_fluids < f.fasting_fluids_hours:
        short.append(
            _("liquids %(h)s h (the plan asks %(plan)s h)")
            % {"h": _n(f.hours_since_fluids), "plan": _n(f.fasting_fluids_hours)}
        )
    return _("Fasting too short: %(what)s.") % {"what": "; ".join(short)} if short else None


def _escort(f: Facts) -> str | None:
    if f.escort_required and not (f.escort_name.strip() and f.escort_phone.strip()):
        return _("No escort's name and phone: a ride home must be confirmed before the dose.")
    return None


def _consent(f: Facts) -> str | None:
    if not f.consent_current:
        return _("The patient has not signed the clinic's current consent.")
    return None


def _eligibility(f: Facts) -> str | None:
    if f.eligibility_valid:
        return None
    return f.eligibility_problem or _("No signed eligible assessment, or the session's plan is not signed.")


def _alcohol(f: Facts) -> str | None:
    return _("Alcohol in the last 24 hours (additive sedation).") if f.alcohol_last_24h else None


def _held_medications(f: Facts) -> str | None:
    if not f.held_medications_last_24h:
        return None
    if f.medication_holds.strip():
        return _("A medication the plan holds was taken in the last 24 hours. The plan's holds: %(holds)s") % {
            "holds": f.medication_holds.strip()
        }
    return _("A medication to be held on dosing day was taken in the last 24 hours.")


def _new_medications(f: Facts) -> str | None:
    if not f.new_medications:
        return None
    details = f.new_medications_details.strip()
    return _("New medications since the last visit: %(details)s") % {"details": details or _("(not described)")}


def _pregnant(f: Facts) -> str | None:
    return _("The patient is pregnant.") if f.pregnancy == "pregnant" else None


def _pregnancy_unknown(f: Facts) -> str | None:
    if f.pregnancy == "unknown" and f.pregnancy_relevant:
        return _("Pregnancy status unknown.")
    return None


L = gettext_lazy
RULES: tuple[Rule, ...] = (
    # --- holds a prescriber can't override --------------------------------------------------------
    Rule(
        "consent_not_current",
        HOLD,
        L("Consent not current"),
        L("The patient has signed the clinic's latest published consent"),
        "domain.md §5 (informed consent) [S105–S110]",
        False,
        _consent,
    ),
    Rule(
        "eligibility_not_valid",
        HOLD,
        L("Eligibility not valid"),
        L("A signed assessment found the patient eligible, and the session's treatment plan is signed"),
        "architecture.md (no dosing without an eligible assessment); domain.md §4",
        False,
        _eligibility,
    ),
    Rule(
        "pregnant",
        HOLD,
        L("Pregnant"),
        L("Pregnancy: Spravato may cause fetal harm and is not recommended; consents list it as a contraindication"),
        "domain.md §4.2 [S91,S92]",
        False,
        _pregnant,
    ),
    Rule(
        "no_escort",
        HOLD,
        L("No ride home"),
        L("An escort's name and phone; no driving until the next day — confirm the ride before dosing or reschedule"),
        "domain.md §2, §5 [S48,S104]",
        False,
        _escort,
    ),
    # --- holds a prescriber may override with a written reason --------------------------------------
    Rule(
        "bp_crisis",
        HOLD,
        L("Blood pressure too high to dose"),
        L("Systolic ≥ 180 mmHg or diastolic ≥ 110 mmHg"),
        "domain.md §8 [S139,S140,S88,S141]",
        True,
        _bp_hold,
    ),
    Rule(
        "risk_high",
        HOLD,
        L("High-risk suicide screen"),
        L("Risk screen high (Q4 or Q5 yes, or behavior within 3 months): defer dosing, evaluate now"),
        "domain.md §1.5, §4.2 [S15,S16]",
        True,
        _risk("high"),
    ),
    Rule(
        "heart_rate_very_high",
        HOLD,
        L("Heart rate too high to dose"),
        L("Heart rate > 150 bpm"),
        "domain.md §8 [S141]",
        True,
        _hr_hold,
    ),
    Rule(
        "respiratory_rate",
        HOLD,
        L("Respiratory rate out of range"),
        L("Respiratory rate < 10 or > 30 /min"),
        "domain.md §8 [S141]",
        True,
        _rr_hold,
    ),
    Rule(
        "fever",
        HOLD,
        L("Fever: reschedule"),
        L("Temperature ≥ 38.0 °C (febrile illness; clinic policy, low confidence)"),
        "domain.md §8 [S144] (L)",
        True,
        _fever,
    ),
    Rule(
        "fasting_short",
        HOLD,
        L("Fasting shorter than the plan asks"),
        L("Hours without food and without liquids at least the plan's (per route)"),
        "domain.md §2, §5 [S53,S97,S101,S102]",
        True,
        _fasting,
    ),
    # --- a prescriber's review ----------------------------------------------------------------------
    Rule(
        "bp_high",
        REVIEW,
        L("Blood pressure above 140/90"),
        L("Systolic > 140 mmHg or diastolic > 90 mmHg: weigh a delay (benefit vs. risk)"),
        "domain.md §2, §8 [S49,S50]",
        True,
        _bp_high,
    ),
    Rule(
        "risk_moderate",
        REVIEW,
        L("Moderate-risk suicide screen"),
        L("Risk screen moderate (Q3 yes, or behavior more than 3 months ago): behavioral-health consult"),
        "domain.md §1.5 [S15,S16]",
        True,
        _risk("moderate"),
    ),
    Rule(
        "phq9_item9",
        REVIEW,
        L("PHQ-9 item 9 above “Not at all”"),
        L("Any score ≥ 1 on item 9: same-day clinician review and a risk screen"),
        "domain.md §1.1 [S1]",
        True,
        _phq9_item9,
    ),
    Rule(
        "heart_rate_high",
        REVIEW,
        L("Heart rate above 120"),
        L("Resting heart rate > 120 bpm"),
        "domain.md §8 [S141,S143]",
        True,
        _hr_high,
    ),
    Rule(
        "spo2_low",
        REVIEW,
        L("SpO₂ below 94 %"),
        L("SpO₂ < 94 % on room air"),
        "domain.md §8 [S144]",
        True,
        _spo2_low,
    ),
    Rule(
        "alcohol",
        REVIEW,
        L("Alcohol in the last 24 hours"),
        L("Avoid alcohol 24 h before and after a dose (additive sedation)"),
        "domain.md §4.3, §5 [S98,S97]",
        True,
        _alcohol,
    ),
    Rule(
        "held_medications",
        REVIEW,
        L("Held medication taken"),
        L("A medication the plan holds on dosing day (e.g. benzodiazepines, lamotrigine) taken in the last 24 h"),
        "domain.md §4.3, §5 [S95,S96,S97]",
        True,
        _held_medications,
    ),
    Rule(
        "new_medications",
        REVIEW,
        L("New medications"),
        L("Any new medication since the last visit (interactions, §4.3)"),
        "domain.md §4.3, §5 item 10 [S95,S98]",
        True,
        _new_medications,
    ),
    Rule(
        "pregnancy_unknown",
        REVIEW,
        L("Pregnancy status unknown"),
        L("Where pregnancy is possible, its status is known before the dose"),
        "domain.md §4.2 [S91,S92]",
        True,
        _pregnancy_unknown,
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}

# Not a finding: the form itself is refused when a weight-based plan has no current weight.
WEIGHT_RULE = {
    "code": "weight_needed",
    "title": gettext_lazy("Weight needed"),
    "threshold": gettext_lazy(
        "A mg/kg plan needs a weight measured within the clinic's limit (Protocol settings: weight valid for N days)"
    ),
    "source": "domain.md §8 (weight row) [S145]",
}


def evaluate(facts: Facts) -> list[dict]:
    """The findings of the rules that fire, holds first: dicts of code, outcome, title, detail, source,
    overridable (what `PreDoseCheck.findings` stores)."""
    findings = []
    for rule in RULES:
        detail = rule.fires(facts)
        if detail:
            findings.append(
                {
                    "code": rule.code,
                    "outcome": rule.outcome,
                    "title": str(rule.title),
                    "detail": str(detail),
                    "source": rule.source,
                    "overridable": rule.overridable,
                }
            )
    return findings


def outcome_of(findings: list[dict]) -> str:
    """HOLD if any finding holds, REVIEW if any needs review, else PASS."""
    outcomes = {finding["outcome"] for finding in findings}
    return HOLD if HOLD in outcomes else REVIEW if REVIEW in outcomes else PASS


def overridable(findings: list[dict]) -> bool:
    """May a prescriber clear these findings with a written reason (none of them is a hard hold)?"""
    return bool(findings) and all(finding.get("overridable") for finding in findings)


def weight_is_current(measured_at: datetime.datetime | None, *, max_age_days: int, at: datetime.datetime) -> bool:
    """A weight measured at `measured_at` is recent enough for a mg/kg dose at `at`."""
    return measured_at is not None and at - measured_at <= datetime.timedelta(days=max_age_days)


def phq9_due(last_phq9_at: datetime.datetime | None, at: datetime.datetime) -> bool:
    """A PHQ-9 is due before a dose when none was completed in the last 7 days (2-week recall, at most
    weekly; domain.md §7.2 [S41,S66])."""
    return last_phq9_at is None or at - last_phq9_at >= datetime.timedelta(days=PHQ9_INTERVAL_DAYS)
