"""PHQ-9: total 0–27, five severity bands, and item 9 flagged whatever the total (domain.md §1.1)."""

import pytest
from django.core.exceptions import ValidationError

from kap_clinic.instruments import PHQ9, score

from .helpers import answers_totalling

ITEMS = [f"q{n}" for n in range(1, 10)]
FIRST_EIGHT = ITEMS[:8]


def phq9(total: int, *, q9: int = 0, **extra) -> dict:
    answers = answers_totalling(FIRST_EIGHT, total - q9, maximum=3) | {"q9": q9}
    return answers | extra


@pytest.mark.parametrize(
    ("total", "band", "level"),
    [
        (0, "Minimal", "success"),
        (4, "Minimal", "success"),
        (5, "Mild", "info"),
        (9, "Mild", "info"),
        (10, "Moderate", "warning"),
        (14, "Moderate", "warning"),
        (15, "Moderately severe", "danger"),
        (19, "Moderately severe", "danger"),
        (20, "Severe", "danger"),
        (27, "Severe", "danger"),
    ],
)
def test_band_at_each_boundary(total, band, level):
    result = score(PHQ9, phq9(total, q9=min(3, max(0, total - 24))))

    assert (result.total, result.band, result.level) == (total, band, level)


def test_maximum_total_is_27():
    assert PHQ9.max_total == 27
    assert score("phq9", dict.fromkeys(ITEMS, 3)).total == 27


@pytest.mark.parametrize("total", [0, 4, 15, 24])
def test_item_9_at_zero_raises_no_flag_whatever_the_total(total):
    result = score(PHQ9, phq9(total, q9=0))

    assert "phq9_item9" not in result.flags
    assert not result.needs_safety_alert


@pytest.mark.parametrize(("total", "q9"), [(1, 1), (3, 2), (4, 1), (27, 3)])
def test_item_9_at_one_or_more_is_flagged_whatever_the_total(total, q9):
    result = score(PHQ9, phq9(total, q9=q9))

    assert result.band == ("Minimal" if total <= 4 else "Severe")
    assert "phq9_item9" in result.flags
    assert result.needs_safety_alert


def test_difficulty_item_is_kept_but_not_scored():
    result = score(PHQ9, phq9(10, difficulty="3"))

    assert result.total == 10


def test_string_answers_as_posted_are_scored():
    assert score(PHQ9, dict.fromkeys(ITEMS, "2")).total == 18


@pytest.mark.parametrize(
    "answers",
    [
        {f"q{n}": 0 for n in range(1, 9)},  # q9 missing
        dict.fromkeys(ITEMS, 0) | {"q5": ""},
        dict.fromkeys(ITEMS, 0) | {"q5": None},
    ],
)
def test_a_missing_answer_is_refused(answers):
    with pytest.raises(ValidationError) as error:
        score(PHQ9, answers)
    assert error.value.code == "incomplete"


@pytest.mark.parametrize("bad", [4, -1, "x", "1.5", 2.5, True, [1]])
def test_an_answer_that_isnt_a_choice_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        score(PHQ9, dict.fromkeys(ITEMS, 0) | {"q3": bad})
    assert error.value.code == "invalid"


@pytest.mark.parametrize("bad", [4, "x", "-1"])
def test_a_difficulty_answer_that_isnt_a_choice_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        score(PHQ9, dict.fromkeys(ITEMS, 0) | {"difficulty": bad})
    assert error.value.code == "invalid"
