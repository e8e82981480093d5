from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from kap_clinic.submissions.forms import OnceForm

from ..models import Assessment

YES_NO_UNKNOWN = [("", _("Not yet known")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class AssessmentForm(OnceForm):
    """The clinician's assessment. The decision fields are there only for prescribers (`may_sign`)."""

    evaluation = forms.CharField(
        label=_("Psychological evaluation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Presentation, history, risk, formulation: what the prescriber needs to decide."),
    )
    indication = forms.ChoiceField(
        label=_("Primary indication"),
        required=False,
        choices=[("", _("Choose…")), *Assessment.Indication.choices],
    )
    indication_other = forms.CharField(label=_("Other indication"), required=False, max_length=200)
    treatment_resistant = forms.TypedChoiceField(
        label=_("Treatment-resistant?"),
        required=False,
        choices=YES_NO_UNKNOWN,
        coerce=_yes_no,
        empty_value=None,
        help_text=_("For depression, usually: no adequate response to two or more adequate treatments."),
    )
    prior_treatments = forms.CharField(
        label=_("Prior treatments and their effect"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=Assessment.Decision.choices,
        widget=forms.RadioSelect,
    )
    decision_note = forms.CharField(
        label=_("Reason, or message to the patient"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Not eligible: why (kept on the chart). Needs more information: the message the patient sees when "
            "the intake comes back to them."
        ),
    )
    override_reason = forms.CharField(
        label=_("Reason for overriding an absolute contraindication"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to sign “eligible” when an absolute contraindication is flagged."),
    )

    def __init__(self, *args, may_sign: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_sign = may_sign
        draft = ("evaluation", "indication", "indication_other", "treatment_resistant", "prior_treatments")
        decision = ("decision", "decision_note", "override_reason")
        if not may_sign:
            for name in decision:
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        parts = [Fieldset(_("Evaluation"), *draft)]
        if may_sign:
            parts.append(Fieldset(_("Eligibility (prescriber)"), *decision))
        self.helper.layout = Layout("submission", *parts)

    def clean_indication_other(self):
        value = self.cleaned_data.get("indication_other", "").strip()
        if self.cleaned_data.get("indication") == Assessment.Indication.OTHER and not value:
            raise forms.ValidationError(_("Say what the other indication is."))
        return value

    def assessment_fields(self) -> dict:
        """The cleaned values the services take (decision fields only when present)."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.fields}

    @staticmethod
    def initial_from(assessment: Assessment | None) -> dict:
        if assessment is None:
            return {}
        initial = {
            name: getattr(assessment, name)
            for name in (
                "evaluation",
                "indication",
                "indication_other",
                "prior_treatments",
                "decision",
                "decision_note",
                "override_reason",
            )
        }
        initial["treatment_resistant"] = {True: "yes", False: "no"}.get(assessment.treatment_resistant, "")
        return initial
