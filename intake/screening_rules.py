"""The intake's screening rules, as data: contraindications (absolute, relative) and drug interactions.

Each rule names what it checks — an intake answer (`Answer`), a medication class the app recognised
(`MedicationClass`), a baseline blood pressure (`BloodPressure`) or a measure's flag (`MeasureFlag`) —
with the practical advice and its source in `shared/domain.md` (section and [Sn] tags). `intake.screening`
applies them; nothing else decides what is flagged. These are defaults a clinic's medical director
reviews, not medical advice (domain.md, preamble).

Kinds: an ABSOLUTE contraindication blocks "eligible" unless a prescriber overrides it with a written
reason; RELATIVE ones and INTERACTIONS are shown for the prescriber's judgement.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ABSOLUTE = "absolute"
RELATIVE = "relative"
INTERACTION = "interaction"
KINDS = (ABSOLUTE, RELATIVE, INTERACTION)
KIND_LABELS = {
    ABSOLUTE: _("Absolute contraindications"),
    RELATIVE: _("Relative contraindications and cautions"),
    INTERACTION: _("Drug and substance interactions"),
}


@dataclass(frozen=True)
class Answer:
    """An intake answer: fires when every `when` field's cleaned value is one of its values (for a
    multi-choice field, when any chosen value is). Yes/no answers are cleaned to True/False."""

    section: str
    when: dict[str, tuple]
    detail_fields: tuple[str, ...] = ()  # other answers quoted in the flag's detail


@dataclass(frozen=True)
class MedicationClass:
    """A current medication in this class (`Medication.drug_class`, recognised at intake)."""

    drug_class: str


@dataclass(frozen=True)
class BloodPressure:
    """A baseline blood pressure (mmHg) above `above` (systolic, diastolic) — either value — and, when
    `up_to` is given, not above it (so that a higher rule takes over)."""

    above: tuple[int, int]
    up_to: tuple[int, int] | None = None


@dataclass(frozen=True)
class MeasureFlag:
    """A baseline measure answered in the intake raises `flag` (`kap_clinic.instruments.score`)."""

    section: str  # the measure step: "phq9", "cssrs"
    flag: str


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    title: str
    check: Answer | MedicationClass | BloodPressure | MeasureFlag
    advice: str
    source: str


YES = (True,)

RULES: tuple[Rule, ...] = (
    # --- absolute (label-level, domain.md §4.1; imminent risk §1.5) -----------------------------------
    Rule(
        "ketamine_hypersensitivity",
        ABSOLUTE,
        _("Hypersensitivity to ketamine or esketamine"),
        Answer("medical", {"ketamine_allergy": YES}, ("allergies",)),
        _("Contraindicated (Spravato and Ketalar labels). Confirm what the reaction was."),
        "§4.1, §4.2 [S84,S86]",
    ),
    Rule(
        "aneurysm_avm",
        ABSOLUTE,
        _("Aneurysmal vascular disease or arteriovenous malformation"),
        Answer("medical", {"aneurysm_avm": YES}),
        _("Contraindicated (Spravato label): aorta, intracranial or peripheral arteries, or an AVM."),
        "§4.1 [S84,S85]",
    ),
    Rule(
        "stroke_or_intracerebral_hemorrhage",
        ABSOLUTE,
        _("History of stroke or intracerebral hemorrhage"),
        Answer("medical", {"stroke_ich": YES}),
        _(
            "A history of intracerebral hemorrhage is a contraindication (Spravato label); cerebrovascular "
            "accident is one in the UK Ketalar SmPC. An ischaemic stroke or TIA alone is a usual clinic exclusion "
            "(relative): find out which it was; a prescriber may override with the reason."
        ),
        "§4.1 [S84,S85,S87]; §4.2 [S86,S89]",
    ),
    Rule(
        "uncontrolled_hypertension",
        ABSOLUTE,
        _("Hypertension the patient reports as not controlled"),
        Answer("medical", {"hypertension": YES, "hypertension_controlled": ("no",)}),
        _(
            "Uncontrolled or untreated hypertension is a contraindication (Swiss label, >180/100 mmHg at rest; "
            "Ketalar: where a significant rise in BP would be a serious hazard). Measure BP at the assessment."
        ),
        "§4.1 [S86,S88]; §4.2 [S86,S89]",
    ),
    Rule(
        "baseline_bp_above_180_100",
        ABSOLUTE,
        _("Baseline blood pressure above 180/100 mmHg"),
        BloodPressure(above=(180, 100)),
        _(
            "Uncontrolled hypertension at rest (Swiss label >180/100 mmHg; ACC/AHA crisis >180/120): do not dose. "
            "Re-measure; refer for blood-pressure control."
        ),
        "§4.1 [S88]; §8 [S139,S140,S141]",
    ),
    Rule(
        "untreated_hyperthyroidism",
        ABSOLUTE,
        _("Untreated hyperthyroidism"),
        Answer("medical", {"thyroid": ("hyperthyroid_untreated",)}),
        _("Contraindicated in the Swiss label; US clinic consents list it. Treat before dosing."),
        "§4.1 [S88]; §4.2 [S88,S92]",
    ),
    Rule(
        "imminent_suicide_risk",
        ABSOLUTE,
        _("Risk screen: high risk (imminent suicide risk)"),
        MeasureFlag("cssrs", "cssrs_high"),
        _(
            "Needs a higher level of care: safety precautions, immediate evaluation by a behavioral-health "
            "professional, do not leave the patient alone; defer elective dosing."
        ),
        "§1.5 [S15,S16]; §4.2 [S15,S90]",
    ),
    # --- relative: cautions and usual clinic exclusions (domain.md §4.2) -------------------------------
    Rule(
        "hypertension",
        RELATIVE,
        _("Hypertension (reported controlled, or control unknown)"),
        Answer("medical", {"hypertension": YES, "hypertension_controlled": ("yes", "unsure", None, "")}),
        _(
            "Ketamine raises BP (peak about 40 min); severe rises were commoner in hypertensive patients. Confirm "
            "control and measure BP at the assessment and before every dose."
        ),
        "§4.2 [S86,S89]; §3 [S83]; §2 [S49,S50]",
    ),
    Rule(
        "baseline_bp_elevated",
        RELATIVE,
        _("Baseline blood pressure above 140/90 mmHg"),
        BloodPressure(above=(140, 90), up_to=(180, 100)),
        _("As a general guide >140/90 mmHg: weigh a delay (Spravato); clinician review before dosing."),
        "§2 [S49,S50]; §8 [S139]",
    ),
    Rule(
        "heart_disease",
        RELATIVE,
        _("Heart disease"),
        Answer("medical", {"heart_disease": YES}, ("heart_disease_details",)),
        _(
            "Recent MI, unstable angina or decompensated heart failure are usual exclusions (the BP/HR rise); "
            "severe coronary or myocardial disease is a UK SmPC contraindication. Get the details and records."
        ),
        "§4.2 [S86,S89]; §4.1 [S87]",
    ),
    Rule(
        "pregnancy",
        RELATIVE,
        _("Pregnant"),
        Answer("medical", {"pregnant": ("yes",)}),
        _("May cause fetal harm; not recommended (Spravato). Consents list pregnancy as a contraindication."),
        "§4.2 [S91,S92]",
    ),
    Rule(
        "pregnancy_possible",
        RELATIVE,
        _("Pregnancy not excluded (patient unsure)"),
        Answer("medical", {"pregnant": ("unsure",)}, ("contraception",)),
        _("Pregnancy test before dosing; discuss contraception."),
        "§4.2 [S91,S92]; §5 item 10",
    ),
    Rule(
        "breastfeeding",
        RELATIVE,
        _("Breastfeeding"),
        Answer("medical", {"breastfeeding": YES}),
        _("Do not breastfeed during treatment (Spravato)."),
        "§4.2 [S91]",
    ),
    Rule(
        "psychosis_history",
        RELATIVE,
        _("History of psychosis"),
        Answer("psychiatric", {"psychosis_history": YES}),
        _(
            "Spravato: assess carefully and start only if benefit outweighs risk; many KAP programs exclude "
            "psychotic disorders."
        ),
        "§4.2 [S46,S90]",
    ),
    Rule(
        "psychosis_family",
        RELATIVE,
        _("Psychosis in a first-degree relative"),
        Answer("psychiatric", {"psychosis_family": ("yes",)}),
        _("Many KAP programs exclude first-degree family psychosis."),
        "§4.2 [S90]",
    ),
    Rule(
        "mania_history",
        RELATIVE,
        _("History of mania"),
        Answer("psychiatric", {"mania_history": YES}),
        _("Active mania or bipolar disorder with psychotic features is an exclusion in many programs."),
        "§4.2 [S90]",
    ),
    Rule(
        "bipolar_diagnosis",
        RELATIVE,
        _("Bipolar disorder diagnosed"),
        Answer("psychiatric", {"diagnoses": ("bipolar",)}),
        _("Check for active mania or psychotic features (an exclusion in many programs)."),
        "§4.2 [S90]",
    ),
    Rule(
        "substance_use_disorder_current",
        RELATIVE,
        _("Current substance use disorder"),
        Answer("substances", {"substance_use_disorder": ("current",)}, ("other_substances",)),
        _("Spravato: careful consideration and monitoring for abuse; Psyon requires abstinence for ≥1 year."),
        "§4.2 [S48,S90]",
    ),
    Rule(
        "substance_use_disorder_in_recovery",
        RELATIVE,
        _("In recovery from a substance use disorder"),
        Answer("substances", {"substance_use_disorder": ("in_recovery",)}, ("in_recovery_since",)),
        _("Check how long: Psyon requires abstinence for ≥1 year; monitor for abuse (Spravato)."),
        "§4.2 [S48,S90]",
    ),
    Rule(
        "liver_disease",
        RELATIVE,
        _("Liver disease"),
        Answer("medical", {"liver_disease": YES}),
        _(
            "Ketalar warns of drug-induced liver injury with recurrent use; severe hepatic impairment is a usual "
            "caution. Get liver function results."
        ),
        "§4.2 [S93]",
    ),
    Rule(
        "raised_eye_or_intracranial_pressure",
        RELATIVE,
        _("Glaucoma or raised eye or intracranial pressure"),
        Answer("medical", {"glaucoma_pressure": YES}),
        _("Ketamine can raise intraocular pressure; do not give where a rise in ICP poses a serious risk."),
        "§4.2 [S94,S93,S50]",
    ),
    Rule(
        "head_injury",
        RELATIVE,
        _("Recent head injury"),
        Answer("medical", {"head_injury": YES}),
        _("Do not give if a rise in intracranial pressure poses a serious risk (Spravato)."),
        "§4.2 [S50]; §4.1 [S87]",
    ),
    Rule(
        "bladder_urinary_symptoms",
        RELATIVE,
        _("Bladder or urinary symptoms"),
        Answer("medical", {"bladder_urinary": YES}),
        _("Ketamine cystitis is seen with chronic use or abuse: get a baseline and ask at every integration visit."),
        "§4.2 [S94,S93]",
    ),
    Rule(
        "seizures",
        RELATIVE,
        _("Seizures"),
        Answer("medical", {"seizures": YES}),
        _(
            "Not a listed ketamine contraindication in the sources gathered; flagged for the prescriber's "
            "judgement. A seizure after a dose needs emergency care; drugs that lower the seizure threshold "
            "(theophylline) are flagged by a UK guideline."
        ),
        "§2 [S49,S50]; §4.3 [S100]",
    ),
    Rule(
        "suicide_risk_moderate",
        RELATIVE,
        _("Risk screen: moderate risk"),
        MeasureFlag("cssrs", "cssrs_moderate"),
        _("Behavioral-health consult; consider safety precautions; a safety plan."),
        "§1.5 [S15,S16]",
    ),
    Rule(
        "phq9_item9",
        RELATIVE,
        _("PHQ-9 item 9: thoughts of death or self-harm"),
        MeasureFlag("phq9", "phq9_item9"),
        _("Any answer above 'Not at all' → same-day clinician review and a risk screen, whatever the total."),
        "§1.1 [S1]",
    ),
    # --- interactions (domain.md §4.3) -----------------------------------------------------------------
    Rule(
        "benzodiazepine",
        INTERACTION,
        _("Benzodiazepine"),
        MedicationClass("benzodiazepine"),
        _(
            "More sedation, and a blunted antidepressant response (>8 mg diazepam-equivalent a day predicted "
            "non-response). Record the daily dose in diazepam equivalents; clinics often hold the dose around "
            "sessions, but never stop a chronic benzodiazepine abruptly."
        ),
        "§4.3 [S95,S96,S97]",
    ),
    Rule(
        "lamotrigine",
        INTERACTION,
        _("Lamotrigine"),
        MedicationClass("lamotrigine"),
        _("Reduces ketamine's glutamatergic effects; effect on response unknown. Some clinics hold it 24 h."),
        "§4.3 [S95,S97]",
    ),
    Rule(
        "maoi",
        INTERACTION,
        _("MAO inhibitor"),
        MedicationClass("maoi"),
        _("Blood-pressure rise: monitor BP closely (a field on the REMS form)."),
        "§4.3 [S98,S55]",
    ),
    Rule(
        "stimulant",
        INTERACTION,
        _("Psychostimulant"),
        MedicationClass("stimulant"),
        _("Blood-pressure rise: monitor BP closely (a field on the REMS form)."),
        "§4.3 [S98,S55]",
    ),
    Rule(
        "opioid",
        INTERACTION,
        _("Opioid"),
        MedicationClass("opioid"),
        _(
            "Additive sedation and respiratory depression: monitor SpO₂ and respiratory rate. Naltrexone may "
            "blunt the antidepressant effect (low confidence)."
        ),
        "§4.3 [S98,S99]",
    ),
    Rule(
        "sedative_hypnotic",
        INTERACTION,
        _("Non-benzodiazepine sedative-hypnotic"),
        MedicationClass("sedative_hypnotic"),
        _("Additive sedation: record it (the REMS form asks)."),
        "§4.3 [S55,S97]",
    ),
    Rule(
        "alcohol_frequent",
        INTERACTION,
        _("Frequent alcohol use"),
        Answer("substances", {"alcohol": ("2_3_week", "4_plus_week")}, ("alcohol_drinks",)),
        _("Additive sedation: no alcohol on the dosing day (clinics: 24 h before and after)."),
        "§4.3 [S98,S97]",
    ),
    Rule(
        "cannabis_frequent",
        INTERACTION,
        _("Frequent cannabis use"),
        Answer("substances", {"cannabis": ("2_3_week", "4_plus_week")}),
        _("Additive sedation: record it; clinics ask for none 24 h before and after a session."),
        "§4.3 [S55,S97]; §5 [S97]",
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
assert len(RULES_BY_CODE) == len(RULES), "rule codes must be unique"

# The daily diazepam-equivalent dose above which non-response was predicted (§4.3 [S96]) is kept with the
# equivalence table in `intake.medications` (DIAZEPAM_FLAG_MG_PER_DAY).
