"""NEWS2 scoring per parameter band and aggregate response, and every in-session alert rule (domain.md §8)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sessions import observation_rules as rules
from sessions.observation_rules import evaluate, news2

# --- NEWS2: each parameter at both edges of each band [S144,S147] ---------------------------------


@pytest.mark.parametrize(
    ("value", "score"),
    [(4, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)],
)
def test_news2_respiration_rate_bands(value, score):
    assert news2({"respiratory_rate": value}).scores == {"respiratory_rate": score}


@pytest.mark.parametrize(("value", "score"), [(50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)])
def test_news2_spo2_scale_1_bands(value, score):
    assert news2({"spo2": value}).scores == {"spo2": score}


@pytest.mark.parametrize(
    ("value", "score"),
    [(40, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (300, 3)],
)
def test_news2_systolic_bands(value, score):
    assert news2({"systolic": value}).scores == {"systolic": score}


@pytest.mark.parametrize(
    ("value", "score"),
    [(20, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)],
)
def test_news2_pulse_bands(value, score):
    assert news2({"heart_rate": value}).scores == {"heart_rate": score}


@pytest.mark.parametrize(
    ("value", "score"),
    [
        ("34.0", 3),
        ("35.0", 3),
        ("35.1", 1),
        ("36.0", 1),
        ("36.1", 0),
        ("38.0", 0),
        ("38.1", 1),
        ("39.0", 1),
        ("39.1", 2),
        ("42.0", 2),
    ],
)
def test_news2_temperature_bands(value, score):
    assert news2({"temperature_c": Decimal(value)}).scores == {"temperature_c": score}


@pytest.mark.parametrize(("avpu", "score"), [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)])
def test_news2_consciousness(avpu, score):
    assert news2({"avpu": avpu}).scores == {"avpu": score}


def test_news2_supplemental_oxygen_scores_two():
    assert news2({"spo2": 97, "on_oxygen": True}).total == 2
    assert news2({"spo2": 97, "on_oxygen": False}).total == 0


def test_news2_of_an_entry_that_measured_nothing_is_none():
    assert news2({"note": "resting", "on_oxygen": True}) is None


def test_news2_missing_parameters_do_not_score_and_make_it_partial():
    partial = news2({"systolic": 120, "heart_rate": 80})
    assert partial.total == 0 and partial.partial
    assert set(partial.missing) == {"respiratory_rate", "spo2", "temperature_c", "avpu"}
    full = news2(
        {"respiratory_rate": 14, "spo2": 97, "systolic": 125, "heart_rate": 72, "temperature_c": 36.8, "avpu": "A"}
    )
    assert full.total == 0 and not full.partial


# --- NEWS2 aggregate response bands ------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "band"),
    [
        ({"heart_rate": 72}, "routine"),  # 0
        ({"heart_rate": 95}, "low"),  # 1
        ({"heart_rate": 120, "respiratory_rate": 22}, "low"),  # 2 + 2 = 4
        ({"systolic": 85}, "urgent"),  # a single 3, total 3
        ({"heart_rate": 120, "respiratory_rate": 22, "spo2": 95}, "urgent"),  # 5
        ({"heart_rate": 120, "respiratory_rate": 22, "spo2": 93}, "urgent"),  # 6
        ({"heart_rate": 120, "respiratory_rate": 22, "spo2": 93, "temperature_c": 38.5}, "emergency"),  # 7
        ({"systolic": 85, "heart_rate": 135, "avpu": "V"}, "emergency"),  # 9
    ],
)
def test_news2_aggregate_response_bands(values, band):
    assert news2(values).band.code == band


def test_response_band_edges():
    assert rules.response_band(0, any_three=False).code == "routine"
    assert rules.response_band(4, any_three=False).code == "low"
    assert rules.response_band(3, any_three=True).code == "urgent"
    assert rules.response_band(5, any_three=False).code == "urgent"
    assert rules.response_band(6, any_three=False).code == "urgent"
    assert rules.response_band(7, any_three=False).code == "emergency"


# --- in-session alerts: each rule fires at its threshold and not just below --------------------


def codes(values, **context) -> set[str]:
    return {alert["code"] for alert in evaluate(values, **context)}


def level_of(code, values, **context) -> str:
    return next(alert["level"] for alert in evaluate(values, **context) if alert["code"] == code)


def test_every_rule_has_a_level_a_message_and_a_source():
    for rule in rules.ALERT_RULES:
        assert rule.level in rules.LEVELS
        assert str(rule.message)
        assert rule.source.startswith("[S")


def test_normal_vitals_raise_nothing():
    assert evaluate({"systolic": 135, "diastolic": 85, "heart_rate": 88, "spo2": 96, "respiratory_rate": 16}) == []


def test_systolic_180_asks_for_a_recheck_and_notify():
    assert "sbp_high" in codes({"systolic": 180, "diastolic": 95})
    assert level_of("sbp_high", {"systolic": 180, "diastolic": 95}) == "notify"
    assert "sbp_high" not in codes({"systolic": 179, "diastolic": 95})


def test_diastolic_110_asks_for_a_recheck():
    assert "dbp_high" in codes({"systolic": 170, "diastolic": 110})
    assert "dbp_high" not in codes({"systolic": 170, "diastolic": 109})


def test_a_rise_of_40_over_the_pre_dose_baseline_notifies():
    assert "sbp_rise" in codes({"systolic": 160, "diastolic": 90}, baseline_systolic=120)
    assert "sbp_rise" not in codes({"systolic": 159, "diastolic": 90}, baseline_systolic=120)
    assert "sbp_rise" not in codes({"systolic": 170, "diastolic": 90})  # no baseline, no comparison


@pytest.mark.parametrize(("systolic", "diastolic"), [(200, 100), (170, 120)])
def test_200_over_120_once_is_an_emergency(systolic, diastolic):
    alerts = evaluate({"systolic": systolic, "diastolic": diastolic})
    assert alerts[0]["code"] == "bp_crisis" and alerts[0]["level"] == "emergency"
    assert "sbp_high" not in codes({"systolic": systolic, "diastolic": diastolic})


def test_199_over_119_is_not_a_crisis():
    assert "bp_crisis" not in codes({"systolic": 199, "diastolic": 119})


def test_180_over_110_on_two_readings_in_a_row_is_urgent():
    now = timezone.now()
    earlier = {"systolic": 184, "diastolic": 100, "observed_at": now - datetime.timedelta(minutes=5)}
    found = codes({"systolic": 182, "diastolic": 104}, observed_at=now, previous=[earlier])
    assert "bp_high_repeated" in found and "sbp_high" not in found
    # a normal reading in between: the earlier high one no longer counts
    normal = {"systolic": 150, "diastolic": 90, "observed_at": now - datetime.timedelta(minutes=2)}
    assert "bp_high_repeated" not in codes(
        {"systolic": 182, "diastolic": 104}, observed_at=now, previous=[earlier, normal]
    )
    # a high reading long ago is not "two readings 5 minutes apart"
    old = earlier | {"observed_at": now - datetime.timedelta(minutes=40)}
    assert "bp_high_repeated" not in codes({"systolic": 182, "diastolic": 104}, observed_at=now, previous=[old])


def test_systolic_90_or_less_is_urgent():
    assert level_of("sbp_low", {"systolic": 90, "diastolic": 60}) == "urgent"
    assert "sbp_low" not in codes({"systolic": 91, "diastolic": 60})


def test_heart_rate_above_120_notifies_then_sustained_for_5_minutes_is_urgent():
    now = timezone.now()
    assert level_of("hr_high", {"heart_rate": 121}) == "notify"
    assert not codes({"heart_rate": 120}) & {"hr_high", "hr_sustained"}
    five_ago = {"heart_rate": 125, "observed_at": now - datetime.timedelta(minutes=5)}
    sustained = codes({"heart_rate": 124}, observed_at=now, previous=[five_ago])
    assert "hr_sustained" in sustained and "hr_high" not in sustained
    two_ago = {"heart_rate": 125, "observed_at": now - datetime.timedelta(minutes=2)}
    assert "hr_sustained" not in codes({"heart_rate": 124}, observed_at=now, previous=[two_ago])


def test_spo2_91_or_less_is_urgent_and_below_90_hypoxemia_an_emergency():
    assert level_of("spo2_low", {"spo2": 91}) == "urgent"
    assert level_of("spo2_low", {"spo2": 90}) == "urgent"
    assert not codes({"spo2": 92}) & {"spo2_low", "hypoxemia"}
    assert level_of("hypoxemia", {"spo2": 89}) == "emergency"
    assert "spo2_low" not in codes({"spo2": 89})


def test_respiratory_rate_8_or_less_is_urgent():
    assert level_of("rr_low", {"respiratory_rate": 8}) == "urgent"
    assert "rr_low" not in codes({"respiratory_rate": 9})


@pytest.mark.parametrize(
    ("moaas", "code", "level"), [(3, "moaas_low", "urgent"), (1, "moaas_low", "urgent"), (0, "moaas_zero", "emergency")]
)
def test_moaas_3_or_less_alerts_and_0_is_an_emergency(moaas, code, level):
    assert level_of(code, {"moaas": moaas}) == level


def test_moaas_4_and_5_raise_nothing():
    assert codes({"moaas": 4}) == codes({"moaas": 5}) == set()


@pytest.mark.parametrize("avpu", ["C", "V", "P"])
def test_new_confusion_voice_or_pain_is_urgent(avpu):
    assert level_of("avpu_reduced", {"avpu": avpu}) == "urgent"


def test_unresponsive_is_an_emergency_and_alert_raises_nothing():
    assert level_of("avpu_unresponsive", {"avpu": "U"}) == "emergency"
    assert codes({"avpu": "A"}) == set()


def test_news2_5_or_6_is_urgent_and_7_an_emergency():
    five = {"heart_rate": 120, "respiratory_rate": 22, "spo2": 95}
    assert level_of("news2_urgent", five) == "urgent"
    seven = five | {"spo2": 93, "temperature_c": 38.5}
    assert level_of("news2_emergency", seven) == "emergency"
    assert "news2_urgent" not in codes(seven)
    assert not codes({"heart_rate": 120, "respiratory_rate": 22}) & {"news2_urgent", "news2_emergency"}  # 4


def test_a_single_3_without_a_rule_of_its_own_names_the_parameter():
    alerts = evaluate({"temperature_c": Decimal("34.8")})
    assert [a["code"] for a in alerts] == ["news2_single_3"]
    assert "Temperature" in alerts[0]["message"]
    # the SpO₂ rule already says it: no second alert for the same 3
    assert "news2_single_3" not in codes({"spo2": 91})


def test_alerts_come_most_serious_first():
    alerts = evaluate({"systolic": 210, "diastolic": 100, "heart_rate": 125, "moaas": 3})
    levels = [alert["level"] for alert in alerts]
    assert levels == sorted(levels, key=lambda level: -rules.LEVELS.index(level))
    assert rules.top_level(alerts) == "emergency"
    assert rules.is_serious(alerts)
    assert not rules.is_serious(evaluate({"heart_rate": 121}))
