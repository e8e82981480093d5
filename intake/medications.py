"""Recognising the medications a patient lists: the classes that matter for ketamine, as data.

The classes and why they matter are from `shared/domain.md` §4.3 [S95,S96,S97,S98,S55]:
benzodiazepines (sedation; a blunted response above about 8 mg diazepam-equivalent a day [S96]),
lamotrigine, MAO inhibitors and psychostimulants (blood-pressure rise), opioids (sedation and breathing)
and non-benzodiazepine sedative-hypnotics (sedation). The generic and brand names below are common US
and UK names; a name matches as a whole word anywhere in what the patient typed ("Xanax XR 0.5").

Diazepam equivalents: domain.md asks for the daily benzodiazepine dose in diazepam equivalents but gives
no table. The figures here are the Ashton Manual's benzodiazepine equivalence table (C.H. Ashton,
"Benzodiazepines: how they work and how to withdraw", 2002, table revised April 2007,
https://www.benzo.org.uk/bzequiv.htm), which is NOT in domain.md: approximate, for guidance only,
a clinician checks them. Where Ashton gives a range, the lower figure is used, which gives the higher,
more cautious, diazepam equivalent.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .models import Medication

DrugClass = Medication.DrugClass
Unit = Medication.Unit
Frequency = Medication.Frequency

DIAZEPAM_EQUIVALENCE_SOURCE = (
    "Ashton Manual benzodiazepine equivalence table (2002, rev. 2007), https://www.benzo.org.uk/bzequiv.htm "
    "— not in shared/domain.md"
)
# domain.md §4.3 [S96]: above this, a blunted antidepressant response was predicted.
DIAZEPAM_FLAG_MG_PER_DAY = Decimal("8")

# Oral dose (mg) approximately equivalent to diazepam 10 mg (Ashton; the lower figure of a range).
ASHTON_EQUIVALENT_TO_DIAZEPAM_10MG: dict[str, Decimal] = {
    "alprazolam": Decimal("0.5"),
    "bromazepam": Decimal("5"),  # 5–6
    "chlordiazepoxide": Decimal("25"),
    "clobazam": Decimal("20"),
    "clonazepam": Decimal("0.5"),
    "clorazepate": Decimal("15"),
    "diazepam": Decimal("10"),
    "estazolam": Decimal("1"),  # 1–2
    "flunitrazepam": Decimal("1"),
    "flurazepam": Decimal("15"),  # 15–30
    "halazepam": Decimal("20"),
    "ketazolam": Decimal("15"),  # 15–30
    "loprazolam": Decimal("1"),  # 1–2
    "lorazepam": Decimal("1"),
    "lormetazepam": Decimal("1"),  # 1–2
    "medazepam": Decimal("10"),
    "nitrazepam": Decimal("10"),
    "nordazepam": Decimal("10"),
    "oxazepam": Decimal("20"),
    "prazepam": Decimal("10"),  # 10–20
    "quazepam": Decimal("20"),
    "temazepam": Decimal("20"),
    "triazolam": Decimal("0.5"),
}

# generic name → other names people write (brands, spellings). Each class cites domain.md §4.3.
KNOWN: dict[str, dict[str, tuple[str, ...]]] = {
    # [S95,S96,S97]
    DrugClass.BENZODIAZEPINE: {
        "alprazolam": ("xanax", "niravam"),
        "bromazepam": ("lexotan", "lectopam"),
        "chlordiazepoxide": ("librium",),
        "clobazam": ("onfi", "sympazan", "frisium"),
        "clonazepam": ("klonopin", "rivotril"),
        "clorazepate": ("tranxene",),
        "diazepam": ("valium", "diastat", "valtoco"),
        "estazolam": ("prosom",),
        "flunitrazepam": ("rohypnol",),
        "flurazepam": ("dalmane",),
        "halazepam": ("paxipam",),
        "ketazolam": ("anxon",),
        "loprazolam": ("dormonoct",),
        "lorazepam": ("ativan",),
        "lormetazepam": ("noctamid",),
        "medazepam": ("nobrium",),
        "midazolam": ("versed", "nayzilam"),  # not in Ashton's table: no equivalent computed
        "nitrazepam": ("mogadon",),
        "nordazepam": (),
        "oxazepam": ("serax",),
        "prazepam": ("centrax",),
        "quazepam": ("doral",),
        "temazepam": ("restoril", "normison"),
        "triazolam": ("halcion",),
    },
    # [S95,S97]
    DrugClass.LAMOTRIGINE: {"lamotrigine": ("lamictal", "subvenite")},
    # [S98,S55]
    DrugClass.MAOI: {
        "phenelzine": ("nardil",),
        "tranylcypromine": ("parnate",),
        "isocarboxazid": ("marplan",),
        "selegiline": ("emsam", "eldepryl", "zelapar"),
        "rasagiline": ("azilect",),
        "safinamide": ("xadago",),
        "moclobemide": ("manerix", "aurorix"),
    },
    # amphetamines, methylphenidate, modafinil, armodafinil [S98,S55]
    DrugClass.STIMULANT: {
        "amphetamine": ("adderall", "evekeo", "adzenys", "dyanavel", "mydayis"),
        "dextroamphetamine": ("dexedrine", "zenzedi", "procentra", "dexamphetamine"),
        "lisdexamfetamine": ("vyvanse", "elvanse"),
        "methamphetamine": ("desoxyn",),
        "methylphenidate": (
            "ritalin",
            "concerta",
            "metadate",
            "methylin",
            "daytrana",
            "aptensio",
            "jornay",
            "quillichew",
            "quillivant",
        ),
        "dexmethylphenidate": ("focalin",),
        "serdexmethylphenidate": ("azstarys",),
        "modafinil": ("provigil",),
        "armodafinil": ("nuvigil",),
    },
    # [S98,S99]; naltrexone sits in the same row of domain.md (it may blunt the response, low confidence)
    DrugClass.OPIOID: {
        "buprenorphine": ("suboxone", "subutex", "zubsolv", "butrans", "belbuca", "sublocade"),
        "codeine": ("tylenol with codeine", "tylenol #3", "tylenol 3"),
        "fentanyl": ("duragesic", "actiq", "fentora"),
        "hydrocodone": ("vicodin", "norco", "lortab", "hysingla", "zohydro"),
        "hydromorphone": ("dilaudid", "exalgo"),
        "meperidine": ("demerol", "pethidine"),
        "methadone": ("dolophine", "methadose"),
        "morphine": ("ms contin", "kadian"),
        "naltrexone": ("vivitrol", "revia", "contrave"),
        "oxycodone": ("oxycontin", "roxicodone", "percocet", "oxaydo", "xtampza"),
        "oxymorphone": ("opana",),
        "tapentadol": ("nucynta",),
        "tramadol": ("ultram", "conzip"),
    },
    # Z-drugs and other non-benzodiazepine hypnotics [S55,S97]
    DrugClass.SEDATIVE_HYPNOTIC: {
        "zolpidem": ("ambien", "edluar", "intermezzo", "stilnox"),
        "zaleplon": ("sonata",),
        "eszopiclone": ("lunesta",),
        "zopiclone": ("imovane", "zimovane"),
        "suvorexant": ("belsomra",),
        "lemborexant": ("dayvigo",),
        "daridorexant": ("quviviq",),
        "phenobarbital": ("luminal",),
        "butalbital": ("fioricet", "fiorinal"),
    },
}

# doses a day for each frequency; "as needed" is counted as one dose a day (said so where shown)
DOSES_PER_DAY: dict[str, Decimal] = {
    Frequency.ONCE: Decimal(1),
    Frequency.TWICE: Decimal(2),
    Frequency.THREE: Decimal(3),
    Frequency.FOUR: Decimal(4),
    Frequency.BEDTIME: Decimal(1),
    Frequency.AS_NEEDED: Decimal(1),
    Frequency.WEEKLY: Decimal(1) / Decimal(7),
}
AS_NEEDED_NOTE = _("“As needed” is counted as one dose a day.")
MG_PER_UNIT: dict[str, Decimal] = {Unit.MG: Decimal(1), Unit.MCG: Decimal("0.001"), Unit.G: Decimal(1000)}


@dataclass(frozen=True)
class Recognised:
    drug_class: str
    generic_name: str


def _patterns() -> list[tuple[re.Pattern, Recognised]]:
    found = []
    for drug_class, drugs in KNOWN.items():
        for generic, others in drugs.items():
            for name in (generic, *others):
                pattern = re.compile(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])")
                found.append((pattern, Recognised(str(drug_class), generic)))
    # longest names first, so "dextroamphetamine" wins over "amphetamine" and "tylenol with codeine" over "codeine"
    found.sort(key=lambda item: -len(item[0].pattern))
    return found


_PATTERNS = _patterns()


def recognise(name: str) -> Recognised | None:
    """The class and generic name of a medication as typed, or None when it is in none of the lists."""
    text = " ".join((name or "").lower().split())
    for pattern, recognised in _PATTERNS:
        if pattern.search(text):
            return recognised
    return None


def daily_mg(dose: Decimal | None, unit: str, frequency: str) -> Decimal | None:
    """The daily dose in mg: dose converted to mg × doses a day; None when it can't be worked out
    (no dose, a unit that isn't a weight, or a frequency like "other")."""
    if dose is None or unit not in MG_PER_UNIT or frequency not in DOSES_PER_DAY:
        return None
    return Decimal(dose) * MG_PER_UNIT[unit] * DOSES_PER_DAY[frequency]


def diazepam_mg_per_day(generic_name: str, dose: Decimal | None, unit: str, frequency: str) -> Decimal | None:
    """The daily dose in diazepam equivalents (Ashton), rounded to 0.01 mg; None when not computable."""
    equivalent = ASHTON_EQUIVALENT_TO_DIAZEPAM_10MG.get(generic_name)
    mg = daily_mg(dose, unit, frequency)
    if equivalent is None or mg is None:
        return None
    return (mg * Decimal(10) / equivalent).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def medication_details(*, name: str, dose: Decimal | None, unit: str, frequency: str) -> dict:
    """The fields the app fills in for a listed medication: drug_class, generic_name, diazepam_mg_per_day."""
    recognised = recognise(name)
    if recognised is None:
        return {"drug_class": "", "generic_name": "", "diazepam_mg_per_day": None}
    diazepam = None
    if recognised.drug_class == DrugClass.BENZODIAZEPINE:
        diazepam = diazepam_mg_per_day(recognised.generic_name, dose, unit, frequency)
    return {
        "drug_class": recognised.drug_class,
        "generic_name": recognised.generic_name,
        "diazepam_mg_per_day": diazepam,
    }
