"""The patient's intake questionnaire, one form per step (field names: the contract in intake_fields.md).

Each step form is bound to the raw answers the patient sent (`IntakeQuestionnaire.answers[slug]`),
so a step re-validates the same way wherever it is read (`intake.sections.cleaned_section`).
Every form takes `questionnaire=` (the draft it belongs to) for what depends on the chart or clinic:
the PCL-5 cutoff, the clinic's risk-screen wording, the consent status.
"""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kap_clinic.instruments import CSSRS, GAD7, PCL5, PHQ9, score
from kap_clinic.instruments.definitions import CSSRS_PLACEHOLDER_WORDING, Instrument
from kap_clinic.instruments.scoring import cssrs_required

from ..models import Medication, SexAtBirth
from .patients import _years_before

YES, NO, UNSURE = "yes", "no", "unsure"
YES_NO = ((YES, _("Yes")), (NO, _("No")))
YES_NO_UNSURE = (*YES_NO, (UNSURE, _("Not sure")))

ANSWER_PLEASE = _("Please answer this question.")


def yes_no(label, *, required=True, help_text=""):
    """A yes/no radio question whose raw values are "yes"/"no", cleaned to True/False."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == YES,
        empty_value=None,
        widget=forms.RadioSelect,
        required=required,
        help_text=help_text,
        error_messages={"required": _("Please answer yes or no.")},
    )


def choice(label, choices, *, required=True, help_text="", radio=True):
    return forms.ChoiceField(
        label=label,
        choices=choices if radio or not required else [("", _("Choose…")), *choices],
        widget=forms.RadioSelect if radio else forms.Select,
        required=required,
        help_text=help_text,
        error_messages={"required": _("Please choose one."), "invalid_choice": _("Please choose one of the options.")},
    )


def several(label, choices, *, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": _("Please choose from the options shown.")},
    )


def text(label, *, required=True, max_length=200, long=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput,
        error_messages={
            "required": _("Please fill this in."),
            "max_length": _("Please keep this under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


def phone_number(label, *, required=True):
    return forms.CharField(
        label=label,
        required=required,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("With the area code, e.g. 555 123 4567."),
        error_messages={
            "required": _("Please give a phone number."),
            "max_length": _("That is too long for a phone number."),
        },
    )


def clean_phone(value: str) -> str:
    value = value.strip()
    if value and not 7 <= len(re.sub(r"\D", "", value)) <= 15:
        raise ValidationError(
            _("A phone number has 7 to 15 digits; check this one (with the area code, e.g. 555 123 4567)."),
            code="phone",
        )
    return value


def date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Please give the date."),
            "invalid": _("Enter a date as year-month-day, e.g. 1984-03-25."),
        },
    )


class StepForm(forms.Form):
    """One step of the intake. `questionnaire` is the draft it belongs to (None only in tests)."""

    phone_fields: tuple[str, ...] = ()

    def __init__(self, *args, questionnaire=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        layout = self.layout()
        if layout is not None:
            self.helper.layout = layout

    @property
    def patient(self):
        return self.questionnaire.patient if self.questionnaire is not None else None

    def layout(self):
        return None

    def clean(self):
        cleaned = super().clean()
        for name in self.phone_fields:
            if cleaned.get(name):
                try:
                    cleaned[name] = clean_phone(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def require_when(self, field: str, condition: bool, message) -> None:
        """`field` must be filled in when `condition` holds (a follow-up question)."""
        if condition and self.cleaned_data.get(field) in (None, "", []) and field not in self.errors:
            self.add_error(field, message)


# --- 1. about you ------------------------------------------------------------------------------

PATIENT_FIELDS = (
    "legal_name",
    "preferred_name",
    "date_of_birth",
    "sex_at_birth",
    "gender",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
)


class AboutForm(StepForm):
    legal_name = text(_("Legal name"), help_text=_("As on your ID."))
    preferred_name = text(_("Name you would like us to use"), required=False, max_length=100)
    date_of_birth = date(_("Date of birth"))
    sex_at_birth = choice(_("Sex assigned at birth"), SexAtBirth.choices)
    gender = text(_("Gender identity"), required=False, max_length=100)
    phone = phone_number(_("Your phone"))
    address = text(_("Home address"), long=True, max_length=500)
    emergency_contact_name = text(_("Emergency contact: name"))
    emergency_contact_phone = phone_number(_("Emergency contact: phone"))
    emergency_contact_relationship = text(_("Emergency contact: relationship to you"), max_length=100)

    phone_fields = ("phone", "emergency_contact_phone")

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise ValidationError(_("The date of birth can't be in the future."))
        if dob < _years_before(today, 120):
            raise ValidationError(_("Check the year: that date is more than 120 years ago."))
        if dob > _years_before(today, 18):
            raise ValidationError(_("This program is for adults: you must be 18 or older."))
        return dob


# --- 2. support and the ride home ---------------------------------------------------------------


class SupportForm(StepForm):
    support_person_name = text(
        _("Support person: name"), help_text=_("Someone who knows you are having this treatment and can be reached.")
    )
    support_person_phone = phone_number(_("Support person: phone"))
    support_person_relationship = text(_("Support person: relationship to you"), required=False, max_length=100)
    ride_home_name = text(_("Who will drive you home after each session?"))
    ride_home_phone = phone_number(_("Their phone"))
    ride_home_confirmed = forms.BooleanField(
        label=_("I will have a ride home and will not drive until the next day."),
        error_messages={
            "required": _(
                "Please tick this box: after a session you can't drive until the next day, so someone must take "
                "you home."
            )
        },
    )

    phone_fields = ("support_person_phone", "ride_home_phone")


# --- 3. medical history ---------------------------------------------------------------------------

THYROID = (
    ("none", _("No thyroid condition")),
    ("hyperthyroid_untreated", _("Overactive thyroid, not treated")),
    ("hyperthyroid_treated", _("Overactive thyroid, treated")),
    ("hypothyroid", _("Underactive thyroid")),
)
PREGNANT = (
    ("no", _("No")),
    ("yes", _("Yes")),
    ("unsure", _("Not sure")),
    ("not_applicable", _("Does not apply to me")),
)


class MedicalForm(StepForm):
    hypertension = yes_no(_("Have you been told you have high blood pressure?"))
    hypertension_controlled = choice(
        _("Is your blood pressure controlled (with or without medication)?"), YES_NO_UNSURE, required=False
    )
    heart_disease = yes_no(_("Do you have heart disease (for example a heart attack, heart failure, angina)?"))
    heart_disease_details = text(_("Tell us about your heart condition"), required=False, long=True, max_length=1000)
    aneurysm_avm = yes_no(_("Have you ever had an aneurysm or an arteriovenous malformation (AVM)?"))
    stroke_ich = yes_no(_("Have you ever had a stroke or bleeding in the brain?"))
    liver_disease = yes_no(_("Do you have liver disease?"))
    glaucoma_pressure = yes_no(_("Do you have glaucoma, or raised pressure in the eye or inside the head?"))
    head_injury = yes_no(_("Have you had a head injury recently?"))
    seizures = yes_no(_("Have you ever had seizures?"))
    thyroid = choice(_("Thyroid"), THYROID)
    bladder_urinary = yes_no(_("Do you have bladder or urinary problems (pain, urgency, blood in urine)?"))
    pregnant = choice(_("Are you pregnant, or could you be?"), PREGNANT)
    breastfeeding = yes_no(_("Are you breastfeeding?"))
    contraception = text(_("Contraception you use, if any"), required=False)
    allergies = text(_("Allergies (medicines, foods, other)"), required=False, long=True, max_length=1000)
    ketamine_allergy = yes_no(_("Have you ever had an allergic reaction to ketamine?"))
    other_conditions = text(_("Other medical conditions"), required=False, long=True, max_length=2000)

    def layout(self):
        conditional = ("hypertension", "hypertension_controlled", "heart_disease", "heart_disease_details")
        return Layout(
            "hypertension",
            Div("hypertension_controlled", data_show_when="hypertension=yes"),
            "heart_disease",
            Div("heart_disease_details", data_show_when="heart_disease=yes"),
            *[name for name in self.fields if name not in conditional],
        )

    def clean(self):
        cleaned = super().clean()
        self.require_when(
            "hypertension_controlled",
            cleaned.get("hypertension") is True,
            _("You said you have high blood pressure: is it controlled?"),
        )
        return cleaned


# --- 4. medications -------------------------------------------------------------------------------

MAX_MEDICATION_ROWS = 40


class MedicationRowForm(forms.Form):
    name = forms.CharField(
        label=_("Medication"),
        max_length=120,
        required=False,
        help_text=_("The name on the label, e.g. sertraline or Zoloft."),
        error_messages={"max_length": _("Please keep the name under %(limit_value)d characters.")},
    )
    dose = forms.DecimalField(
        label=_("Dose"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter the dose as a number, e.g. 0.5 or 20."),
            "min_value": _("The dose must be more than 0."),
            "max_digits": _("That dose is too large: check the number and the unit."),
            "max_decimal_places": _("Use at most 3 decimal places, e.g. 0.125."),
            "max_whole_digits": _("That dose is too large: check the number and the unit."),
        },
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[("", "—"), *Medication.Unit.choices],
        error_messages={"invalid_choice": _("Please choose a unit from the list.")},
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        required=False,
        choices=[("", "—"), *Medication.Frequency.choices],
        error_messages={"invalid_choice": _("Please choose how often from the list.")},
    )

    def clean(self):
        cleaned = super().clean()
        filled = any(cleaned.get(key) not in (None, "") for key in ("dose", "unit", "frequency"))
        if not cleaned.get("name") and filled and "name" not in self.errors:
            self.add_error("name", _("Please write the name of this medication."))
        if cleaned.get("dose") is not None and cleaned["dose"] <= 0:
            self.add_error("dose", _("The dose must be more than 0."))
        if cleaned.get("dose") is not None and not cleaned.get("unit"):
            self.add_error("unit", _("Please choose the unit of the dose (mg, mcg, …)."))
        return cleaned


class BaseMedicationFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": _("This list of medications is incomplete: please open the page again."),
        "too_many_forms": _("Please list at most %(num)d medications; put the rest under “other conditions”."),
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.use_required_attribute = False


MedicationFormSet = forms.formset_factory(
    MedicationRowForm,
    formset=BaseMedicationFormSet,
    extra=3,
    max_num=MAX_MEDICATION_ROWS,
    absolute_max=MAX_MEDICATION_ROWS,
    validate_max=True,
)
MEDICATION_PREFIX = "med"


class MedicationsForm(StepForm):
    """The medication rows (a formset, prefix "med") and "I take no medications": one or the other."""

    no_medications = forms.BooleanField(label=_("I take no medications"), required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.formset = MedicationFormSet(data, prefix=MEDICATION_PREFIX) if data is not None else None
        if self.formset is None:
            self.formset = MedicationFormSet(prefix=MEDICATION_PREFIX, initial=self._saved_rows())

    def _saved_rows(self) -> list[dict]:
        if self.questionnaire is None or self.questionnaire.pk is None:
            return []
        return [
            {"name": med.name, "dose": med.dose, "unit": med.unit, "frequency": med.frequency}
            for med in self.questionnaire.medications.all()
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.formset.is_valid():
            errors = self.formset.non_form_errors()
            self.add_error(None, errors if errors else _("Please check the medications marked below."))
            return cleaned
        rows = [
            {key: row.cleaned_data.get(key) for key in ("name", "dose", "unit", "frequency")}
            for row in self.formset.forms
            if row.cleaned_data.get("name")
        ]
        for row in rows:
            row["name"] = row["name"].strip()
            row["unit"] = row["unit"] or ""
            row["frequency"] = row["frequency"] or ""
        if not rows and not cleaned.get("no_medications"):
            self.add_error(None, _("Please list at least one medication, or tick “I take no medications”."))
        if rows and cleaned.get("no_medications"):
            self.add_error(
                "no_medications",
                _("You ticked “I take no medications” but listed some: untick the box or clear the rows."),
            )
        cleaned["medications"] = rows
        return cleaned


# --- 5. psychiatric history ------------------------------------------------------------------------

DIAGNOSES = (
    ("depression", _("Depression")),
    ("ptsd", _("PTSD")),
    ("anxiety", _("Anxiety")),
    ("bipolar", _("Bipolar disorder")),
    ("ocd", _("OCD")),
    ("eating_disorder", _("Eating disorder")),
    ("personality_disorder", _("Personality disorder")),
    ("adhd", _("ADHD")),
    ("other", _("Other")),
)
PAST_TREATMENTS = (
    ("antidepressants", _("Antidepressants")),
    ("antipsychotics", _("Antipsychotics")),
    ("mood_stabilisers", _("Mood stabilisers")),
    ("psychotherapy", _("Psychotherapy")),
    ("tms", _("TMS (magnetic stimulation)")),
    ("ect", _("ECT")),
    ("esketamine", _("Esketamine (Spravato)")),
    ("other", _("Other")),
)


class PsychiatricForm(StepForm):
    diagnoses = several(_("Diagnoses you have been given"), DIAGNOSES)
    diagnoses_other = text(_("Other diagnosis"), required=False)
    psychosis_history = yes_no(
        _("Have you ever had psychosis (hearing or seeing things others don't, or fixed false beliefs)?")
    )
    psychosis_family = choice(
        _("Has a parent, brother, sister or child of yours had psychosis or schizophrenia?"), YES_NO_UNSURE
    )
    mania_history = yes_no(_("Have you ever had mania (days of very high energy, little sleep, racing thoughts)?"))
    hospitalisations = forms.IntegerField(
        label=_("How many times have you been admitted to a psychiatric hospital?"),
        min_value=0,
        max_value=99,
        help_text=_("A number; 0 if never."),
        error_messages={
            "required": _("Please give a number (0 if never)."),
            "invalid": _("Please give a whole number, e.g. 0, 1 or 2."),
            "min_value": _("The number can't be below 0."),
            "max_value": _("Please check the number: it should be below 100."),
        },
    )
    hospitalisation_details = text(_("When and why"), required=False, long=True, max_length=2000)
    past_treatments = several(_("Treatments you have tried"), PAST_TREATMENTS)
    past_treatments_effect = text(_("How did they work for you?"), required=False, long=True, max_length=2000)
    prior_ketamine = yes_no(_("Have you had ketamine or esketamine treatment before?"))
    prior_ketamine_details = text(_("When, and how did it go?"), required=False, long=True, max_length=2000)
    prior_psychedelics = text(_("Experience with psychedelics (optional)"), required=False, long=True, max_length=2000)

    def layout(self):
        return Layout(
            "diagnoses",
            Div("diagnoses_other", data_show_when="diagnoses=other"),
            "psychosis_history",
            "psychosis_family",
            "mania_history",
            "hospitalisations",
            "hospitalisation_details",
            "past_treatments",
            "past_treatments_effect",
            "prior_ketamine",
            Div("prior_ketamine_details", data_show_when="prior_ketamine=yes"),
            "prior_psychedelics",
        )

    def clean(self):
        cleaned = super().clean()
        self.require_when(
            "diagnoses_other", "other" in (cleaned.get("diagnoses") or []), _("Please name the other diagnosis.")
        )
        return cleaned


# --- 6. alcohol and substances ----------------------------------------------------------------------

HOW_OFTEN = (
    ("never", _("Never")),
    ("monthly_or_less", _("Monthly or less")),
    ("2_4_month", _("2–4 times a month")),
    ("2_3_week", _("2–3 times a week")),
    ("4_plus_week", _("4 or more times a week")),
)
SUBSTANCE_USE_DISORDER = (
    ("none", _("No")),
    ("in_recovery", _("Yes, and I am in recovery")),
    ("current", _("Yes, currently")),
)


class SubstancesForm(StepForm):
    alcohol = choice(_("How often do you have a drink containing alcohol?"), HOW_OFTEN)
    alcohol_drinks = forms.IntegerField(
        label=_("On a day when you drink, how many drinks do you have?"),
        required=False,
        min_value=0,
        max_value=50,
        help_text=_("Number of standard drinks (a can of beer, a glass of wine, a shot)."),
        error_messages={
            "invalid": _("Please give a whole number of drinks, e.g. 2."),
            "min_value": _("The number of drinks can't be below 0."),
            "max_value": _("Please check the number: more than 50 drinks a day?"),
        },
    )
    cannabis = choice(_("How often do you use cannabis?"), HOW_OFTEN)
    other_substances = text(_("Other drugs you use, and how often"), required=False, long=True, max_length=2000)
    substance_use_disorder = choice(
        _("Have you ever had a problem with alcohol or drugs (a substance use disorder)?"), SUBSTANCE_USE_DISORDER
    )
    in_recovery_since = date(_("In recovery since"), required=False)

    def layout(self):
        return Layout(
            "alcohol",
            Div("alcohol_drinks", data_show_when="alcohol!=never"),
            "cannabis",
            "other_substances",
            "substance_use_disorder",
            Div("in_recovery_since", data_show_when="substance_use_disorder=in_recovery"),
        )

    def clean_in_recovery_since(self):
        since = self.cleaned_data.get("in_recovery_since")
        if since and since > timezone.localdate():
            raise ValidationError(_("The date can't be in the future."))
        return since

    def clean(self):
        cleaned = super().clean()
        self.require_when(
            "in_recovery_since",
            cleaned.get("substance_use_disorder") == "in_recovery",
            _("Please give the date your recovery began (a rough date is fine)."),
        )
        return cleaned


# --- 7. trauma ----------------------------------------------------------------------------------

TRAUMA_TYPES = (
    ("accident", _("A serious accident")),
    ("physical_assault", _("Physical assault")),
    ("sexual_violence", _("Sexual violence")),
    ("combat", _("Combat or war")),
    ("disaster", _("A natural disaster or fire")),
    ("childhood_abuse", _("Abuse or neglect as a child")),
    ("sudden_death", _("The sudden death of someone close")),
    ("medical", _("A frightening medical event")),
    ("other", _("Something else")),
)


class TraumaForm(StepForm):
    trauma_types = several(
        _("Have you been through any of these? (optional)"),
        TRAUMA_TYPES,
        help_text=_("Tick any that apply. You don't have to describe anything you don't want to."),
    )
    index_event = text(
        _("The worst event, in a few words (optional)"),
        required=False,
        max_length=300,
        help_text=_("The PTSD questionnaire later in this form asks about this event."),
    )
    trauma_notes = text(_("Anything else you want us to know (optional)"), required=False, long=True, max_length=2000)


# --- 8. goals -----------------------------------------------------------------------------------------


class GoalsForm(StepForm):
    goals = text(_("What do you hope treatment will change?"), long=True, max_length=2000)
    intentions = text(_("Your intentions for the sessions"), long=True, max_length=2000)
    concerns = text(_("Any worries or questions about the treatment"), required=False, long=True, max_length=2000)


# --- 9–12. the measures ------------------------------------------------------------------------------


class MeasureForm(StepForm):
    """A scored questionnaire: one radio question per item; `score_result` once valid."""

    instrument: Instrument
    score_result = None

    def answers(self) -> dict[str, str]:
        """The answered items (raw "0".."4" strings), as `instruments.score` and `measure_record` take them."""
        keys = [item.key for item in (*self.instrument.items, *self.instrument.extra_items)]
        return {key: self.cleaned_data[key] for key in keys if self.cleaned_data.get(key) not in (None, "")}

    def pcl5_cutoff(self) -> int:
        return self.patient.clinic.pcl5_cutoff if self.patient is not None else 33

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.score_result = score(self.instrument, self.answers(), pcl5_cutoff=self.pcl5_cutoff())
        except ValidationError as error:
            self.add_error(None, error)
        cleaned["score"] = self.score_result
        return cleaned


def _measure_fields(instrument: Instrument, *, required_keys=None) -> dict:
    options = [(str(value), label) for value, label in instrument.options]
    extra = [(str(value), label) for value, label in instrument.extra_options]
    fields = {}
    for number, item in enumerate(instrument.items, start=1):
        fields[item.key] = forms.ChoiceField(
            label=format_lazy("{}. {}", number, item.text) if required_keys is None else item.text,
            choices=options,
            widget=forms.RadioSelect,
            required=required_keys is None or item.key in required_keys,
            error_messages={"required": ANSWER_PLEASE, "invalid_choice": _("Please choose one of the answers.")},
        )
    for item in instrument.extra_items:
        fields[item.key] = forms.ChoiceField(
            label=item.text,
            choices=extra,
            widget=forms.RadioSelect,
            required=False,
            error_messages={"invalid_choice": _("Please choose one of the answers.")},
        )
    return fields


PHQ9Form = type("PHQ9Form", (MeasureForm,), {"instrument": PHQ9, **_measure_fields(PHQ9)})
GAD7Form = type("GAD7Form", (MeasureForm,), {"instrument": GAD7, **_measure_fields(GAD7)})


class _PCL5Base(MeasureForm):
    instrument = PCL5
    index_event = text(
        _("The stressful experience these questions are about"),
        required=False,
        max_length=300,
        help_text=_("In a few words; you don't need to describe it. Filled in from the trauma step."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.questionnaire is not None:
            trauma = (self.questionnaire.answers or {}).get("trauma") or {}
            self.initial.setdefault("index_event", trauma.get("index_event", ""))


PCL5Form = type("PCL5Form", (_PCL5Base,), _measure_fields(PCL5))

CSSRS_ALWAYS = ("q1", "q2", "q6")


def _follow_up_note(text) -> HTML:
    return HTML(format_html('<p class="small text-muted mb-2">{}</p>', text))


def cssrs_wording(clinic) -> dict[str, str]:
    """The clinic's licensed wording of the risk screen, or the neutral placeholder wording."""
    from ..models import ScreenerWording

    wording = ScreenerWording.objects.filter(clinic=clinic).first() if clinic is not None else None
    return (
        wording.as_dict()
        if wording is not None
        else {key: str(value) for key, value in CSSRS_PLACEHOLDER_WORDING.items()}
    )


