"""Discharge criteria after a dose, as data with their sources (`shared/domain.md` §8, last paragraph
"Discharge criteria default", a synthesis rated **M**; §2 for the Spravato REMS rules it draws on).

`discharge_criteria(session, now)` computes the checklist ({code, title, met, pending, detail, source}
each) from the session's timeline (administrations, observation entries, the pre-dose check) for the
session page and the discharge service; the service stores the list as it stood (`Discharge.criteria`).
Two criteria can only be confirmed by the person discharging (walks steadily, escort present): they are
passed in, and show as "to confirm" until then.

Blood pressure, as implemented: the latest reading after the dose must be below the crisis limits
(systolic < 180 and diastolic < 110 mmHg) AND either less than 40 mmHg systolic above the pre-dose
reading, or falling (lower than the reading before it). A reading ≥ 40 mmHg above the pre-dose one
that is still rising keeps the patient (§2 "BP: after the dose", §8 in-session alert row).

These are defaults a clinic's medical director reviews, not clinical advice.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import MeasureResponse, SafetyAlert
from intake.protocol import route_protocol
from kap_clinic.instruments import CSSRS


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    source: str
    at_discharge: bool = False  # confirmed by the person discharging, not computed from the timeline


# Thresholds (domain.md §8 table and discharge paragraph).
MOAAS_AWAKE = 5  # "responds readily to name spoken in normal tone" (§1.6) [S23]
DISSOCIATION_NONE = 0  # clinician's global rating 0–4 (the CADSS is author-held)
SYSTOLIC_LIMIT = 180  # mmHg: ≥180 systolic is the do-not-dose / escalate line [S49,S88,S141]
DIASTOLIC_LIMIT = 110  # mmHg: ≥110 diastolic likewise
SYSTOLIC_RISE_LIMIT = 40  # mmHg above the pre-dose reading (§2 "BP kinetics", §8 in-session row) [S51]
SPO2_MIN = 94  # % on room air (NEWS2 scale 1: ≤93 scores) [S144]

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "observation_time",
        gettext_lazy("Minimum observation time since the last dose"),
        "§8; REMS ≥2 h [S43,S46,S47]; IV 30–60 min recovery [S63]; per-route setting (Protocol)",
    ),
    Criterion("sedation", gettext_lazy("Fully awake (MOAA/S 5)"), "§1.6, §8 [S23]"),
    Criterion("dissociation", gettext_lazy("Dissociation resolved"), "§2, §8 [S21,S46]"),
    Criterion("blood_pressure", gettext_lazy("Blood pressure within the limit, or falling"), "§2, §8 [S48,S49,S51]"),
    Criterion("spo2", gettext_lazy("SpO₂ at least 94% on room air"), "§8 [S144]"),
    Criterion("walks_steadily", gettext_lazy("Walks steadily"), "§8 [S87,S104]", at_discharge=True),
    Criterion("escort", gettext_lazy("Escort present to take the patient home"), "§2, §8 [S48,S54,S87,S104]", True),
    Criterion("risk_screen", gettext_lazy("No new high-risk screen"), "§1.5, §8 (no new C-SSRS high-risk finding)"),
)
CRITERIA_BY_CODE = {criterion.code: criterion for criterion in CRITERIA}


def _hm(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "H:i")


def _row(code: str, met: bool, detail: str, *, pending: bool = False) -> dict:
    """One checklist line; `pending`: confirmed at the door, not yet (shown as "to confirm", counted unmet)."""
    criterion = CRITERIA_BY_CODE[code]
    return {
        "code": code,
        "title": str(criterion.title),
        "met": bool(met),
        "pending": pending,
        "detail": detail,
        "source": criterion.source,
    }


@dataclass
class Timeline:
    """What the rules read, gathered once: the doses in order, the observation entries up to `now`."""

    administrations: list
    observations: list
    check: object  # PreDoseCheck or None

    @property
    def last_dose(self):
        return self.administrations[-1] if self.administrations else None

    @property
    def first_dose(self):
        return self.administrations[0] if self.administrations else None

    def after_dose(self) -> list:
        last = self.last_dose
        return [o for o in self.observations if last is not None and o.observed_at >= last.started_at]

    def before_dose(self) -> list:
        first = self.first_dose
        return [o for o in self.observations if first is None or o.observed_at < first.started_at]


def _latest(entries, *fields):
    """The latest entry with every one of `fields` recorded."""
    for entry in reversed(entries):
        if all(getattr(entry, name) is not None for name in fields):
            return entry
    return None


# --- each rule ------------------------------------------------------------------------------------


def _observation_time(session, timeline: Timeline, now) -> dict:
    last = timeline.last_dose
    if last is None:
        return _row("observation_time", False, _("No dose has been recorded."))
    minutes = route_protocol(session.patient.clinic, last.route).min_observation_minutes
    counted_from = last.ended_at or last.started_at
    ready_at = counted_from + datetime.timedelta(minutes=minutes)
    elapsed = int((now - counted_from).total_seconds() // 60)
    what = _("the end of the last dose") if last.ended_at else _("the last dose")
    if now >= ready_at:
        detail = _("%(elapsed)s min since %(what)s at %(at)s (at least %(minutes)s min for %(route)s).")
    else:
        detail = _(
            "%(elapsed)s min since %(what)s at %(at)s: at least %(minutes)s min for %(route)s, so not before %(ready)s."
        )
    return _row(
        "observation_time",
        now >= ready_at,
        detail
        % {
            "elapsed": max(elapsed, 0),
            "what": what,
            "at": _hm(counted_from),
            "minutes": minutes,
            "route": last.get_route_display(),
            "ready": _hm(ready_at),
        },
    )


def _sedation(session, timeline: Timeline, now) -> dict:
    entry = _latest(timeline.after_dose(), "moaas")
    if entry is None:
        return _row("sedation", False, _("No sedation rating (MOAA/S) since the dose."))
    return _row(
        "sedation",
        entry.moaas == MOAAS_AWAKE,
        _("Latest MOAA/S %(score)s at %(at)s.") % {"score": entry.moaas, "at": _hm(entry.observed_at)},
    )


def _dissociation(session, timeline: Timeline, now) -> dict:
    entry = _latest(timeline.after_dose(), "dissociation")
    if entry is None:
        return _row("dissociation", False, _("No dissociation rating since the dose."))
    before = _latest(timeline.before_dose(), "dissociation")
    baseline = before.dissociation if before is not None else DISSOCIATION_NONE
    met = entry.dissociation == DISSOCIATION_NONE or entry.dissociation <= baseline
    detail = _("Latest rating %(score)s of 4 at %(at)s") % {"score": entry.dissociation, "at": _hm(entry.observed_at)}
    if before is not None and baseline > DISSOCIATION_NONE:
        detail += _(" (before the dose: %(baseline)s).") % {"baseline": baseline}
    else:
        detail += "."
    return _row("dissociation", met, detail)


def _pre_dose_systolic(timeline: Timeline) -> int | None:
    vitals = getattr(timeline.check, "vitals", None)
    if vitals is not None and vitals.systolic is not None:
        return vitals.systolic
    before = _latest(timeline.before_dose(), "systolic", "diastolic")
    return before.systolic if before is not None else None


def _blood_pressure(session, timeline: Timeline, now) -> dict:
    after = [o for o in timeline.after_dose() if o.systolic is not None and o.diastolic is not None]
    if not after:
        return _row("blood_pressure", False, _("No blood pressure since the dose."))
    latest = after[-1]
    previous = after[-2] if len(after) > 1 else None
    detail = _("Latest %(sys)s/%(dia)s mmHg at %(at)s") % {
        "sys": latest.systolic,
        "dia": latest.diastolic,
        "at": _hm(latest.observed_at),
    }
    if latest.systolic >= SYSTOLIC_LIMIT or latest.diastolic >= DIASTOLIC_LIMIT:
        return _row(
            "blood_pressure",
            False,
            detail + _(": at or above %(sys)s/%(dia)s mmHg.") % {"sys": SYSTOLIC_LIMIT, "dia": DIASTOLIC_LIMIT},
        )
    pre = _pre_dose_systolic(timeline)
    if pre is None:
        return _row("blood_pressure", True, detail + _("; no pre-dose reading to compare with."))
    rise = latest.systolic - pre
    falling = previous is not None and latest.systolic < previous.systolic
    if rise < SYSTOLIC_RISE_LIMIT:
        return _row(
            "blood_pressure", True, detail + _("; %(rise)+d mmHg systolic from before the dose.") % {"rise": rise}
        )
    if falling:
        return _row(
            "blood_pressure",
            True,
            detail
            + _("; %(rise)+d mmHg systolic from before the dose but falling (was %(prev)s).")
            % {"rise": rise, "prev": previous.systolic},
        )
    return _row(
        "blood_pressure",
        False,
        detail
        + _("; %(rise)+d mmHg systolic from before the dose (limit +%(limit)s) and not falling.")
        % {"rise": rise, "limit": SYSTOLIC_RISE_LIMIT},
    )


def _spo2(session, timeline: Timeline, now) -> dict:
    entry = _latest(timeline.after_dose(), "spo2")
    if entry is None:
        return _row("spo2", False, _("No SpO₂ reading since the dose."))
    detail = _("Latest %(spo2)s%% at %(at)s") % {"spo2": entry.spo2, "at": _hm(entry.observed_at)}
    if entry.on_oxygen:
        return _row("spo2", False, detail + _(", on oxygen: take a reading on room air."))
    return _row("spo2", entry.spo2 >= SPO2_MIN, detail + _(" on room air."))


def _confirmed(code: str, value: bool | None, yes: str, no: str) -> dict:
    if value is None:
        return _row(code, False, _("Confirm on the discharge form."), pending=True)
    return _row(code, value, yes if value else no)


def _risk_screen(session, timeline: Timeline, now) -> dict:
    since = timeline.check.risk_screen.completed_at if timeline.check is not None else session.checked_in_at
    screens = MeasureResponse.objects.filter(
        patient=session.patient, instrument=CSSRS.key, risk="high", completed_at__lte=now
    )
    if since is not None:
        screens = screens.filter(completed_at__gt=since)
    new_screen = screens.order_by("-completed_at").first()
    open_alert = SafetyAlert.objects.filter(
        patient=session.patient, source=SafetyAlert.Source.CSSRS_HIGH, acknowledged_at__isnull=True
    ).first()
    if new_screen is not None:
        return _row(
            "risk_screen",
            False,
            _("A risk screen at %(at)s found high risk: evaluate the patient before they leave.")
            % {"at": _hm(new_screen.completed_at)},
        )
    if open_alert is not None:
        return _row(
            "risk_screen",
            False,
            _("A high-risk screen alert is open: a clinician evaluates the patient and acknowledges it."),
        )
    return _row("risk_screen", True, _("No high-risk finding since the pre-dose check."))


# --- the checklist --------------------------------------------------------------------------------


def timeline_of(session, now, *, administrations=None, observations=None) -> Timeline:
    """The session's doses and observation entries (from `session`'s prefetched rows when there are)."""
    administrations = list(administrations if administrations is not None else session.administrations.all())
    administrations.sort(key=lambda a: (a.started_at, a.pk))
    observations = list(observations if observations is not None else session.observations.all())
    observations = sorted((o for o in observations if o.observed_at <= now), key=lambda o: (o.observed_at, o.pk))
    return Timeline(administrations, observations, getattr(session, "pre_dose_check", None))


def discharge_criteria(
    session,
    now=None,
    *,
    walks_steadily: bool | None = None,
    escort_present: bool | None = None,
    escort_name: str = "",
    administrations=None,
    observations=None,
) -> list[dict]:
    """Every criterion of `CRITERIA`, in order, as {code, title, met, detail, source}, computed at `now`.

    `walks_steadily` and `escort_present` are what the person discharging confirms (None: not yet).
    `administrations` / `observations` may be given when the caller already holds them (the session page).
    """
    now = now or timezone.now()
    timeline = timeline_of(session, now, administrations=administrations, observations=observations)
    escort_yes = _("Confirmed: %(name)s.") % {"name": escort_name} if escort_name else _("Confirmed.")
    return [
        _observation_time(session, timeline, now),
        _sedation(session, timeline, now),
        _dissociation(session, timeline, now),
        _blood_pressure(session, timeline, now),
        _spo2(session, timeline, now),
        _confirmed("walks_steadily", walks_steadily, _("Confirmed."), _("Not steady on their feet yet.")),
        _confirmed("escort", escort_present, escort_yes, _("No escort present.")),
        _risk_screen(session, timeline, now),
    ]


def unmet(criteria: list[dict]) -> list[dict]:
    return [criterion for criterion in criteria if not criterion["met"]]
