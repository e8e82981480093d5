"""When a treatment plan re-administers the measures: suggested time points with their sources, as data.

From `shared/domain.md` §7.2. The plan stores the chosen keys (`TreatmentPlan.measure_schedule`); the
integration stage turns them into due dates. Baseline measures are the intake's own (PHQ-9, GAD-7,
PCL-5, risk screen), so they are not a plan choice.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TimePoint:
    key: str
    label: str
    measures: str
    source: str
    default: bool = True


TIME_POINTS: tuple[TimePoint, ...] = (
    TimePoint(
        "pre_dose",
        _("Before each dosing session"),
        _("Risk screen (since last visit) and vitals; PHQ-9/GAD-7 at most weekly"),
        "§7.2 [S41,S66]",
    ),
    TimePoint(
        "day_after",
        _("Day after each dose (optional)"),
        _("PHQ-9 (or MADRS)"),
        "§7.2 [S66]",
        default=False,
    ),
    TimePoint(
        "end_of_induction",
        _("End of induction (about 2–4 weeks)"),
        _("Full battery: PHQ-9, GAD-7, PCL-5, risk screen; decide whether to continue"),
        "§7.2 [S59,S77]",
    ),
    TimePoint("month_1", _("1 month after the course"), _("PHQ-9, GAD-7, PCL-5"), "§7.2 [S80,S66]"),
    TimePoint("month_3", _("3 months after the course"), _("PHQ-9, GAD-7, PCL-5"), "§7.2 [S80,S66]"),
    TimePoint("month_6", _("6 months after the course"), _("PHQ-9, GAD-7, PCL-5"), "§7.2 [S80,S66,S136]"),
)
TIME_POINTS_BY_KEY = {point.key: point for point in TIME_POINTS}
DEFAULT_SCHEDULE = [point.key for point in TIME_POINTS if point.default]


def schedule_labels(keys) -> list[TimePoint]:
    """The time points a stored schedule names, in the schedule's order (unknown keys skipped)."""
    return [TIME_POINTS_BY_KEY[key] for key in keys or () if key in TIME_POINTS_BY_KEY]
