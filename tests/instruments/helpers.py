"""Answers that add up to a chosen total, for boundary tests."""


def answers_totalling(keys, total: int, *, maximum: int) -> dict[str, int]:
    """Fill items in order with `maximum` until `total` is reached (e.g. 10 on 0–3 items: 3, 3, 3, 1, 0…)."""
    assert 0 <= total <= maximum * len(keys)
    answers = {}
    for key in keys:
        value = min(maximum, total)
        answers[key] = value
        total -= value
    return answers
