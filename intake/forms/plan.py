"""The prescriber's treatment plan form: dose and range with units, sessions, measure schedule and the
patient's preparation. Initial values come from the clinic's protocol for the route (`route_protocol`)."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from kap_clinic.submissions.forms import OnceForm

from ..measure_schedule import DEFAULT_SCHEDULE, TIME_POINTS
from ..models import Drug, Route
from ..models.assessment import DoseUnit, Indication
from ..protocol import route_protocol
from ..services.plan import plan_dose_check

# Preparation defaults, domain.md §5 (clinic policy; the prescriber edits them per patient).
DEFAULT_MEDICATION_HOLDS = _(
    "Take your usual medications with sips of water unless told otherwise. For 24 hours before and after a "
    "session avoid alcohol, cannabis, benzodiazepines, opioids, stimulants, sedatives, muscle relaxants, "
    "diphenhydramine and lamotrigine, as your prescriber agrees with you — never stop a benzodiazepine or alcohol "
    "suddenly. No other psychedelics within 7 days."
)  # §5 [S97] (M, one clinic's policy)
DEFAULT_INSTRUCTIONS = _(
    "Do not drive or operate machinery until the next day, after a restful sleep. A responsible adult takes you "
    "home; confirm your ride before the session or it will be rescheduled. Wear comfortable clothes, empty your "
    "bladder before the session, and bring your written intentions."
)  # §2 [S48,S54]; §5 [S48,S103,S87,S104,S101]

SESSIONS = (1, 24)
SPACING_DAYS = (1, 60)
FASTING_HOURS = (Decimal(0), Decimal(24))


def plan_initial(*, clinic, route: str, indication: str = "") -> dict:
    """A new plan's starting values: the clinic's protocol for `route` (or its defaults)."""
    protocol = route_protocol(clinic, route)
    typical = getattr(protocol, "typical_dose", None)
    low, high = protocol.dose_min, protocol.dose_max
    planned = typical if typical is not None and low <= typical <= high else low
    return {
        "indication": indication,
        "drug": Drug.ESKETAMINE if route == Route.IN else Drug.RACEMIC,  # IN defaults are the Spravato doses
        "route": route,
        "dose_unit": protocol.dose_unit,
        "planned_dose": planned,
        "dose_min": low,
        "dose_max": high,
        "induction_sessions": 6,  # §3 [S74,S76,S77]: six sessions over 2–3 weeks
        "spacing_days": 3,
        "measure_schedule": list(DEFAULT_SCHEDULE),
        "fasting_food_hours": protocol.fasting_food_hours,
        "fasting_fluids_hours": protocol.fasting_fluids_hours,
        "medication_holds": DEFAULT_MEDICATION_HOLDS,
        "escort_required": True,
        "instructions": DEFAULT_INSTRUCTIONS,
    }


class PlanForm(OnceForm):
    indication = forms.ChoiceField(label=_("Indication"), choices=[("", _("Choose…")), *Indication.choices])
    drug = forms.ChoiceField(label=_("Drug"), choices=Drug.choices)
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    dose_unit = forms.ChoiceField(label=_("Dose unit"), choices=DoseUnit.choices)
    planned_dose = forms.DecimalField(label=_("Planned dose"), max_digits=7, decimal_places=3)
    dose_min = forms.DecimalField(label=_("Lowest allowed dose"), max_digits=7, decimal_places=3)
    dose_max = forms.DecimalField(label=_("Highest allowed dose"), max_digits=7, decimal_places=3)
    induction_sessions = forms.IntegerField(
        label=_("Induction sessions"), help_text=_("How many dosing sessions in the induction series (1–24).")
    )
    spacing_days = forms.IntegerField(
        label=_("Days between sessions"), help_text=_("e.g. 2–3 days for twice or three times a week (1–60).")
    )
    measure_schedule = forms.MultipleChoiceField(
        label=_("Measure schedule"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(point.key, f"{point.label} — {point.measures}") for point in TIME_POINTS],
        help_text=_("Suggested defaults from the clinic's reference (domain.md §7.2)."),
    )
    fasting_food_hours = forms.DecimalField(label=_("No food for (hours before)"), max_digits=4, decimal_places=1)
    fasting_fluids_hours = forms.DecimalField(label=_("No liquids for (hours before)"), max_digits=4, decimal_places=1)
    medication_holds = forms.CharField(
        label=_("Medication holds"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    escort_required = forms.BooleanField(
        label=_("An escort takes the patient home (no driving until the next day)"), required=False
    )
    instructions = forms.CharField(
        label=_("Preparation instructions for the patient"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.dose_notes: list[str] = []
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "submission",
            Fieldset(
                _("Treatment"),
                Div(
                    Div(Field("indication"), css_class="col-md-4"),
                    Div(Field("drug"), css_class="col-md-4"),
                    Div(Field("route"), css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Dose"),
                Div(
                    Div(Field("dose_unit"), css_class="col-md-3"),
                    Div(Field("planned_dose"), css_class="col-md-3"),
                    Div(Field("dose_min"), css_class="col-md-3"),
                    Div(Field("dose_max"), css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Sessions and measures"),
                Div(
                    Div(Field("induction_sessions"), css_class="col-md-6"),
                    Div(Field("spacing_days"), css_class="col-md-6"),
                    css_class="row",
                ),
                "measure_schedule",
            ),
            Fieldset(
                _("Preparation"),
                Div(
                    Div(Field("fasting_food_hours"), css_class="col-md-6"),
                    Div(Field("fasting_fluids_hours"), css_class="col-md-6"),
                    css_class="row",
                ),
                "medication_holds",
                "escort_required",
                "instructions",
            ),
        )

    def _within(self, name: str, bounds, unit: str):
        value = self.cleaned_data.get(name)
        if value is not None and not bounds[0] <= value <= bounds[1]:
            raise forms.ValidationError(
                _("Enter %(low)s to %(high)s %(unit)s.") % {"low": bounds[0], "high": bounds[1], "unit": unit}
            )
        return value

    def clean_induction_sessions(self):
        return self._within("induction_sessions", SESSIONS, _("sessions"))

    def clean_spacing_days(self):
        return self._within("spacing_days", SPACING_DAYS, _("days"))

    def clean_fasting_food_hours(self):
        return self._within("fasting_food_hours", FASTING_HOURS, _("hours"))

    def clean_fasting_fluids_hours(self):
        return self._within("fasting_fluids_hours", FASTING_HOURS, _("hours"))

    def clean(self):
        cleaned = super().clean()
        check = plan_dose_check(patient=self.patient, data=cleaned)
        for name, messages in check.errors.items():
            for message in messages:
                self.add_error(name, message)
        self.dose_notes = check.notes
        return cleaned

    def plan_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}
