"""Every clinical rule the app applies, read from the rule modules themselves, for the "Clinical rules" page:
what a medical director reviews (thresholds, contraindications, discharge criteria, definitions), each with
its source in `shared/domain.md`. Nothing here decides anything; it only describes the data the services use.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from intake import screening_rules
from intake.measure_schedule import TIME_POINTS
from intake.protocol import route_protocols
from integration.progress_rules import PROGRESS_RULES
from kap_clinic.instruments import INSTRUMENTS
from kap_clinic.vitals import VITALS
from sessions import discharge_rules, dose_rules, observation_rules, predose_rules


@dataclass
class Section:
    key: str
    title: str
    intro: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)


def _when(check) -> str:
    if isinstance(check, screening_rules.Answer):
        return "; ".join(
            f"{check.section} › {name} = {' or '.join(str(v) for v in values)}" for name, values in check.when.items()
        )
    if isinstance(check, screening_rules.MedicationClass):
        return _("a current medication of class “%(c)s”") % {"c": check.drug_class}
    if isinstance(check, screening_rules.BloodPressure):
        text = _("baseline BP above %(s)s/%(d)s mmHg") % {"s": check.above[0], "d": check.above[1]}
        if check.up_to:
            text += " " + _("(up to %(s)s/%(d)s)") % {"s": check.up_to[0], "d": check.up_to[1]}
        return text
    return f"{check.section}: {check.flag}"


def _bands(parameter) -> str:
    parts, low = [], None
    for upper, points in parameter.bands:
        span = f"≤ {upper}" if low is None else (f"> {low}" if upper is None else f"{low}–{upper}")
        parts.append(f"{span} → {points}")
        low = upper
    return "; ".join(parts)


def _progress(rule) -> tuple[str, str]:
    response = (
        _("≥ %(p)s %% drop") % {"p": rule.response_drop_percent}
        if rule.response_drop_percent
        else _("≥ %(n)s-point drop") % {"n": rule.response_drop_points}
    )
    remission = _("below the clinic's cutoff") if rule.remission_below_clinic_cutoff else f"< {rule.remission_below}"
    return response, remission


def catalog(clinic) -> list[Section]:
    """The rule sections, in the order of a course; the per-route protocol is the clinic's own."""
    instruments = Section(
        "instruments",
        _("Instruments and scoring"),
        _("Bands and codes of the measures (domain.md §1)."),
        (_("Instrument"), _("Bands"), _("LOINC (total)"), _("Source")),
        [
            (
                str(i.name),
                "; ".join(f"{b.low}–{b.high} {b.label}" for b in i.bands)
                or (_("cutoff %(c)s (this clinic)") % {"c": clinic.pcl5_cutoff} if i.key == "pcl5" else "—"),
                i.loinc_total or "—",
                i.source,
            )
            for i in INSTRUMENTS.values()
        ],
    )
    screening = Section(
        "screening",
        _("Intake screening: contraindications and interactions"),
        _("Flags shown to the reviewer; an absolute one blocks “eligible” unless a prescriber gives a reason."),
        (_("Kind"), _("Rule"), _("When"), _("Advice"), _("Source")),
        [
            (str(screening_rules.KIND_LABELS[r.kind]), str(r.title), _when(r.check), str(r.advice), r.source)
            for r in screening_rules.RULES
        ],
    )
    predose = Section(
        "predose",
        _("Pre-dose check"),
        _("Review: a prescriber reviews before the dose. Hold: no dose unless a prescriber overrides with a reason."),
        (_("Outcome"), _("Rule"), _("Threshold"), _("Prescriber may override"), _("Source")),
        [
            (r.outcome, str(r.title), str(r.threshold), _("yes") if r.overridable else _("no"), r.source)
            for r in predose_rules.RULES
        ],
    )
    dose = Section(
        "dose",
        _("Dose guardrails"),
        _("A dose that trips one needs a prescriber's written reason, unless it can't be overridden."),
        (_("Rule"), _("Threshold"), _("Prescriber may override"), _("Source")),
        [(str(r.title), str(r.threshold), _("yes") if r.overridable else _("no"), r.source) for r in dose_rules.RULES],
    )
    protocols = Section(
        "protocol",
        _("This clinic's per-route protocol"),
        _("Set at Protocol; defaults and their sources in intake/protocol.py."),
        (_("Route"), _("Fasting (food / fluids)"), _("Dose range"), _("Maximum single dose"), _("Minimum observation")),
        [
            (
                route.upper(),
                f"{p.fasting_food_hours} h / {p.fasting_fluids_hours} h",
                f"{p.dose_min}–{p.dose_max} {p.dose_unit.replace('_per_', '/')}",
                f"{p.maximum_mg} mg",
                f"{p.min_observation_minutes} min",
            )
            for route, p in route_protocols(clinic).items()
        ],
    )
    vitals = Section(
        "vitals",
        _("Vital-sign input bounds"),
        _("Outside the hard bounds a value is refused (by the database too); outside the soft bounds it needs a tick."),
        (_("Vital"), _("Hard bounds"), _("Soft bounds"), _("Source")),
        [
            (f"{v.label} ({v.unit})", f"{v.hard[0]}–{v.hard[1]}", f"{v.soft[0]}–{v.soft[1]}", v.source)
            for v in VITALS.values()
        ],
    )
    alerts = Section(
        "alerts",
        _("In-session alerts"),
        _("Raised by an observation entry; shown on the board and the session page."),
        (_("Level"), _("Alert"), _("What it means and what to do"), _("Source")),
        [
            (str(observation_rules.LEVEL_LABELS[r.level]), str(r.title), str(r.message), r.source)
            for r in observation_rules.ALERT_RULES
        ],
    )
    news2 = Section(
        "news2",
        _("NEWS2 scoring"),
        _("Aggregate 0 routine; 1–4 low; a single 3 or 5–6 urgent; ≥ 7 emergency (domain.md §8 [S144,S147])."),
        (_("Parameter"), _("Points"), _("Source")),
        [(str(p.label), _bands(p), p.source) for p in observation_rules.NEWS2_PARAMETERS],
    )
    discharge = Section(
        "discharge",
        _("Discharge criteria"),
        _("Computed from the timeline; discharge is blocked until all are met or a prescriber overrides."),
        (_("Criterion"), _("Checked"), _("Source")),
        [
            (str(c.title), _("at discharge") if c.at_discharge else _("from the timeline"), c.source)
            for c in discharge_rules.CRITERIA
        ],
    )
    schedule = Section(
        "schedule",
        _("Measure schedule"),
        _("Time points a plan may choose (domain.md §7.2)."),
        (_("Time point"), _("Measures"), _("Source")),
        [(str(t.label), str(t.measures), t.source) for t in TIME_POINTS],
    )
    progress = Section(
        "progress",
        _("Progress against baseline"),
        _("Response, remission and meaningful change (domain.md §7.3)."),
        (_("Measure"), _("Response"), _("Remission"), _("Meaningful change"), _("Source"), _("Confidence")),
        [
            (r.instrument.upper(), *_progress(r), str(r.meaningful_change), r.source, r.confidence)
            for r in PROGRESS_RULES.values()
        ],
    )
    return [instruments, screening, predose, dose, protocols, vitals, alerts, news2, discharge, schedule, progress]
