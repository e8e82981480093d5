"""The vitals form: impossible values refused with units, unusual ones kept only once re-checked, units converted."""

from decimal import Decimal

import pytest

from intake.forms.vitals import VitalsForm


def form(prefix=None, previous_weight_kg=None, **values):
    data = {"temperature_unit": "C", "weight_unit": "kg"} | {k: str(v) for k, v in values.items()}
    if prefix:
        data = {f"{prefix}-{k}": v for k, v in data.items()}
    return VitalsForm(data, prefix=prefix, previous_weight_kg=previous_weight_kg)


def test_normal_vitals_are_accepted_and_given_by_column():
    f = form(systolic=122, diastolic=78, heart_rate=70, spo2=98, respiratory_rate=14, temperature="36.8", weight="70")

    assert f.is_valid(), f.errors
    assert f.vitals_data() == {
        "systolic": 122,
        "diastolic": 78,
        "heart_rate": 70,
        "spo2": 98,
        "respiratory_rate": 14,
        "temperature_c": Decimal("36.8"),
        "weight_kg": Decimal("70"),
    }


def test_an_empty_form_is_valid_and_gives_nothing():
    f = form()
    assert f.is_valid()
    assert f.vitals_data() == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("systolic", 320, "Systolic BP must be between 40 and 300 mmHg"),
        ("diastolic", 10, "Diastolic BP must be between 20 and 200 mmHg"),
        ("heart_rate", 300, "Heart rate must be between 20 and 250 bpm"),
        ("spo2", 101, "SpO₂ must be between 50 and 100 %"),
        ("respiratory_rate", 2, "Respiratory rate must be between 4 and 60 /min"),
        ("height_cm", 80, "Height must be between 100 and 250 cm"),
    ],
)
def test_values_outside_the_hard_bounds_are_refused_with_units(field, value, message):
    values = {"systolic": 120, "diastolic": 80} | {field: value}
    f = form(**values)

    assert not f.is_valid()
    assert message in f.errors[field][0]


def test_diastolic_must_be_below_systolic():
    f = form(systolic=90, diastolic=95)
    assert not f.is_valid()
    assert "must be lower than the systolic (90 mmHg)" in f.errors["diastolic"][0]


def test_half_a_blood_pressure_is_refused():
    f = form(systolic=120)
    assert not f.is_valid()
    assert "Enter both blood pressure values" in f.errors["diastolic"][0]


def test_a_fahrenheit_temperature_typed_as_celsius_gets_its_own_message():
    f = form(temperature="98.6")

    assert not f.is_valid()
    assert "98.6 °C looks like a Fahrenheit reading: choose °F" in f.errors["temperature"][0]


def test_fahrenheit_is_converted_to_celsius():
    f = form(temperature="98.6", temperature_unit="F")
    assert f.is_valid(), f.errors
    assert f.vitals_data() == {"temperature_c": Decimal("37.0")}


def test_an_impossible_temperature_names_both_units():
    f = form(temperature="120", temperature_unit="F")
    assert not f.is_valid()
    assert "between 30 and 43 °C (86–109 °F)" in f.errors["temperature"][0]


def test_pounds_are_converted_to_kilograms():
    f = form(weight="154", weight_unit="lb")
    assert f.is_valid(), f.errors
    assert f.vitals_data() == {"weight_kg": Decimal("69.9")}


def test_a_weight_in_pounds_typed_as_kilograms_is_refused_with_a_hint():
    f = form(weight="350")
    assert not f.is_valid()
    message = f.errors["weight"][0]
    assert "between 30 and 300 kg (66–661 lb)" in message
    assert "If you weighed in pounds, choose lb." in message


def test_unusual_values_show_the_recheck_box_and_are_kept_once_ticked():
    unconfirmed = form(systolic=230, diastolic=100, spo2=82)

    assert not unconfirmed.is_valid()
    assert unconfirmed.needs_confirmation
    message = unconfirmed.errors["confirmed"][0]
    assert "Systolic BP 230 mmHg is outside the usual 80–220 mmHg" in message
    assert "SpO₂ 82 % is outside the usual 85–100 %" in message
    assert 'type="checkbox"' in str(unconfirmed["confirmed"])

    confirmed = form(systolic=230, diastolic=100, spo2=82, confirmed="on")
    assert confirmed.is_valid(), confirmed.errors
    assert confirmed.vitals_data()["systolic"] == 230


def test_the_recheck_box_stays_hidden_for_usual_values():
    f = form(systolic=120, diastolic=80)
    assert f.is_valid()
    assert 'type="hidden"' in str(f["confirmed"])


def test_a_weight_change_over_five_percent_asks_to_recheck():
    f = form(weight="80", previous_weight_kg=Decimal("70"))
    assert not f.is_valid()
    assert "weight changed by 14% since the last recorded 70 kg" in f.errors["confirmed"][0]
    assert form(weight="72", previous_weight_kg=Decimal("70")).is_valid()


def test_required_fields_can_be_asked_for():
    f = VitalsForm({"temperature_unit": "C", "weight_unit": "kg"}, required=("systolic", "diastolic"))
    assert not f.is_valid()
    assert set(f.errors) == {"systolic", "diastolic"}


def test_the_form_works_under_a_prefix():
    f = form(prefix="vitals", systolic=120, diastolic=80)
    assert f.is_valid(), f.errors
    assert f.vitals_data() == {"systolic": 120, "diastolic": 80}
