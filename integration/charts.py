"""The trend charts of PHQ-9, GAD-7 and PCL-5 (the chart's "Trends" card and the patient's "Your scores over
time"): every total by date, the dosing sessions, the severity bands or the clinic's cutoff, and the response
and remission markers, all from `progress.progress_for` so that the chart, the table under it and the progress
pages never disagree.

`trend_data(patient)` runs two queries whatever the size of the course (the measures, the dosed sessions).
Each `Trend` carries `data` (what static/js/charts.js draws, sent as JSON in a data-* attribute: the CSP allows
no inline script) and `summary` (the canvas's aria-label); the template's table repeats the same numbers.
"""

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kap_clinic.instruments import INSTRUMENTS
from sessions import clinic_time
from sessions.models import DosingSession

from .progress import InstrumentProgress, compare, progress_for

# A patient's own words for what each instrument measures (the patient's home chart).
PLAIN_NAMES = {
    "phq9": gettext_lazy("PHQ-9 (low mood)"),
    "gad7": gettext_lazy("GAD-7 (anxiety)"),
    "pcl5": gettext_lazy("PCL-5 (trauma symptoms)"),
}


@dataclass
class Trend:
    key: str
    label: str  # "PHQ-9"
    title: str  # "Patient Health Questionnaire-9 (PHQ-9)"
    max_total: int
    points: list[dict] = field(default_factory=list)  # oldest first
    doses: list[dict] = field(default_factory=list)  # {"date", "number"}, oldest first
    bands: list[dict] = field(default_factory=list)  # {"low", "high", "label", "level"}: PHQ-9, GAD-7
    cutoff: int | None = None  # PCL-5: the clinic's cutoff
    remission_below: int = 0
    response_at_or_below: int | None = None  # the highest total that would count as a response
    for_patient: bool = False

    @property
    def latest(self) -> dict:
        return self.points[-1]

    @property
    def baseline(self) -> dict:
        return self.points[0]

    @property
    def summary(self) -> str:
        """One sentence for screen readers: the course of the totals, the doses, the latest status."""
        first, last = self.baseline, self.latest
        values = {
            "name": self.label,
            "first": first["total"],
            "first_date": first["date"],
            "last": last["total"],
            "last_date": last["date"],
            "count": len(self.points),
        }
        if len(self.points) == 1:
            text = _("%(name)s chart: %(first)s at baseline on %(first_date)s; no repeat measure yet.") % values
        else:
            text = _("%(name)s chart: %(first)s at baseline on %(first_date)s, %(last)s on %(last_date)s.") % values
            text += " " + _("%(count)s measures in all.") % values
            if last["status"]:
                text += " " + _("Latest: %(status)s.") % {"status": last["status"]}
        if self.doses:
            text += " " + ngettext(
                "%(count)s dosing session marked.", "%(count)s dosing sessions marked.", len(self.doses)
            ) % {"count": len(self.doses)}
        text += " " + _("The table below has every value.")
        return text

    @property
    def data(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "max": self.max_total,
            "points": self.points,
            "doses": self.doses,
            "bands": self.bands,
            "cutoff": self.cutoff,
            "remission_below": self.remission_below,
            "response_at_or_below": None if self.for_patient else self.response_at_or_below,
            "text": self.texts(),
        }

    @property
    def json(self) -> str:
        return json.dumps(self.data, separators=(",", ":"))

    def _cutoff_text(self) -> str:
        if self.cutoff is None:
            return ""
        if self.for_patient:
            return _("Your clinic's cutoff (%(cutoff)s)") % {"cutoff": self.cutoff}
        return _("Clinic cutoff (%(cutoff)s)") % {"cutoff": self.cutoff}

    def texts(self) -> dict:
        """What the chart writes (legend, axes, tooltips), translated here so the script has no words."""
        return {
            "total": _("Your score") if self.for_patient else _("%(name)s total") % {"name": self.label},
            "axis": _("Score") if self.for_patient else _("%(name)s total") % {"name": self.label},
            "date": _("Date"),
            "dose": _("Dosing session"),
            "dose_n": _("Dosing session %(number)s"),
            "response": _("Response"),
            "remission": _("Remission"),
            "cutoff": self._cutoff_text(),
            "response_line": (
                _("Response at %(total)s or lower") % {"total": self.response_at_or_below}
                if self.response_at_or_below is not None
                else ""
            ),
        }


def _points(progress: InstrumentProgress, clinic) -> list[dict]:
    baseline = progress.baseline
    points = [
        {
            "date": clinic_time.clinic_date(clinic, baseline.completed_at).isoformat(),
            "total": baseline.total,
            "band": baseline.band,
            "baseline": True,
            "change": 0,
            "response": False,
            "remission": False,
            "status": _("Baseline"),
        }
    ]
    for comparison in progress.later:
        markers = comparison.markers
        points.append(
            {
                "date": clinic_time.clinic_date(clinic, comparison.measure.completed_at).isoformat(),
                "total": markers.total,
                "band": comparison.measure.band,
                "baseline": False,
                "change": markers.change,
                "response": markers.response,
                "remission": markers.remission,
                "status": str(markers.status_label),
            }
        )
    return points


def _response_at_or_below(progress: InstrumentProgress) -> int | None:
    """The highest total that `compare` would call a response from this baseline (None when none would)."""
    baseline = progress.baseline.total
    for total in range(baseline, -1, -1):
        if compare(progress.rule, baseline, total, cutoff=progress.cutoff).response:
            return total
    return None


def dosed_sessions(patient) -> list[dict]:
    """The patient's sessions that were dosed, oldest first: their local date and number (one query)."""
    rows = (
        DosingSession.objects.filter(patient=patient, dosed_at__isnull=False)
        .order_by("dosed_at", "pk")
        .values_list("number", "dosed_at")
    )
    return [{"date": clinic_time.clinic_date(patient.clinic, at).isoformat(), "number": n} for n, at in rows]


def trend_data(patient, *, for_patient: bool = False) -> list[Trend]:
    """One `Trend` per instrument with a baseline (PHQ-9, GAD-7, PCL-5, in that order). Two queries;
    `patient.clinic` should already be loaded. `for_patient`: the patient's own wording, no response line."""
    progress = progress_for(patient)
    if not progress:
        return []
    doses = dosed_sessions(patient)
    trends = []
    for instrument in progress:
        definition = INSTRUMENTS[instrument.key]
        trends.append(
            Trend(
                key=instrument.key,
                label=str(PLAIN_NAMES[instrument.key]) if for_patient else instrument.name,
                title=instrument.full_name,
                max_total=instrument.max_total,
                points=_points(instrument, patient.clinic),
                doses=doses,
                bands=[
                    {"low": band.low, "high": band.high, "label": str(band.label), "level": band.level}
                    for band in definition.bands
                ],
                cutoff=instrument.cutoff if instrument.rule.remission_below_clinic_cutoff else None,
                remission_below=instrument.remission_threshold,
                response_at_or_below=_response_at_or_below(instrument),
                for_patient=for_patient,
            )
        )
    return trends
