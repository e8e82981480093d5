from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from kap_clinic.instruments.definitions import CSSRS_CONSTRUCTS

from ..models import Route
from ..models.assessment import DoseUnit
from ..services.protocol import (
    CLINIC_FIELDS,
    FASTING_MAX_HOURS,
    OBSERVATION_INTERVAL_MAX,
    OBSERVATION_INTERVAL_MIN,
    OBSERVATION_MINUTES_MAX,
    OBSERVATION_MINUTES_MIN,
    PCL5_CUTOFF_MAX,
    PCL5_CUTOFF_MIN,
    ROUTE_FIELDS,
    SCREENER_FIELDS,
    WEIGHT_MAX_AGE_MAX,
    WEIGHT_MAX_AGE_MIN,
    route_protocol_errors,
)


def _whole(label, low: int, high: int, unit, help_text, *, required: bool = False):
    """A whole number between `low` and `high`; left empty, the current value is kept."""
    message = _("Enter a whole number between %(low)s and %(high)s %(unit)s.") % {
        "low": low,
        "high": high,
        "unit": unit,
    }
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={"min_value": message, "max_value": message, "invalid": message},
    )


class ProtocolSettingsForm(forms.Form):
    """The clinic's PCL-5 cutoff, observation interval and how long a weight stays valid and, per route,
    fasting hours, dose unit, dose range, maximum single dose and minimum observation after the dose.

    Route fields are named `<route>_<field>` (e.g. `iv_dose_max`); `routes()` gives them grouped. The
    observation and weight settings may be left empty: the current values are kept."""

    pcl5_cutoff = forms.IntegerField(
        label=_("PCL-5 cutoff (points, 0–80 scale)"),
        min_value=PCL5_CUTOFF_MIN,
        max_value=PCL5_CUTOFF_MAX,
        help_text=_(
            "A PCL-5 total at or above this suggests provisional PTSD. National Center for PTSD: 31–33; "
            "some programs use 38 (domain.md §1.4 [S11,S12,S35]). Default 33."
        ),
    )

    observation_interval_minutes = _whole(
        _("Observation interval (minutes)"),
        OBSERVATION_INTERVAL_MIN,
        OBSERVATION_INTERVAL_MAX,
        _("minutes"),
        _(
            "How often the observation board asks for a new entry during a dosing session: e.g. BP every 10 "
            "minutes during an IV infusion and every 15 minutes after (domain.md §3 [S82]). Default 15."
        ),
    )
    weight_max_age_days = _whole(
        _("Weight valid for (days)"),
        WEIGHT_MAX_AGE_MIN,
        WEIGHT_MAX_AGE_MAX,
        _("days"),
        _(
            "A dose prescribed per kg needs a weight measured within this many days; the pre-dose check asks "
            "for a new one when it is older (domain.md §8, weight row [S145]). Default 30."
        ),
    )

    def __init__(self, *args, current: dict, clinic=None, **kwargs):
        """`current`: the route settings shown before editing (`intake.protocol.route_protocols`);
        `clinic`: its observation interval and weight validity are shown (and kept when left empty)."""
        super().__init__(*args, **kwargs)
        self.current, self.clinic = current, clinic
        if clinic is not None:
            for name in CLINIC_FIELDS:
                self.initial.setdefault(name, getattr(clinic, name))
        for route in Route:
            settings = current[route.value]
            prefix = route.value
            self.fields[f"{prefix}_fasting_food_hours"] = self._hours(_("No food for (hours)"))
            self.fields[f"{prefix}_fasting_fluids_hours"] = self._hours(_("No liquids for (hours)"))
            self.fields[f"{prefix}_dose_unit"] = forms.ChoiceField(label=_("Dose unit"), choices=DoseUnit.choices)
            self.fields[f"{prefix}_dose_min"] = self._dose(_("Lowest dose"))
            self.fields[f"{prefix}_dose_max"] = self._dose(_("Highest dose"))
            self.fields[f"{prefix}_maximum_mg"] = forms.DecimalField(
                label=_("Maximum single dose (mg)"),
                max_digits=7,
                decimal_places=1,
                min_value=Decimal("0.1"),
                help_text=_(
                    "No dose above this many mg, whatever the weight: a session's boosters and devices count together."
                ),
                error_messages={
                    "min_value": _("Enter a maximum single dose above 0 mg."),
                    "max_decimal_places": _("Use at most 1 decimal place (e.g. 112.5 mg)."),
                },
            )
            self.fields[f"{prefix}_min_observation_minutes"] = _whole(
                _("Minimum observation after the dose (minutes)"),
                OBSERVATION_MINUTES_MIN,
                OBSERVATION_MINUTES_MAX,
                _("minutes"),
                _("Discharge waits at least this long after the last dose. Spravato (REMS): at least 120."),
            )
            for name in ROUTE_FIELDS:
                self.initial.setdefault(f"{prefix}_{name}", getattr(settings, name))
        self.helper = FormHelper()
        self.helper.form_tag = False

    @staticmethod
    def _hours(label):
        return forms.DecimalField(
            label=label,
            max_digits=4,
            decimal_places=1,
            min_value=Decimal(0),
            max_value=FASTING_MAX_HOURS,
            error_messages={
                "min_value": _("Enter between 0 and 24 hours."),
                "max_value": _("Enter between 0 and 24 hours."),
                "max_decimal_places": _("Use at most 1 decimal place (e.g. 0.5 hours for 30 minutes)."),
            },
        )

    @staticmethod
    def _dose(label):
        return forms.DecimalField(
            label=label,
            max_digits=7,
            decimal_places=3,
            min_value=Decimal("0.001"),
            help_text=_("In the unit chosen above."),
            error_messages={
                "min_value": _("Enter a dose above 0."),
                "max_decimal_places": _("Use at most 3 decimal places (e.g. 0.125)."),
                "max_digits": _("That number is too large for a dose: check the unit."),
            },
        )

    def routes(self):
        """[(route, label, [bound fields])] for the template, one card per route."""
        return [(route.value, route.label, [self[f"{route.value}_{name}"] for name in ROUTE_FIELDS]) for route in Route]

    def clean(self):
        cleaned = super().clean()
        for route in Route:
            name = f"{route.value}_min_observation_minutes"
            if cleaned.get(name) is None and name not in self.errors:  # left empty: kept as it is
                cleaned[name] = self.current[route.value].min_observation_minutes
            values = {name: cleaned.get(f"{route.value}_{name}") for name in ROUTE_FIELDS}
            for name, message in route_protocol_errors(values).items():
                if f"{route.value}_{name}" not in self.errors:
                    self.add_error(f"{route.value}_{name}", message)
        return cleaned

    def clinic_values(self) -> dict[str, int | None]:
        """The observation interval and weight validity typed (None: left empty, keep the current one)."""
        return {name: self.cleaned_data.get(name) for name in CLINIC_FIELDS}

    def route_values(self) -> dict[str, dict]:
        return {
            route.value: {name: self.cleaned_data[f"{route.value}_{name}"] for name in ROUTE_FIELDS} for route in Route
        }


class ScreenerWordingForm(forms.Form):
    """The clinic's licensed wording of the risk screen: one text per construct, and the licence."""

    licence_reference = forms.CharField(
        label=_("Licence reference"),
        max_length=200,
        help_text=_("For example your Clario licence or agreement number, and its date."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        constructs = {key: (label, loinc) for key, label, loinc in CSSRS_CONSTRUCTS}
        for number, key in enumerate(SCREENER_FIELDS, start=1):
            label, loinc = constructs[key]
            self.fields[key] = forms.CharField(
                label=_("%(n)s. %(construct)s") % {"n": number if key != "q6_recent" else "6b", "construct": label},
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("LOINC %(code)s") % {"code": loinc},
            )
        self.order_fields([*SCREENER_FIELDS, "licence_reference"])
        self.helper = FormHelper()
        self.helper.form_tag = False

    def texts(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in SCREENER_FIELDS}
