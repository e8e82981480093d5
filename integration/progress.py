"""Progress against baseline: every repeat PHQ-9, GAD-7 and PCL-5 compared with the patient's first baseline
(intake) response, by the definitions in `progress_rules` (domain.md §7.3).

`compare` is the rule itself, on two totals (what the boundary tests exercise); `progress_for(patient)` reads
the patient's responses in one query and gives, per instrument, the baseline, each later response with its
change and markers, the latest status and a plain-language summary.

Remission is only claimed for someone who was not already below the line at baseline: a PHQ-9 of 3 at intake
and 2 later is not a remission (NCQA's remission measure likewise starts from an elevated score [S4]).
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from intake.models import MeasureResponse
from kap_clinic.instruments import INSTRUMENTS

from .progress_rules import PROGRESS_INSTRUMENTS, PROGRESS_RULES, ProgressRule

REMISSION, RESPONSE, MEANINGFUL, RELIABLE, WORSE, NO_CHANGE = (
    "remission",
    "response",
    "meaningful",
    "reliable",
    "worse",
    "none",
)
STATUS_LEVELS = {
    REMISSION: "success",
    RESPONSE: "success",
    MEANINGFUL: "info",
    RELIABLE: "info",
    WORSE: "danger",
    NO_CHANGE: "secondary",
}


def status_label(status: str) -> str:
    return {
        REMISSION: _("Remission"),
        RESPONSE: _("Response"),
        MEANINGFUL: _("Meaningful improvement"),
        RELIABLE: _("Reliable improvement"),
        WORSE: _("Worse"),
        NO_CHANGE: _("No meaningful change"),
    }[status]


@dataclass(frozen=True)
class Markers:
    """A later total against the baseline total, by one instrument's rule."""

    baseline: int
    total: int
    change: int  # later − baseline: negative is better on all three instruments
    percent_change: Decimal | None  # to 0.1 %, toward zero; None when the baseline is 0
    response: bool
    remission: bool
    meaningful: bool  # improved by at least the meaningful change
    reliable: bool  # improved by at least the reliable change (PCL-5)
    worse: bool  # rose by at least the reliable (else meaningful) change
    significant: bool | None  # PHQ-9's original "clinically significant change"; None for the others
    remission_threshold: int
    below_threshold_at_baseline: bool

    @property
    def drop(self) -> int:
        return -self.change

    @property
    def status(self) -> str:
        if self.remission:
            return REMISSION
        if self.response:
            return RESPONSE
        if self.worse:
            return WORSE
        if self.meaningful:
            return MEANINGFUL
        if self.reliable:
            return RELIABLE
        return NO_CHANGE

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def level(self) -> str:
        return STATUS_LEVELS[self.status]


def _dropped_by_percent(baseline: int, total: int, percent: int) -> bool:
    """Fell by at least `percent` % of a positive baseline, in whole numbers (exactly half counts as half)."""
    return baseline > 0 and (baseline - total) * 100 >= percent * baseline


def remission_threshold(rule: ProgressRule, *, cutoff: int) -> int:
    return cutoff if rule.remission_below_clinic_cutoff else rule.remission_below


