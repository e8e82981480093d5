"""GAD-7: total 0–21, four bands, screen positive at ≥ 10 (domain.md §1.1, §1.3)."""

import pytest
from django.core.exceptions import ValidationError

from kap_clinic.instruments import GAD7, score

from .helpers import answers_totalling

ITEMS = [f"q{n}" for n in range(1, 8)]


def gad7(total: int) -> dict:
    return answers_totalling(ITEMS, total, maximum=3)


@pytest.mark.parametrize(
    ("total", "band", "level"),
    [
        (0, "Minimal", "success"),
        (4, "Minimal", "success"),
        (5, "Mild", "info"),
        (9, "Mild", "info"),
        (10, "Moderate", "warning"),
        (14, "Moderate", "warning"),
        (15, "Severe", "danger"),
        (21, "Severe", "danger"),
    ],
)
def test_band_at_each_boundary(total, band, level):
    result = score(GAD7, gad7(total))

    assert (result.total, result.band, result.level) == (total, band, level)


@pytest.mark.parametrize(("total", "positive"), [(0, False), (9, False), (10, True), (21, True)])
def test_screen_positive_from_10(total, positive):
    result = score(GAD7, gad7(total))

    assert ("gad7_screen_positive" in result.flags) is positive
    assert not result.needs_safety_alert  # the GAD-7 has no safety item


def test_maximum_total_is_21():
    assert GAD7.max_total == 21


def test_a_missing_answer_is_refused():
    with pytest.raises(ValidationError) as error:
        score(GAD7, dict.fromkeys(ITEMS[:-1], 0))
    assert error.value.code == "incomplete"


@pytest.mark.parametrize("bad", [4, -1, "often", 1.5])
def test_an_answer_that_isnt_a_choice_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        score(GAD7, dict.fromkeys(ITEMS, 1) | {"q7": bad})
    assert error.value.code == "invalid"
