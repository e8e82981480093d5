"""One set of vital signs, typed with their units: reusable wherever vitals are taken (assessment, pre-dose).

Two tiers (domain.md §8, `kap_clinic.vitals`): values outside the hard bounds are refused with the
bounds and units in the message; values outside the soft bounds are kept but need "I have re-checked
these values" ticked (the box appears when needed). Temperatures and weights are entered with their
unit and stored in °C and kg; a Fahrenheit reading typed as °C gets its own message [S138].
"""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from kap_clinic.vitals import VITAL_COLUMNS, VITALS, WEIGHT_CHANGE_CONFIRM_PERCENT, fahrenheit_to_celsius, pounds_to_kg

HEIGHT_CM = (100, 250)  # the table's CHECK constraint (adults)


def _n(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _celsius_to_f(value: Decimal) -> Decimal:
    return (value * 9 / 5 + 32).quantize(Decimal(1))


def _kg_to_lb(value: Decimal) -> Decimal:
    return (value / Decimal("0.45359237")).quantize(Decimal(1))


class VitalsForm(forms.Form):
    """Vitals with units. Every field is optional unless `required` names it (e.g. the BP at an assessment).

    `cleaned_data` holds the model's column names (`temperature_c`, `weight_kg`, …) converted to °C and
    kg; `vitals_data()` returns just the values given, ready for `VitalSigns(**data)`.
    """

    systolic = forms.IntegerField(label=_("Systolic BP (mmHg)"), required=False)
    diastolic = forms.IntegerField(label=_("Diastolic BP (mmHg)"), required=False)
    heart_rate = forms.IntegerField(label=_("Heart rate (bpm)"), required=False)
    spo2 = forms.IntegerField(label=_("SpO₂ (%)"), required=False)
    respiratory_rate = forms.IntegerField(label=_("Respiratory rate (breaths/min)"), required=False)
    temperature = forms.DecimalField(label=_("Temperature"), required=False, max_digits=4, decimal_places=1)
    temperature_unit = forms.ChoiceField(label=_("Unit"), choices=[("C", "°C"), ("F", "°F")], initial="C")
    weight = forms.DecimalField(label=_("Weight"), required=False, max_digits=5, decimal_places=1)
    weight_unit = forms.ChoiceField(label=_("Unit"), choices=[("kg", "kg"), ("lb", "lb")], initial="kg")
    height_cm = forms.IntegerField(label=_("Height (cm)"), required=False)
    confirmed = forms.BooleanField(
        label=_("I have re-checked these values"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("Some values are unusual: re-measure or check the units, then tick this box to keep them."),
    )

    def __init__(self, *args, required=(), previous_weight_kg: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_weight_kg = previous_weight_kg
        self.needs_confirmation = False
        self.unusual: list[str] = []
        for name in required:
            self.fields[name].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                Div(Field("systolic"), css_class="col-6 col-md-3"),
                Div(Field("diastolic"), css_class="col-6 col-md-3"),
                Div(Field("heart_rate"), css_class="col-6 col-md-3"),
                Div(Field("spo2"), css_class="col-6 col-md-3"),
                css_class="row",
            ),
            Div(
                Div(Field("respiratory_rate"), css_class="col-6 col-md-3"),
                Div(Field("temperature"), css_class="col-4 col-md-2"),
                Div(Field("temperature_unit"), css_class="col-2 col-md-1"),
                Div(Field("weight"), css_class="col-4 col-md-2"),
                Div(Field("weight_unit"), css_class="col-2 col-md-1"),
                Div(Field("height_cm"), css_class="col-6 col-md-3"),
                css_class="row",
            ),
            Field("confirmed"),
        )

    # --- hard bounds: refuse, with the bounds and units -------------------------------------------------

    def _in_hard_bounds(self, name: str, value):
        if value is None:
            return value
        bounds = VITALS[name]
        low, high = bounds.hard
        if not low <= value <= high:
            raise forms.ValidationError(
                _("%(label)s must be between %(low)s and %(high)s %(unit)s; %(value)s %(unit)s can't be right.")
                % {"label": bounds.label, "low": _n(low), "high": _n(high), "unit": bounds.unit, "value": value}
            )
        return value

    def clean_systolic(self):
        return self._in_hard_bounds("systolic", self.cleaned_data.get("systolic"))

    def clean_diastolic(self):
        return self._in_hard_bounds("diastolic", self.cleaned_data.get("diastolic"))

    def clean_heart_rate(self):
        return self._in_hard_bounds("heart_rate", self.cleaned_data.get("heart_rate"))

    def clean_spo2(self):
        return self._in_hard_bounds("spo2", self.cleaned_data.get("spo2"))

    def clean_respiratory_rate(self):
        return self._in_hard_bounds("respiratory_rate", self.cleaned_data.get("respiratory_rate"))

    def clean_height_cm(self):
        value = self.cleaned_data.get("height_cm")
        if value is not None and not HEIGHT_CM[0] <= value <= HEIGHT_CM[1]:
            raise forms.ValidationError(
                _("Height must be between %(low)s and %(high)s cm (adults); %(value)s cm can't be right.")
                % {"low": HEIGHT_CM[0], "high": HEIGHT_CM[1], "value": value}
            )
        return value

    def _clean_temperature(self, cleaned) -> None:
        value, unit = cleaned.get("temperature"), cleaned.get("temperature_unit") or "C"
        cleaned["temperature_c"] = None
        if value is None:
            return
        low, high = VITALS["temperature_c"].hard
        low_f, high_f = _celsius_to_f(low), _celsius_to_f(high)
        if unit == "C" and low_f <= value <= high_f:
            self.add_error(
                "temperature",
                _(
                    "%(value)s °C looks like a Fahrenheit reading: choose °F, or enter the temperature in °C "
                    "(%(low)s–%(high)s °C)."
                )
                % {"value": value, "low": _n(low), "high": _n(high)},
            )
            return
        celsius = fahrenheit_to_celsius(value) if unit == "F" else value
        if not low <= celsius <= high:
            self.add_error(
                "temperature",
                _(
                    "Temperature must be between %(low)s and %(high)s °C (%(low_f)s–%(high_f)s °F); "
                    "%(value)s °%(unit)s can't be right."
                )
                % {"low": _n(low), "high": _n(high), "low_f": low_f, "high_f": high_f, "value": value, "unit": unit},
            )
            return
        cleaned["temperature_c"] = celsius

    def _clean_weight(self, cleaned) -> None:
        value, unit = cleaned.get("weight"), cleaned.get("weight_unit") or "kg"
        cleaned["weight_kg"] = None
        if value is None:
            return
        kg = pounds_to_kg(value) if unit == "lb" else value
        low, high = VITALS["weight_kg"].hard
        if not low <= kg <= high:
            hint = _(" If you weighed in pounds, choose lb.") if unit == "kg" and kg <= _kg_to_lb(high) else ""
            self.add_error(
                "weight",
                _(
                    "Weight must be between %(low)s and %(high)s kg (%(low_lb)s–%(high_lb)s lb) for an adult; "
                    "%(value)s %(unit)s can't be right.%(hint)s"
                )
                % {
                    "low": _n(low),
                    "high": _n(high),
                    "low_lb": _kg_to_lb(low),
                    "high_lb": _kg_to_lb(high),
                    "value": value,
                    "unit": unit,
                    "hint": hint,
                },
            )
            return
        cleaned["weight_kg"] = kg

    # --- the whole set: diastolic below systolic, soft bounds ask to confirm ------------------------------

    def clean(self):
        cleaned = super().clean()
        self._clean_temperature(cleaned)
        self._clean_weight(cleaned)
        systolic, diastolic = cleaned.get("systolic"), cleaned.get("diastolic")
        if (
            (systolic is None) != (diastolic is None)
            and not self.errors.get("systolic")
            and not self.errors.get("diastolic")
        ):
            self.add_error(
                "diastolic" if diastolic is None else "systolic",
                _("Enter both blood pressure values (systolic and diastolic, mmHg)."),
            )
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            self.add_error(
                "diastolic",
                _("The diastolic pressure (%(dia)s mmHg) must be lower than the systolic (%(sys)s mmHg).")
                % {"dia": diastolic, "sys": systolic},
            )
        if self.errors:
            return cleaned
        self.unusual = self._unusual_values(cleaned)
        if self.unusual:  # the box shows (and stays shown, ticked or not) while values are unusual
            self.fields["confirmed"].widget = forms.CheckboxInput()
        if self.unusual and not cleaned.get("confirmed"):
            self.needs_confirmation = True
            self.add_error(
                "confirmed",
                _("Please re-check: %(values)s. Tick the box to keep these values.")
                % {"values": "; ".join(self.unusual)},
            )
        return cleaned

    def _unusual_values(self, cleaned) -> list[str]:
        unusual = []
        for name, bounds in VITALS.items():
            value = cleaned.get(name)
            if value is None:
                continue
            low, high = bounds.soft
            if value < low or value > high:
                unusual.append(
                    _("%(label)s %(value)s %(unit)s is outside the usual %(low)s–%(high)s %(unit)s")
                    % {"label": bounds.label, "value": _n(value), "unit": bounds.unit, "low": _n(low), "high": _n(high)}
                )
        weight, previous = cleaned.get("weight_kg"), self.previous_weight_kg
        if weight is not None and previous:
            change = abs(weight - previous) * 100 / previous
            if change > WEIGHT_CHANGE_CONFIRM_PERCENT:
                unusual.append(
                    _("weight changed by %(change)s%% since the last recorded %(previous)s kg")
                    % {"change": _n(change.quantize(Decimal(1))), "previous": _n(previous)}
                )
        return unusual

    def vitals_data(self) -> dict:
        """The values given, by the model's column names (°C, kg): empty when nothing was entered."""
        return {name: self.cleaned_data[name] for name in VITAL_COLUMNS if self.cleaned_data.get(name) is not None}
