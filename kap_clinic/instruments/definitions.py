"""Instrument definitions as data, each fact with its source tag from `shared/domain.md` §1.

Only instruments whose wording is free to reproduce carry item text here (PHQ-9 and GAD-7: Pfizer's
free statement [S6,S7]; PCL-5: public domain [S13,S14]). The C-SSRS screener is licensed [S17]: it is
modelled by its six constructs and triage logic; a clinic loads its licensed wording
(`intake.ScreenerWording`), and until then neutral placeholder wording is shown.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str
    level: str  # for display: "success", "info", "warning", "danger"


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    loinc: str = ""
    scored: bool = True


@dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    name: str
    short_name: str
    stem: str
    recall: str
    items: tuple[Item, ...]
    options: tuple[tuple[int, str], ...]
    bands: tuple[Band, ...] = ()
    loinc_panel: str = ""
    loinc_total: str = ""
    notice: str = ""
    source: str = ""
    subscales: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra_items: tuple[Item, ...] = ()  # unscored, with their own options (e.g. the PHQ-9 difficulty item)
    extra_options: tuple[tuple[int, str], ...] = ()

    @property
    def max_total(self) -> int:
        return max(value for value, _label in self.options) * len(self.scored_items)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    def band_for(self, total: int) -> Band | None:
        return next((band for band in self.bands if band.low <= total <= band.high), None)


PFIZER_NOTICE = _(
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
    "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute."
)

FREQUENCY = (
    (0, _("Not at all")),
    (1, _("Several days")),
    (2, _("More than half the days")),
    (3, _("Nearly every day")),
)
DIFFICULTY = (
    (0, _("Not difficult at all")),
    (1, _("Somewhat difficult")),
    (2, _("Very difficult")),
    (3, _("Extremely difficult")),
)

PHQ9 = Instrument(
    key="phq9",
    version="1",
    name=_("Patient Health Questionnaire (PHQ-9)"),
    short_name="PHQ-9",
    stem=_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    recall=_("Over the last 2 weeks"),
    items=(
        Item("q1", _("Little interest or pleasure in doing things")),
        Item("q2", _("Feeling down, depressed, or hopeless")),
        Item("q3", _("Trouble falling or staying asleep, or sleeping too much")),
        Item("q4", _("Feeling tired or having little energy")),
        Item("q5", _("Poor appetite or overeating")),
        Item(
            "q6",
            _("Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
        ),
        Item("q7", _("Trouble concentrating on things, such as reading the newspaper or watching television")),
        Item(
            "q8",
            _(
                "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
                "fidgety or restless that you have been moving around a lot more than usual"
            ),
        ),
        Item("q9", _("Thoughts that you would be better off dead or of hurting yourself in some way"), "44260-8"),
    ),
    options=FREQUENCY,
    bands=(
        Band(0, 4, _("Minimal"), "success"),
        Band(5, 9, _("Mild"), "info"),
        Band(10, 14, _("Moderate"), "warning"),
        Band(15, 19, _("Moderately severe"), "danger"),
        Band(20, 27, _("Severe"), "danger"),
    ),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    notice=PFIZER_NOTICE,
    source="domain.md §1.1–1.2 [S1,S2,S6,S7,S30,S31]",
    extra_items=(
        Item(
            "difficulty",
            _(
                "If you checked off any problems, how difficult have these problems made it for you to do your "
                "work, take care of things at home, or get along with other people?"
            ),
            "69722-7",
            scored=False,
        ),
    ),
    extra_options=DIFFICULTY,
)

GAD7 = Instrument(
    key="gad7",
    version="1",
    name=_("Generalized Anxiety Disorder scale (GAD-7)"),
    short_name="GAD-7",
    stem=_("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    recall=_("Over the last 2 weeks"),
    items=(
        Item("q1", _("Feeling nervous, anxious, or on edge")),
        Item("q2", _("Not being able to stop or control worrying")),
        Item("q3", _("Worrying too much about different things")),
        Item("q4", _("Trouble relaxing")),
        Item("q5", _("Being so restless that it is hard to sit still")),
        Item("q6", _("Becoming easily annoyed or irritable")),
        Item("q7", _("Feeling afraid, as if something awful might happen")),
    ),
    options=FREQUENCY,
    bands=(
        Band(0, 4, _("Minimal"), "success"),
        Band(5, 9, _("Mild"), "info"),
        Band(10, 14, _("Moderate"), "warning"),
        Band(15, 21, _("Severe"), "danger"),
    ),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    notice=PFIZER_NOTICE,
    source="domain.md §1.1, §1.3 [S6,S7,S8,S9]",
    extra_items=(
        Item(
            "difficulty",
            _(
                "If you checked off any problems, how difficult have these problems made it for you to do your "
                "work, take care of things at home, or get along with other people?"
            ),
            scored=False,
        ),
    ),
    extra_options=DIFFICULTY,
)

PCL5_ITEMS = (
    _("Repeated, disturbing, and unwanted memories of the stressful experience?"),
    _("Repeated, disturbing dreams of the stressful experience?"),
    _(
        "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you "
        "were actually back there reliving it)?"
    ),
    _("Feeling very upset when something reminded you of the stressful experience?"),
    _(
        "Having strong physical reactions when something reminded you of the stressful experience (for "
        "example, heart pounding, trouble breathing, sweating)?"
    ),
    _("Avoiding memories, thoughts, or feelings related to the stressful experience?"),
    _(
        "Avoiding external reminders of the stressful experience (for example, people, places, conversations, "
        "activities, objects, or situations)?"
    ),
    _("Trouble remembering important parts of the stressful experience?"),
    _(
        "Having strong negative beliefs about yourself, other people, or the world (for example, having "
        "thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, the "
        "world is completely dangerous)?"
    ),
    _("Blaming yourself or someone else for the stressful experience or what happened after it?"),
    _("Having strong negative feelings such as fear, horror, anger, guilt, or shame?"),
    _("Loss of interest in activities that you used to enjoy?"),
    _("Feeling distant or cut off from other people?"),
    _(
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving "
        "feelings for people close to you)?"
    ),
    _("Irritable behavior, angry outbursts, or acting aggressively?"),
    _("Taking too many risks or doing things that could cause you harm?"),
    _('Being "superalert" or watchful or on guard?'),
    _("Feeling jumpy or easily startled?"),
    _("Having difficulty concentrating?"),
    _("Trouble falling or staying asleep?"),
)

PCL5 = Instrument(
    key="pcl5",
    version="8/14/2013",
    name=_("PTSD Checklist for DSM-5 (PCL-5)"),
    short_name="PCL-5",
    stem=_("In the past month, how much were you bothered by:"),
    recall=_("In the past month"),
    items=tuple(Item(f"q{number}", text) for number, text in enumerate(PCL5_ITEMS, start=1)),
    options=(
        (0, _("Not at all")),
        (1, _("A little bit")),
        (2, _("Moderately")),
        (3, _("Quite a bit")),
        (4, _("Extremely")),
    ),
    # No empirically derived severity bands [S11]: the clinic's cutoff (default 33) gives the one line.
    notice=_("PCL-5 (8/14/2013) Weathers, Litz, Keane, Palmieri, Marx, & Schnurr — National Center for PTSD"),
    source="domain.md §1.1, §1.4 [S11,S12,S13,S14,S32,S34]",
    subscales={
        "B": tuple(f"q{n}" for n in range(1, 6)),  # intrusion
        "C": ("q6", "q7"),  # avoidance
        "D": tuple(f"q{n}" for n in range(8, 15)),  # negative cognition and mood
        "E": tuple(f"q{n}" for n in range(15, 21)),  # arousal and reactivity
    },
)
PCL5_SUBSCALE_NAMES = {
    "B": _("Intrusion (B)"),
    "C": _("Avoidance (C)"),
    "D": _("Negative cognition and mood (D)"),
    "E": _("Arousal and reactivity (E)"),
}
# DSM-5 provisional diagnosis: an item counts when ≥ 2; needs ≥1 B, ≥1 C, ≥2 D, ≥2 E [S11].
PCL5_SYMPTOM_THRESHOLD = 2
PCL5_CLUSTER_MINIMUM = {"B": 1, "C": 1, "D": 2, "E": 2}
PCL5_DEFAULT_CUTOFF = 33  # NC-PTSD 31–33 [S11,S12]; configurable per clinic


# The C-SSRS screener: constructs only (the wording is licensed, domain.md §1.5 [S17,S38]).
CSSRS_CONSTRUCTS = (
    ("q1", _("Wish to be dead"), "93246-7"),
    ("q2", _("Non-specific active suicidal thoughts"), "93247-5"),
    ("q3", _("Suicidal thoughts with a method (no plan or intent)"), "93248-3"),
    ("q4", _("Suicidal intent without a specific plan"), "93249-1"),
    ("q5", _("Suicidal intent with a specific plan"), "93250-9"),
    ("q6", _("Suicidal behavior (lifetime)"), "93267-3"),
    ("q6_recent", _("Suicidal behavior within the past 3 months"), "93269-9"),
)
# Neutral wording for the demo and for clinics that have not loaded their licensed text. It names the
# construct; it is not the C-SSRS item wording.
CSSRS_PLACEHOLDER_WORDING = {
    "q1": _("In the past month, have you wished you were dead or that you could go to sleep and not wake up?"),
    "q2": _("In the past month, have you had any thoughts of ending your life?"),
    "q3": _("Have you thought about how you might do this?"),
    "q4": _("Have you had these thoughts and had some intention of acting on them?"),
    "q5": _("Have you started to work out, or worked out, the details of how to do it, and do you intend to?"),
    "q6": _("Have you ever done anything, started to do anything, or prepared to do anything to end your life?"),
    "q6_recent": _("Was this within the past 3 months?"),
}

CSSRS = Instrument(
    key="cssrs",
    version="screener-recent",
    name=_("Suicide-risk screen (C-SSRS screener constructs)"),
    short_name=_("Risk screen"),
    stem=_("Please answer yes or no."),
    recall=_("In the past month (behavior: lifetime, and the past 3 months)"),
    items=tuple(Item(key, label, loinc) for key, label, loinc in CSSRS_CONSTRUCTS),
    options=((0, _("No")), (1, _("Yes"))),
    loinc_panel="",
    loinc_total="93374-7",  # the risk level
    notice=_(
        "Screening questions follow the constructs and triage of the Columbia Suicide Severity Rating Scale "
        "screener; its wording is licensed and is shown only where the clinic has loaded it."
    ),
    source="domain.md §1.5 [S15,S16,S17,S38,S39,S40]",
)

INSTRUMENTS = {i.key: i for i in (PHQ9, GAD7, PCL5, CSSRS)}


def instrument(key: str) -> Instrument:
    return INSTRUMENTS[key]
