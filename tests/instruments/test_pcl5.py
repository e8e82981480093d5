"""PCL-5: total 0–80, cluster subscores B–E, the DSM-5 symptom rule and the clinic's cutoff
(domain.md §1.4: item ≥ 2 counts; ≥1 B, ≥1 C, ≥2 D, ≥2 E; cutoff default 33)."""

import pytest
from django.core.exceptions import ValidationError

from kap_clinic.instruments import PCL5, score
from kap_clinic.instruments.definitions import PCL5_DEFAULT_CUTOFF

from .helpers import answers_totalling

ITEMS = [f"q{n}" for n in range(1, 21)]
B, C, D, E = (
    ("q1", "q2", "q3", "q4", "q5"),
    ("q6", "q7"),
    tuple(f"q{n}" for n in range(8, 15)),
    tuple(f"q{n}" for n in range(15, 21)),
)


def pcl5(**values) -> dict:
    return dict.fromkeys(ITEMS, 0) | values


def dsm5_pattern(value: int = 2) -> dict:
    """Exactly the minimum pattern: one B, one C, two D and two E items at `value`."""
    return pcl5(q1=value, q6=value, q8=value, q9=value, q15=value, q16=value)


def test_clusters_are_the_dsm5_items():
    assert PCL5.subscales == {"B": B, "C": C, "D": D, "E": E}


def test_subscores_sum_each_cluster():
    answers = pcl5(q1=4, q5=3, q6=1, q7=2, q8=4, q14=4, q15=1, q20=2)

    result = score(PCL5, answers)

    assert result.subscores == {"B": 7, "C": 3, "D": 8, "E": 3}
    assert result.total == 21


def test_maximum_total_and_cluster_ranges():
    result = score(PCL5, dict.fromkeys(ITEMS, 4))

    assert result.total == PCL5.max_total == 80
    assert result.subscores == {"B": 20, "C": 8, "D": 28, "E": 24}


def test_dsm5_rule_met_by_the_minimum_pattern():
    result = score(PCL5, dsm5_pattern())

    assert "pcl5_provisional_dsm5" in result.flags
    assert result.total == 12 and not result.positive  # the rule and the cutoff are separate


def test_dsm5_rule_not_met_when_items_are_only_1():
    assert "pcl5_provisional_dsm5" not in score(PCL5, dsm5_pattern(1)).flags


@pytest.mark.parametrize(
    ("missing", "cluster"),
    [("q1", "B"), ("q6", "C"), ("q9", "D"), ("q16", "E")],
)
def test_dsm5_rule_fails_one_short_in_any_cluster(missing, cluster):
    answers = dsm5_pattern() | {missing: 1}  # below "Moderately": not a symptom

    result = score(PCL5, answers)

    assert "pcl5_provisional_dsm5" not in result.flags, cluster


def test_dsm5_rule_is_per_cluster_not_a_count_of_items():
    # Eight items at 4, all in B and D: plenty of symptoms, but none in C or E.
    answers = pcl5(**dict.fromkeys(B, 4), q8=4, q9=4, q10=4)

    result = score(PCL5, answers)

    assert result.total == 32
    assert "pcl5_provisional_dsm5" not in result.flags


@pytest.mark.parametrize(("total", "positive"), [(0, False), (32, False), (33, True), (80, True)])
def test_default_cutoff_33(total, positive):
    result = score(PCL5, answers_totalling(ITEMS, total, maximum=4))

    assert PCL5_DEFAULT_CUTOFF == 33
    assert result.positive is positive
    assert ("pcl5_above_cutoff" in result.flags) is positive
    assert result.band == ("At or above cutoff (33)" if positive else "Below cutoff (33)")
    assert result.level == ("danger" if positive else "success")


@pytest.mark.parametrize("cutoff", [20, 31, 38, 60])
def test_custom_cutoff_at_cutoff_minus_one_and_at_cutoff(cutoff):
    below = score(PCL5, answers_totalling(ITEMS, cutoff - 1, maximum=4), pcl5_cutoff=cutoff)
    at = score(PCL5, answers_totalling(ITEMS, cutoff, maximum=4), pcl5_cutoff=cutoff)

    assert (below.positive, at.positive) == (False, True)
    assert at.band == f"At or above cutoff ({cutoff})"
    assert below.band == f"Below cutoff ({cutoff})"


def test_pcl5_has_no_safety_item():
    assert not score(PCL5, dict.fromkeys(ITEMS, 4)).needs_safety_alert


def test_a_missing_answer_is_refused():
    answers = pcl5()
    del answers["q20"]

    with pytest.raises(ValidationError) as error:
        score(PCL5, answers)
    assert error.value.code == "incomplete"


@pytest.mark.parametrize("bad", [5, -1, "a lot", 3.5])
def test_an_answer_that_isnt_a_choice_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        score(PCL5, pcl5(q10=bad))
    assert error.value.code == "invalid"
