"""The observation entry and the adverse event forms.

The vitals part is the intake's `VitalsForm` (hard bounds refused with their units, unusual values kept
only once "I have re-checked these values" is ticked), without weight and height; then sedation on the
MOAA/S with its anchors (domain.md §1.6 [S23,S24]), the clinician's global rating of dissociation, AVPU,
the patient's own words, nausea or vomiting, anxiety and a note. Each form is sent once (`OnceForm`).
"""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.forms.vitals import VitalsForm
from kap_clinic.submissions.forms import OnceForm

from .. import clinic_time
from ..models import AdverseEvent, DissociationScale, ObservationEntry
from ..services.observation import DEFAULT_MOAAS_SCALE, MEASUREMENTS
from .base import now_local, when_field

# MOAA/S anchors, 5 (alert) down to 0 (domain.md §1.6) [S23,S24]
MOAAS_CHOICES = [
    (5, _("5 — responds readily to name spoken in normal tone")),
    (4, _("4 — lethargic response to name spoken in normal tone")),
    (3, _("3 — responds only after name is called loudly and/or repeatedly")),
    (2, _("2 — responds only after mild prodding or shaking")),
    (1, _("1 — responds only after painful trapezius squeeze")),
    (0, _("0 — no response after painful trapezius squeeze")),
]
# The clinician's global rating; the CADSS is author-held (J. D. Bremner) and is not reproduced here.
DISSOCIATION_CHOICES = [
    (0, _("0 — none")),
    (1, _("1 — mild")),
    (2, _("2 — moderate")),
    (3, _("3 — severe")),
    (4, _("4 — extreme")),
]
ANXIETY_CHOICES = [(0, _("0 — none")), (1, _("1 — mild")), (2, _("2 — moderate")), (3, _("3 — severe"))]
AVPU_CHOICES = [*ObservationEntry.AVPU.choices, ("", _("Not assessed"))]
NOT_IN_OBSERVATIONS = ("weight", "weight_unit", "height_cm")


def _scale(label, choices, help_text=""):
    """A 0–n rating as radio buttons, with "Not rated" (the default) to leave it out of the entry."""
    return forms.TypedChoiceField(
        label=label,
        choices=[*choices, ("", _("Not rated"))],
        coerce=int,
        empty_value=None,
        required=False,
        initial="",
        widget=forms.RadioSelect,
        help_text=help_text,
    )


