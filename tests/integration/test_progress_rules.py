"""Response, remission and meaningful change against baseline at their boundaries (domain.md §7.3)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import MeasureResponse
from integration.progress import NO_CHANGE, RELIABLE, REMISSION, RESPONSE, WORSE, compare, describe, progress_for
from integration.progress_rules import PROGRESS_RULES

from .measures_helpers import measure

PHQ9, GAD7, PCL5 = PROGRESS_RULES["phq9"], PROGRESS_RULES["gad7"], PROGRESS_RULES["pcl5"]


def markers(rule, baseline, total, cutoff=33):
    return compare(rule, baseline, total, cutoff=cutoff)


def test_every_rule_names_its_source_and_confidence():
    for rule in PROGRESS_RULES.values():
        assert "§7.3" in rule.source and "[S" in rule.source
        assert rule.confidence
    assert "[S137]" in PHQ9.source and "[S10]" in GAD7.source and "[S13]" in PCL5.source


@pytest.mark.parametrize("rule", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_exactly_half_is_a_response_and_just_under_half_is_not(rule):
    assert markers(rule, 16, 8).response  # exactly 50 %
    assert markers(rule, 16, 8).percent_change == Decimal("-50.0")
    assert not markers(rule, 13, 7).response  # 46.1 %
    assert not markers(rule, 51, 26).response  # 49.0 %: never rounded up to a response
    assert markers(rule, 51, 26).percent_change == Decimal("-49.0")
    assert not markers(rule, 201, 101).response  # 49.75 %
    assert markers(rule, 201, 101).percent_change == Decimal("-49.7")  # shown toward zero, never as −50


@pytest.mark.parametrize("rule", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_a_score_of_5_is_not_remission_and_4_is(rule):
    assert not markers(rule, 15, 5).remission
    assert markers(rule, 15, 4).remission
    assert markers(rule, 15, 4).status == REMISSION


def test_remission_is_not_claimed_for_a_baseline_already_below_the_line():
    result = markers(PHQ9, 3, 2)
    assert not result.remission and result.below_threshold_at_baseline


def test_phq9_meaningful_change_is_5_points_and_the_original_clinically_significant_change():
    assert markers(PHQ9, 20, 15).meaningful
    assert not markers(PHQ9, 20, 16).meaningful
    assert markers(PHQ9, 18, 9).significant  # ≤ 9 and ≥ 50 %
    assert not markers(PHQ9, 22, 10).significant  # ≥ 50 % but 10 after
    assert not markers(PHQ9, 12, 9).significant  # 9 after but only 25 %


def test_gad7_meaningful_change_is_4_points():
    assert markers(GAD7, 12, 8).meaningful
    assert not markers(GAD7, 12, 9).meaningful


def test_pcl5_a_drop_of_10_is_a_response_9_is_reliable_only_and_4_is_none():
    ten, nine, five, four = (markers(PCL5, 50, 50 - d) for d in (10, 9, 5, 4))
    assert ten.response and ten.meaningful and ten.status == RESPONSE
    assert not nine.response and nine.reliable and not nine.meaningful and nine.status == RELIABLE
    assert five.reliable and five.status == RELIABLE
    assert not four.response and not four.reliable and four.status == NO_CHANGE


def test_pcl5_remission_is_below_the_clinics_own_cutoff():
    assert markers(PCL5, 55, 37, cutoff=38).remission  # cutoff − 1
    assert not markers(PCL5, 55, 38, cutoff=38).remission  # at the cutoff
    assert not markers(PCL5, 55, 37, cutoff=33).remission  # the default cutoff would not count it


def test_a_baseline_of_0_has_no_percent_change_and_no_response():
    result = markers(GAD7, 0, 0)
    assert result.percent_change is None and not result.response and result.status == NO_CHANGE
    assert markers(GAD7, 0, 5).worse


def test_a_rise_by_the_meaningful_change_is_worse():
    assert markers(PHQ9, 8, 13).status == WORSE
    assert markers(PHQ9, 8, 12).status == NO_CHANGE
    assert markers(PCL5, 30, 35).status == WORSE  # 5 points is a reliable change either way


def test_plain_language_for_the_patient():
    assert (
        describe(PHQ9, markers(PHQ9, 17, 6), you=True)
        == "Your PHQ-9 went from 17 to 6: a response (a drop of at least half)."
    )
    assert describe(PHQ9, markers(PHQ9, 17, 4), you=True) == (
        "Your PHQ-9 went from 17 to 4: a response (a drop of at least half) and remission (a score below 5)."
    )
    assert describe(PCL5, markers(PCL5, 45, 38), you=True) == (
        "Your PCL-5 went from 45 to 38: a reliable improvement (5 to 9 points), short of a response."
    )


@pytest.mark.django_db
def test_progress_compares_every_later_response_with_the_first_baseline(world):
    patient = world.patient_a
    start = timezone.now() - datetime.timedelta(days=60)
    measure(patient, "phq9", 18, when=start)
    measure(patient, "phq9", 16, when=start + datetime.timedelta(days=1))  # a second baseline: a later measure
    measure(patient, "phq9", 9, context=MeasureResponse.Context.PRE_DOSE, when=start + datetime.timedelta(days=10))
    measure(patient, "phq9", 4, context=MeasureResponse.Context.FOLLOW_UP, when=start + datetime.timedelta(days=50))
    measure(patient, "gad7", 10, context=MeasureResponse.Context.FOLLOW_UP, when=start)  # no baseline: left out

    [phq9] = progress_for(patient)

    assert phq9.baseline.total == 18
    assert [(c.measure.total, c.markers.change) for c in phq9.later] == [(16, -2), (9, -9), (4, -14)]
    assert phq9.later[1].markers.response and not phq9.later[1].markers.remission
    assert phq9.latest.markers.status == REMISSION
    assert phq9.patient_summary.startswith("Your PHQ-9 went from 18 to 4: a response")
