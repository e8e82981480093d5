"""The risk screen (C-SSRS screener constructs): skip logic and every triage row (domain.md §1.5).

None: all no. Low: only Q1 and/or Q2. Moderate: Q3, or Q6 more than 3 months ago. High: Q4 or Q5, or
Q6 within 3 months. Q3–Q5 are asked only when Q2 is yes; the recency follow-up only when Q6 is yes."""

import pytest
from django.core.exceptions import ValidationError

from kap_clinic.instruments import CSSRS, score
from kap_clinic.instruments.scoring import Risk, cssrs_required

NO_THOUGHTS = {"q1": 0, "q2": 0, "q6": 0}


def screen(**answers) -> dict:
    """Q2 = yes asks Q3–Q5 (no unless told); Q6 = yes asks the recency (no unless told)."""
    base = dict(NO_THOUGHTS)
    if answers.get("q2") == 1:
        base |= {"q3": 0, "q4": 0, "q5": 0}
    if answers.get("q6") == 1:
        base |= {"q6_recent": 0}
    return base | answers


@pytest.mark.parametrize(
    ("answers", "risk"),
    [
        # none
        (screen(), Risk.NONE),
        # low: only Q1 and/or Q2
        (screen(q1=1), Risk.LOW),
        (screen(q2=1), Risk.LOW),
        (screen(q1=1, q2=1), Risk.LOW),
        # moderate: Q3, or lifetime behavior not within 3 months
        (screen(q2=1, q3=1), Risk.MODERATE),
        (screen(q1=1, q2=1, q3=1), Risk.MODERATE),
        (screen(q6=1, q6_recent=0), Risk.MODERATE),
        (screen(q1=1, q6=1, q6_recent=0), Risk.MODERATE),
        # high: Q4, Q5, or behavior within 3 months
        (screen(q2=1, q4=1), Risk.HIGH),
        (screen(q2=1, q5=1), Risk.HIGH),
        (screen(q2=1, q3=1, q4=1, q5=1), Risk.HIGH),
        (screen(q6=1, q6_recent=1), Risk.HIGH),
        (screen(q1=1, q2=1, q3=1, q6=1, q6_recent=0), Risk.MODERATE),
        (screen(q1=1, q2=1, q4=1, q6=1, q6_recent=0), Risk.HIGH),
    ],
)
def test_triage(answers, risk):
    result = score(CSSRS, answers)

    assert result.risk == risk
    assert result.total is None
    assert result.band == Risk.LABELS[risk]
    assert result.level == Risk.LEVELS[risk]
    expected_flags = [] if risk == Risk.NONE else [f"cssrs_{risk}"]
    assert result.flags == expected_flags
    assert result.needs_safety_alert is (risk in (Risk.MODERATE, Risk.HIGH))


def test_q2_no_skips_q3_to_q5():
    assert cssrs_required({"q2": 0, "q6": 0}) == ["q1", "q2", "q6"]
    assert score(CSSRS, NO_THOUGHTS).risk == Risk.NONE  # Q3–Q5 not required


def test_q2_no_ignores_q3_to_q5_if_sent_anyway():
    result = score(CSSRS, NO_THOUGHTS | {"q3": 1, "q4": 1, "q5": 1})

    assert result.risk == Risk.NONE


def test_q2_yes_requires_q3_to_q5():
    assert cssrs_required({"q2": "1", "q6": "0"}) == ["q1", "q2", "q3", "q4", "q5", "q6"]
    with pytest.raises(ValidationError) as error:
        score(CSSRS, {"q1": 0, "q2": 1, "q3": 0, "q6": 0})
    assert error.value.code == "incomplete"


def test_q6_no_skips_and_ignores_the_recency_question():
    assert "q6_recent" not in cssrs_required({"q2": 0, "q6": 0})
    assert score(CSSRS, NO_THOUGHTS | {"q6_recent": 1}).risk == Risk.NONE


def test_q6_yes_requires_the_recency_question():
    with pytest.raises(ValidationError) as error:
        score(CSSRS, {"q1": 0, "q2": 0, "q6": 1})
    assert error.value.code == "incomplete"


@pytest.mark.parametrize(("recent", "risk"), [(1, Risk.HIGH), (0, Risk.MODERATE)])
def test_q6_yes_recent_is_high_not_recent_is_moderate(recent, risk):
    assert score(CSSRS, screen(q6=1, q6_recent=recent)).risk == risk


def test_answers_as_posted_strings():
    answers = {"q1": "1", "q2": "1", "q3": "0", "q4": "0", "q5": "1", "q6": "0"}

    assert score(CSSRS, answers).risk == Risk.HIGH


@pytest.mark.parametrize("missing", ["q1", "q2", "q6"])
def test_always_asked_questions_are_required(missing):
    answers = dict(NO_THOUGHTS)
    del answers[missing]

    with pytest.raises(ValidationError) as error:
        score(CSSRS, answers)
    assert error.value.code == "incomplete"


@pytest.mark.parametrize("bad", [2, -1, "yes", True])
def test_an_answer_other_than_0_or_1_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        score(CSSRS, NO_THOUGHTS | {"q1": bad})
    assert error.value.code == "invalid"


def test_wording_placeholder_covers_every_construct():
    from kap_clinic.instruments.definitions import CSSRS_PLACEHOLDER_WORDING

    assert set(CSSRS_PLACEHOLDER_WORDING) == {item.key for item in CSSRS.items}
