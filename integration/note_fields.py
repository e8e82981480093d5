"""The integration note's structure, as data: its sections with what to document in each, the after-effects
checklist, what signing needs, and the cadence rule that says when an integration session is due.

What integration sessions usually document comes from KAP program descriptions, domain.md §7.1
[S67,S76,S132,S133,S80]; urinary symptoms are asked about at every integration visit, §4.2 [S94,S93];
the clinic's cadence ("within N days of each dose") follows "later that day or the following day" [S134].
The form, the note page and the signing check all read this module, so a section is added or reworded here.
"""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sessions import clinic_time

SOURCE = "domain.md §7.1 [S67,S76,S132,S133,S80]"


# --- the note's sections --------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    title: Promise


@dataclass(frozen=True)
class Section:
    """One part of the note: `name` is the IntegrationSession field it is kept in."""

    name: str
    group: str
    label: Promise
    help_text: Promise
    kind: str = "text"  # text | choice | checklist
    required_to_sign: bool = False
    rows: int = 4


GROUPS = (
    Group("experience", _("The experience")),
    Group("since", _("Since the dose")),
    Group("safety", _("Safety and after-effects")),
    Group("next", _("Next steps")),
)

SECTIONS = (
    Section(
        "experience",
        "experience",
        _("The patient's account of the experience"),
        _("In the patient's words where possible: imagery, emotions, memories, body sensations."),
        required_to_sign=True,
        rows=6,
    ),
    Section(
        "insights",
        "experience",
        _("Insights and meaning"),
        _("What the patient made of it; themes that came up."),
    ),
    Section(
        "intentions_addressed",
        "experience",
        _("Were the intentions addressed?"),
        _("The intentions the patient set before the dose."),
        kind="choice",
    ),
    Section(
        "intentions_note",
        "experience",
        _("About the intentions"),
        _("How they were (or weren't) addressed."),
        rows=2,
    ),
    Section(
        "challenging_material",
        "experience",
        _("Challenging material"),
        _("Debrief of difficult moments and how they were processed."),
    ),
    Section(
        "changes_since_dosing",
        "since",
        _("Changes since dosing"),
        _("Mood, sleep, relationships, substance use."),
    ),
    Section(
        "action_plan",
        "since",
        _("Action plan and commitments"),
        _("Behavioural commitments agreed until the next visit."),
    ),
    Section(
        "safety_check",
        "safety",
        _("Safety check"),
        _("Suicidal thoughts since the last visit (C-SSRS since last visit; PHQ-9 item 9) and what was done."),
        required_to_sign=True,
        rows=3,
    ),
    Section(
        "after_effects",
        "safety",
        _("After-effects since discharge"),
        _("Tick every after-effect the patient reports since discharge, or “None”."),
        kind="checklist",
        required_to_sign=True,
    ),
    Section(
        "after_effects_details",
        "safety",
        _("About the after-effects"),
        _("How bad, how long, what helped; say what “other” was."),
        rows=2,
    ),
    Section(
        "dose_intensity",
        "next",
        _("The patient's view of the dose intensity"),
        _("To titrate the next dose."),
        kind="choice",
    ),
    Section(
        "plan",
        "next",
        _("Plan"),
        _("Next dose, a dose change, end of the course or maintenance; measures re-administered."),
        required_to_sign=True,
    ),
)

SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}
FIELD_NAMES = tuple(section.name for section in SECTIONS)
REQUIRED_TO_SIGN = tuple(section.name for section in SECTIONS if section.required_to_sign)


def sections_of(group: str) -> tuple[Section, ...]:
    return tuple(section for section in SECTIONS if section.group == group)


# --- the after-effects checklist (domain.md §7.1; urinary symptoms §4.2 [S94,S93]) -----------------

NONE = "none"
OTHER = "other"


@dataclass(frozen=True)
class AfterEffect:
    key: str
    label: Promise
    note: Promise | str = ""


AFTER_EFFECTS = (
    AfterEffect("nausea", _("Nausea")),
    AfterEffect("headache", _("Headache")),
    AfterEffect("dissociation", _("Lingering dissociation")),
    AfterEffect(
        "urinary",
        _("Urinary symptoms"),
        _("Asked at every integration visit: cystitis is seen with repeated use [S94,S93]."),
    ),
    AfterEffect("cravings", _("Cravings")),
    AfterEffect("sleep", _("Sleep disturbance")),
    AfterEffect(OTHER, _("Other (say what below)")),
)
NO_AFTER_EFFECTS = AfterEffect(NONE, _("None: the patient reports no after-effects"))
AFTER_EFFECT_KEYS = frozenset(effect.key for effect in AFTER_EFFECTS) | {NONE}
AFTER_EFFECT_LABELS = {effect.key: effect.label for effect in (*AFTER_EFFECTS, NO_AFTER_EFFECTS)}
URINARY_NOTE = _(
    "Ask about urinary symptoms at every integration visit: bladder problems (cystitis) come with repeated "
    "ketamine use [S94,S93]."
)


def after_effect_choices() -> list[tuple[str, Promise]]:
    """The checklist as form choices: each after-effect, then "None"."""
    return [(effect.key, effect.label) for effect in (*AFTER_EFFECTS, NO_AFTER_EFFECTS)]


def after_effect_labels(keys) -> list[Promise]:
    return [AFTER_EFFECT_LABELS[key] for key in keys if key in AFTER_EFFECT_LABELS]


# --- what signing needs ---------------------------------------------------------------------------


def missing_to_sign(values) -> list[Section]:
    """The required sections not yet filled in `values` (an IntegrationSession or a dict of its fields):
    the experience, the safety check, the after-effects (even "None") and the plan."""
    missing = []
    for name in REQUIRED_TO_SIGN:
        value = values.get(name) if isinstance(values, dict) else getattr(values, name)
        if isinstance(value, str):
            value = value.strip()
        if not value:
            missing.append(SECTIONS_BY_NAME[name])
    return missing


# --- the cadence: when an integration session is due -----------------------------------------------


CADENCE_SOURCE = "domain.md §7.1 [S134]"
# How other programs space integration visits (domain.md §7.1), shown beside the clinic's own setting.
CADENCE_EXAMPLES = (
    (_("Later that day or the following day"), "[S134]"),
    (_("At least two integration sessions after the first dose"), "[S67]"),
    (_("After doses 1 and 2, then after every 2 doses (Field Trip, n=1806)"), "[S80]"),
    (_("A 60-minute integration session weekly (KAP RCT)"), "[S65]"),
    (_("2-hour preparation and 2-hour integration visits (feasibility study)"), "[S66]"),
)


def integration_due_by(clinic, dosed_at: datetime.datetime) -> datetime.date:
    """The last day (in the clinic's calendar) on which the integration session after a dose given at
    `dosed_at` is on time: `clinic.integration_within_days` days after the day of the dose [S134]."""
    return clinic_time.clinic_date(clinic, dosed_at) + datetime.timedelta(days=clinic.integration_within_days)


def is_within_cadence(clinic, dosed_at: datetime.datetime, scheduled_at: datetime.datetime) -> bool:
    """Is a session at `scheduled_at` on time for the dose given at `dosed_at`?"""
    return clinic_time.clinic_date(clinic, scheduled_at) <= integration_due_by(clinic, dosed_at)