class ObservationForm(OnceForm, VitalsForm):
    """One entry of the observation timeline. `cleaned_data` holds the model's column names;
    `entry_data()` is what `observation_record` takes besides the session and the person."""

    observed_at = when_field(_("Observed at"))
    on_oxygen = forms.BooleanField(label=_("On supplemental oxygen"), required=False)
    avpu = forms.ChoiceField(
        label=_("Consciousness (AVPU)"), choices=AVPU_CHOICES, required=False, initial="", widget=forms.RadioSelect
    )
    moaas = _scale(
        _("Sedation (MOAA/S)"),
        MOAAS_CHOICES,
        _("Modified Observer's Assessment of Alertness/Sedation, 0–5 (Chernik 1990)."),
    )
    dissociation = _scale(
        _("Dissociation (clinician's global rating)"),
        DISSOCIATION_CHOICES,
        _(
            "Your overall rating of how dissociated the patient is now, 0–4. This is not the CADSS, "
            "whose items are author-held and need a licence."
        ),
    )
    anxiety = _scale(_("Anxiety"), ANXIETY_CHOICES)
    nausea_vomiting = forms.BooleanField(label=_("Nausea or vomiting"), required=False)
    patient_state = forms.CharField(
        label=_("Patient-reported state"),
        max_length=255,
        required=False,
        help_text=_("In the patient's own words, e.g. “floating, calm”."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, session, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("observed_at", now_local())
        super().__init__(*args, **kwargs)
        self.session = session
        for name in NOT_IN_OBSERVATIONS:
            del self.fields[name]
        scale = DissociationScale.objects.filter(clinic_id=session.patient.clinic_id).first()
        if scale is not None:  # the clinic's licensed scale, scored beside the global rating
            self.fields["dissociation_scale_score"] = forms.IntegerField(
                label=_("%(scale)s total (0–%(max)s)") % {"scale": scale.name, "max": scale.max_score},
                min_value=0,
                max_value=scale.max_score,
                required=False,
                help_text=_("Used under: %(licence)s") % {"licence": scale.licence_reference},
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "submission",
            Row(Column("observed_at", css_class="col-md-6")),
            Fieldset(
                _("Vital signs"),
                Row(
                    Column("systolic", css_class="col-6 col-md-3"),
                    Column("diastolic", css_class="col-6 col-md-3"),
                    Column("heart_rate", css_class="col-6 col-md-3"),
                    Column("spo2", css_class="col-6 col-md-3"),
                ),
                Row(
                    Column("respiratory_rate", css_class="col-6 col-md-3"),
                    Column("temperature", css_class="col-4 col-md-2"),
                    Column("temperature_unit", css_class="col-2 col-md-1"),
                    Column(Field("on_oxygen"), css_class="col-12 col-md-6 pt-md-4"),
                ),
                Field("confirmed"),
            ),
            Fieldset(
                _("Sedation, dissociation, consciousness"),
                Row(Column("moaas", css_class="col-md-7"), Column("dissociation", css_class="col-md-5")),
                *(["dissociation_scale_score"] if scale is not None else []),
                InlineRadios("avpu"),
            ),
            Fieldset(
                _("How the patient is"),
                InlineRadios("anxiety"),
                "nausea_vomiting",
                "patient_state",
                "note",
            ),
        )

    def clean_observed_at(self):
        at = self.cleaned_data.get("observed_at")
        if at is not None:
            try:
                clinic_time.session_time_check(self.session, at, what=_("observation"))
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return at

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not (
            any(cleaned.get(name) not in (None, "") for name in MEASUREMENTS)
            or cleaned.get("nausea_vomiting")
            or (cleaned.get("note") or "").strip()
        ):
            raise forms.ValidationError(_("Record at least one measurement or a note."), code="empty")
        return cleaned

    def entry_data(self) -> dict:
        data = self.cleaned_data
        return {
            "observed_at": data["observed_at"],
            **{name: data.get(name) for name in ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate")},
            "temperature_c": data.get("temperature_c"),
            "on_oxygen": data.get("on_oxygen", False),
            "avpu": data.get("avpu") or "",
            "moaas": data.get("moaas"),
            "moaas_scale": DEFAULT_MOAAS_SCALE,
            "dissociation": data.get("dissociation"),
            "dissociation_scale_score": data.get("dissociation_scale_score"),
            "anxiety": data.get("anxiety"),
            "nausea_vomiting": data.get("nausea_vomiting", False),
            "patient_state": data.get("patient_state", ""),
            "note": data.get("note", ""),
        }


class AdverseEventForm(OnceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *AdverseEvent.Kind.choices])
    kind_other = forms.CharField(
        label=_("If other, what"), max_length=200, required=False, help_text=_("Needed when the kind is “Other”.")
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=AdverseEvent.Severity.choices, widget=forms.RadioSelect)
    onset_at = when_field(_("Began at"))
    action_taken = forms.CharField(
        label=_("Action taken"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, e.g. “ondansetron 4 mg SL, BP rechecked after 5 minutes”."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *AdverseEvent.Outcome.choices])

    def __init__(self, *args, session, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("onset_at", now_local())
        super().__init__(*args, **kwargs)
        self.session = session
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "submission",
            Row(Column("kind", css_class="col-md-6"), Column("kind_other", css_class="col-md-6")),
            InlineRadios("severity"),
            Row(Column("onset_at", css_class="col-md-6"), Column("outcome", css_class="col-md-6")),
            "action_taken",
        )

    def clean_onset_at(self):
        at = self.cleaned_data.get("onset_at")
        if at is not None:
            try:
                clinic_time.session_time_check(self.session, at, what=_("onset"))
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return at

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == AdverseEvent.Kind.OTHER and not (cleaned.get("kind_other") or "").strip():
            self.add_error("kind_other", _("Describe the adverse event (you chose “Other”)."))
        return cleaned

    def event_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name) for name in ("kind", "kind_other", "severity", "onset_at", "action_taken", "outcome")
        }
