"""Screening an intake: each rule flags what it should (and only that), naming its rule and source."""

import json
from decimal import Decimal

import pytest

from intake import screening_rules
from intake.medications import medication_details
from intake.models import IntakeQuestionnaire, Medication
from intake.screening import has_absolute, screen, screen_questionnaire

from .review_helpers import answers, submit_intake

pytestmark = pytest.mark.django_db


def intake(patient, medications=(), **steps) -> IntakeQuestionnaire:
    """A questionnaire holding `answers(**steps)` and the listed medication rows (fast: no step services)."""
    questionnaire = IntakeQuestionnaire.objects.create(patient=patient, answers=answers(**steps))
    for number, (name, dose, unit, frequency) in enumerate(medications):
        Medication.objects.create(
            questionnaire=questionnaire,
            position=number,
            name=name,
            dose=Decimal(dose) if dose else None,
            unit=unit,
            frequency=frequency,
            **medication_details(name=name, dose=Decimal(dose) if dose else None, unit=unit, frequency=frequency),
        )
    return questionnaire


def codes(flags) -> set[str]:
    return {flag["code"] for flag in flags}


# rule code → the answers that should raise it
ANSWER_RULES = {
    "ketamine_hypersensitivity": {"medical": {"ketamine_allergy": "yes"}},
    "aneurysm_avm": {"medical": {"aneurysm_avm": "yes"}},
    "stroke_or_intracerebral_hemorrhage": {"medical": {"stroke_ich": "yes"}},
    "uncontrolled_hypertension": {"medical": {"hypertension": "yes", "hypertension_controlled": "no"}},
    "hypertension": {"medical": {"hypertension": "yes", "hypertension_controlled": "yes"}},
    "untreated_hyperthyroidism": {"medical": {"thyroid": "hyperthyroid_untreated"}},
    "heart_disease": {"medical": {"heart_disease": "yes", "heart_disease_details": "stent in 2015"}},
    "pregnancy": {"medical": {"pregnant": "yes"}},
    "pregnancy_possible": {"medical": {"pregnant": "unsure"}},
    "breastfeeding": {"medical": {"breastfeeding": "yes"}},
    "liver_disease": {"medical": {"liver_disease": "yes"}},
    "raised_eye_or_intracranial_pressure": {"medical": {"glaucoma_pressure": "yes"}},
    "head_injury": {"medical": {"head_injury": "yes"}},
    "bladder_urinary_symptoms": {"medical": {"bladder_urinary": "yes"}},
    "seizures": {"medical": {"seizures": "yes"}},
    "psychosis_history": {"psychiatric": {"psychosis_history": "yes"}},
    "psychosis_family": {"psychiatric": {"psychosis_family": "yes"}},
    "mania_history": {"psychiatric": {"mania_history": "yes"}},
    "bipolar_diagnosis": {"psychiatric": {"diagnoses": ["depression", "bipolar"]}},
    "substance_use_disorder_current": {"substances": {"substance_use_disorder": "current"}},
    "substance_use_disorder_in_recovery": {
        "substances": {"substance_use_disorder": "in_recovery", "in_recovery_since": "2023-05-01"}
    },
    "alcohol_frequent": {"substances": {"alcohol": "4_plus_week", "alcohol_drinks": "3"}},
    "cannabis_frequent": {"substances": {"cannabis": "2_3_week"}},
    "imminent_suicide_risk": {"cssrs": {"q1": "1", "q2": "1", "q3": "1", "q4": "1", "q5": "0", "q6": "0"}},
    "suicide_risk_moderate": {"cssrs": {"q1": "1", "q2": "1", "q3": "1", "q4": "0", "q5": "0", "q6": "0"}},
    "phq9_item9": {"phq9": {"q9": "1"}},
}

MEDICATION_RULES = {
    "benzodiazepine": ("Xanax", "0.5", "mg", "three_daily"),
    "lamotrigine": ("Lamictal", "100", "mg", "twice_daily"),
    "maoi": ("Nardil", "15", "mg", "three_daily"),
    "stimulant": ("Adderall XR", "20", "mg", "once_daily"),
    "opioid": ("oxycodone", "5", "mg", "as_needed"),
    "sedative_hypnotic": ("Ambien", "10", "mg", "bedtime"),
}


def test_an_unremarkable_intake_raises_no_flag(world):
    assert screen(intake(world.patient_a, medications=[("Sertraline", "50", "mg", "once_daily")])) == []


def test_every_rule_is_tested_here():
    tested = set(ANSWER_RULES) | set(MEDICATION_RULES) | {"baseline_bp_above_180_100", "baseline_bp_elevated"}
    assert tested == set(screening_rules.RULES_BY_CODE)