def compare(rule: ProgressRule, baseline: int, total: int, *, cutoff: int) -> Markers:
    """Markers of a later `total` against `baseline` by `rule` (`cutoff`: the clinic's PCL-5 cutoff)."""
    change = total - baseline
    drop = -change
    percent = None
    if baseline > 0:
        percent = (Decimal(change * 100) / Decimal(baseline)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    if rule.response_drop_percent is not None:
        response = _dropped_by_percent(baseline, total, rule.response_drop_percent)
    else:
        response = drop >= rule.response_drop_points
    threshold = remission_threshold(rule, cutoff=cutoff)
    already_below = baseline < threshold
    significant = None
    if rule.significant_post_max is not None:
        significant = total <= rule.significant_post_max and _dropped_by_percent(
            baseline, total, rule.significant_drop_percent
        )
    return Markers(
        baseline=baseline,
        total=total,
        change=change,
        percent_change=percent,
        response=response,
        remission=total < threshold and not already_below,
        meaningful=drop >= rule.meaningful_change,
        reliable=rule.reliable_change is not None and drop >= rule.reliable_change,
        worse=change >= (rule.reliable_change or rule.meaningful_change),
        significant=significant,
        remission_threshold=threshold,
        below_threshold_at_baseline=already_below,
    )


# --- plain language ---------------------------------------------------------------------------------------


def _response_words(rule: ProgressRule) -> str:
    if rule.response_drop_percent is not None:
        return _("a response (a drop of at least half)")
    return _("a response (a drop of at least %(points)s points)") % {"points": rule.response_drop_points}


def _remission_words(rule: ProgressRule, markers: Markers, *, you: bool) -> str:
    if rule.remission_below_clinic_cutoff:
        if you:
            return _("below your clinic's cutoff of %(cutoff)s") % {"cutoff": markers.remission_threshold}
        return _("remission (below the clinic's cutoff of %(cutoff)s)") % {"cutoff": markers.remission_threshold}
    return _("remission (a score below %(line)s)") % {"line": markers.remission_threshold}


def describe(rule: ProgressRule, markers: Markers, *, you: bool = False) -> str:
    """One plain sentence, e.g. "Your PHQ-9 went from 17 to 6: a response (a drop of at least half)."."""
    name = str(INSTRUMENTS[rule.instrument].short_name)
    if markers.response and markers.remission:
        words = _("%(response)s and %(remission)s") % {
            "response": _response_words(rule),
            "remission": _remission_words(rule, markers, you=you),
        }
    elif markers.response:
        words = _response_words(rule)
    elif markers.remission:
        words = _remission_words(rule, markers, you=you)
    elif markers.worse:
        words = (
            _("higher than at the start")
            if you
            else _("worse by at least %(points)s points") % {"points": rule.reliable_change or rule.meaningful_change}
        )
    elif markers.meaningful:
        words = _("a meaningful improvement (at least %(points)s points)") % {"points": rule.meaningful_change}
    elif markers.reliable:
        words = _("a reliable improvement (%(low)s to %(high)s points), short of a response") % {
            "low": rule.reliable_change,
            "high": rule.meaningful_change - 1,
        }
    else:
        words = _("about the same as at the start") if you else _("no meaningful change")
    values = {"name": name, "baseline": markers.baseline, "total": markers.total, "words": words}
    if you:
        return _("Your %(name)s went from %(baseline)s to %(total)s: %(words)s.") % values
    return _("%(name)s went from %(baseline)s to %(total)s: %(words)s.") % values


# --- a patient's progress --------------------------------------------------------------------------------


@dataclass
class Comparison:
    measure: MeasureResponse
    markers: Markers


@dataclass
class InstrumentProgress:
    rule: ProgressRule
    baseline: MeasureResponse
    later: list[Comparison] = field(default_factory=list)
    cutoff: int = 33

    @property
    def key(self) -> str:
        return self.rule.instrument

    @property
    def name(self) -> str:
        return str(INSTRUMENTS[self.key].short_name)

    @property
    def full_name(self) -> str:
        return str(INSTRUMENTS[self.key].name)

    @property
    def max_total(self) -> int:
        return INSTRUMENTS[self.key].max_total

    @property
    def remission_threshold(self) -> int:
        return remission_threshold(self.rule, cutoff=self.cutoff)

    @property
    def latest(self) -> Comparison | None:
        return self.later[-1] if self.later else None

    @property
    def summary(self) -> str:
        latest = self.latest
        return describe(self.rule, latest.markers) if latest else ""

    @property
    def patient_summary(self) -> str:
        latest = self.latest
        return describe(self.rule, latest.markers, you=True) if latest else ""


def progress_for(patient) -> list[InstrumentProgress]:
    """Per instrument with a baseline (PHQ-9, GAD-7, PCL-5, in that order): the first baseline response and
    every later response compared with it. One query; `patient.clinic` should already be loaded."""
    cutoff = patient.clinic.pcl5_cutoff
    responses = list(
        MeasureResponse.objects.filter(patient=patient, instrument__in=PROGRESS_INSTRUMENTS, total__isnull=False)
        .only("instrument", "total", "band", "context", "completed_at", "patient_id")
        .order_by("completed_at", "pk")
    )
    result = []
    for key in PROGRESS_INSTRUMENTS:
        own = [r for r in responses if r.instrument == key]
        start = next((n for n, r in enumerate(own) if r.context == MeasureResponse.Context.BASELINE), None)
        if start is None:
            continue
        rule, baseline = PROGRESS_RULES[key], own[start]
        later = [Comparison(r, compare(rule, baseline.total, r.total, cutoff=cutoff)) for r in own[start + 1 :]]
        result.append(InstrumentProgress(rule=rule, baseline=baseline, later=later, cutoff=cutoff))
    return result
