"""Medications as typed are recognised by class (domain.md §4.3), with benzodiazepine doses in diazepam
equivalents (Ashton's table)."""

from decimal import Decimal

import pytest

from intake.medications import daily_mg, diazepam_mg_per_day, medication_details, recognise


@pytest.mark.parametrize(
    ("typed", "drug_class", "generic"),
    [
        ("Xanax XR", "benzodiazepine", "alprazolam"),
        ("alprazolam 0.5mg", "benzodiazepine", "alprazolam"),
        ("KLONOPIN", "benzodiazepine", "clonazepam"),
        ("Ativan", "benzodiazepine", "lorazepam"),
        ("Lamictal XR", "lamotrigine", "lamotrigine"),
        ("lamotrigine", "lamotrigine", "lamotrigine"),
        ("Nardil", "maoi", "phenelzine"),
        ("Emsam patch", "maoi", "selegiline"),
        ("Adderall XR", "stimulant", "amphetamine"),
        ("Dexedrine", "stimulant", "dextroamphetamine"),
        ("dextroamphetamine", "stimulant", "dextroamphetamine"),
        ("Concerta", "stimulant", "methylphenidate"),
        ("Provigil", "stimulant", "modafinil"),
        ("armodafinil", "stimulant", "armodafinil"),
        ("Percocet", "opioid", "oxycodone"),
        ("Suboxone film", "opioid", "buprenorphine"),
        ("tramadol", "opioid", "tramadol"),
        ("Ambien CR", "sedative_hypnotic", "zolpidem"),
        ("Lunesta", "sedative_hypnotic", "eszopiclone"),
    ],
)
def test_recognises_generic_and_brand_names(typed, drug_class, generic):
    recognised = recognise(typed)
    assert recognised is not None
    assert (recognised.drug_class, recognised.generic_name) == (drug_class, generic)


@pytest.mark.parametrize("typed", ["Sertraline", "vitamin D", "", "Lamp oil", "escitalopram"])
def test_leaves_other_medicines_unclassified(typed):
    assert recognise(typed) is None


@pytest.mark.parametrize(
    ("generic", "dose", "unit", "frequency", "expected"),
    [
        ("alprazolam", "0.5", "mg", "three_daily", "30.00"),  # 1.5 mg/day × 20
        ("lorazepam", "1", "mg", "twice_daily", "20.00"),
        ("clonazepam", "500", "mcg", "once_daily", "10.00"),  # mcg converted
        ("diazepam", "5", "mg", "as_needed", "5.00"),  # as needed: one dose a day
        ("temazepam", "20", "mg", "bedtime", "10.00"),
        ("chlordiazepoxide", "0.025", "g", "four_daily", "40.00"),  # g converted
        ("diazepam", "70", "mg", "weekly", "10.00"),
    ],
)
def test_diazepam_equivalents_per_day(generic, dose, unit, frequency, expected):
    assert diazepam_mg_per_day(generic, Decimal(dose), unit, frequency) == Decimal(expected)


@pytest.mark.parametrize(
    ("dose", "unit", "frequency"),
    [
        (None, "mg", "once_daily"),
        (Decimal("2"), "mL", "once_daily"),
        (Decimal("1"), "mg", "other"),
        (Decimal("1"), "", ""),
    ],
)
def test_no_daily_dose_when_it_cannot_be_worked_out(dose, unit, frequency):
    assert daily_mg(dose, unit, frequency) is None
    assert diazepam_mg_per_day("lorazepam", dose, unit, frequency) is None


def test_details_give_the_equivalent_only_for_benzodiazepines():
    assert medication_details(name="Valium", dose=Decimal("10"), unit="mg", frequency="twice_daily") == {
        "drug_class": "benzodiazepine",
        "generic_name": "diazepam",
        "diazepam_mg_per_day": Decimal("20.00"),
    }
    ambien = medication_details(name="Ambien", dose=Decimal("10"), unit="mg", frequency="bedtime")
    assert ambien["drug_class"] == "sedative_hypnotic" and ambien["diazepam_mg_per_day"] is None
    midazolam = medication_details(name="midazolam", dose=Decimal("2"), unit="mg", frequency="once_daily")
    assert midazolam["drug_class"] == "benzodiazepine" and midazolam["diazepam_mg_per_day"] is None  # not in the table