@pytest.mark.parametrize("code", sorted(ANSWER_RULES))
def test_an_answer_rule_fires_on_its_answer_only(world, code):
    flags = screen(intake(world.patient_a, **ANSWER_RULES[code]))

    assert code in codes(flags)
    flag = next(f for f in flags if f["code"] == code)
    rule = screening_rules.RULES_BY_CODE[code]
    assert flag["kind"] == rule.kind and flag["title"] == str(rule.title)
    assert flag["source"].startswith("§") and "[S" in flag["source"]
    assert flag["detail"] and flag["advice"]
    assert code not in codes(screen(intake(world.patient_b)))


@pytest.mark.parametrize("code", sorted(MEDICATION_RULES))
def test_a_medication_class_raises_its_interaction(world, code):
    flags = screen(intake(world.patient_a, medications=[MEDICATION_RULES[code]]))

    assert codes(flags) == {code}
    assert flags[0]["kind"] == screening_rules.INTERACTION
    assert MEDICATION_RULES[code][0] in flags[0]["detail"]


def test_benzodiazepine_detail_gives_the_daily_diazepam_equivalent_and_the_non_response_marker(world):
    flags = screen(intake(world.patient_a, medications=[("alprazolam", "0.5", "mg", "three_daily")]))

    detail = flags[0]["detail"]
    assert "alprazolam 0.5 mg three times a day ≈ 30 mg diazepam/day" in detail
    assert "above 8 mg diazepam-equivalent a day: predicted non-response" in detail


def test_two_benzodiazepines_are_totalled_and_a_low_dose_carries_no_marker(world):
    low = screen(intake(world.patient_a, medications=[("diazepam", "2", "mg", "twice_daily")]))[0]["detail"]
    assert "≈ 4 mg diazepam/day" in low
    assert "predicted non-response" not in low

    both = screen(
        intake(
            world.patient_b,
            medications=[("diazepam", "2", "mg", "twice_daily"), ("lorazepam", "0.5", "mg", "once_daily")],
        )
    )
    detail = both[0]["detail"]
    assert "lorazepam 0.5 mg once a day ≈ 5 mg diazepam/day" in detail
    assert "total ≈ 9 mg diazepam/day" in detail
    assert "predicted non-response" in detail


def test_a_benzodiazepine_without_a_dose_says_the_equivalent_is_unknown(world):
    flags = screen(intake(world.patient_a, medications=[("Klonopin", "", "", "as_needed")]))
    assert "diazepam equivalent unknown" in flags[0]["detail"]


@pytest.mark.parametrize(
    ("bp", "expected"),
    [
        ((181, 90), {"baseline_bp_above_180_100"}),
        ((170, 101), {"baseline_bp_above_180_100"}),
        ((180, 100), {"baseline_bp_elevated"}),
        ((145, 85), {"baseline_bp_elevated"}),
        ((130, 91), {"baseline_bp_elevated"}),
        ((140, 90), set()),
        ((118, 76), set()),
    ],
)
def test_blood_pressure_rules_read_the_baseline_vitals(world, bp, expected):
    questionnaire = intake(world.patient_a)
    flags = screen(questionnaire, vitals={"systolic": bp[0], "diastolic": bp[1]})

    assert codes(flags) == expected
    if "baseline_bp_above_180_100" in expected:
        assert has_absolute(flags)
        assert f"{bp[0]}/{bp[1]} mmHg" in flags[0]["detail"]
        assert "§4.1 [S88]" in flags[0]["source"]


def test_without_vitals_the_blood_pressure_rules_stay_silent(world):
    assert screen(intake(world.patient_a)) == []


def test_flags_are_ordered_absolute_relative_interaction_and_serialise_to_json(world):
    questionnaire = intake(
        world.patient_a,
        medications=[("Adderall", "10", "mg", "once_daily")],
        medical={"seizures": "yes", "aneurysm_avm": "yes"},
    )
    flags = screen(questionnaire)

    assert [f["kind"] for f in flags] == ["absolute", "relative", "interaction"]
    assert json.loads(json.dumps(flags)) == flags


def test_answers_that_no_longer_validate_are_flagged_for_a_hand_check(world):
    questionnaire = intake(world.patient_a)
    questionnaire.answers["medical"]["hypertension"] = "maybe"
    questionnaire.save()

    flags = screen(questionnaire)
    assert "unchecked_medical" in codes(flags)


def test_submission_stores_the_flags_computed_by_the_rules(world):
    questionnaire = submit_intake(
        world.patient_a,
        medical={"ketamine_allergy": "yes"},
        medications=[{"name": "Xanax", "dose": "1", "unit": "mg", "frequency": "twice_daily"}],
    )

    assert codes(questionnaire.flags) == {"ketamine_hypersensitivity", "benzodiazepine"}
    assert screen_questionnaire(questionnaire) == questionnaire.flags