class _CSSRSBase(MeasureForm):
    """The risk screen: q1, q2, q6 always; q3–q5 only when q2 is yes; q6_recent only when q6 is yes
    (`scoring.cssrs_required`). Answers to questions that don't apply are ignored."""

    instrument = CSSRS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wording = cssrs_wording(self.patient.clinic if self.patient is not None else None)
        for key, field in self.fields.items():
            field.label = wording.get(key, field.label)
            field.choices = [("1", _("Yes")), ("0", _("No"))]

    def layout(self):
        return Layout(
            "q1",
            "q2",
            Div(
                _follow_up_note(_("Answer these three only if you answered yes to the question above.")),
                "q3",
                "q4",
                "q5",
                data_show_when="q2=1",
            ),
            "q6",
            Div(
                _follow_up_note(_("Answer this only if you answered yes to the question above.")),
                "q6_recent",
                data_show_when="q6=1",
            ),
        )

    def answers(self) -> dict[str, str]:
        required = cssrs_required(self.data if self.is_bound else {})
        return {key: self.cleaned_data[key] for key in required if self.cleaned_data.get(key) not in (None, "")}

    def clean(self):
        required = cssrs_required(self.data if self.is_bound else {})
        for key in required:
            if key not in CSSRS_ALWAYS and not self.cleaned_data.get(key) and key not in self.errors:
                self.add_error(key, ANSWER_PLEASE)
        for key in self.fields:
            if key not in required:
                self.cleaned_data.pop(key, None)
        return super().clean()


CSSRSForm = type("CSSRSForm", (_CSSRSBase,), _measure_fields(CSSRS, required_keys=CSSRS_ALWAYS))


# --- 13. consent ----------------------------------------------------------------------------------


class ConsentStepForm(StepForm):
    """No fields: the step is complete when the patient has signed the clinic's current consent
    (or the clinic has published none). Signing happens on the consent page."""

    def clean(self):
        from ..sections import consent_complete

        cleaned = super().clean()
        if self.patient is not None and not consent_complete(self.patient):
            self.add_error(None, _("Please read and sign the consent form first (the link is above)."))
        return cleaned


__all__ = [
    "AboutForm",
    "CSSRSForm",
    "ConsentStepForm",
    "GAD7Form",
    "GoalsForm",
    "MedicalForm",
    "MedicationFormSet",
    "MedicationsForm",
    "PCL5Form",
    "PHQ9Form",
    "PsychiatricForm",
    "StepForm",
    "SubstancesForm",
    "SupportForm",
    "TraumaForm",
]
