from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from kap_clinic.submissions.forms import OnceForm


class AlertAcknowledgeForm(OnceForm):
    note = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("e.g. who spoke with the patient and when, the risk assessment, the safety plan, referrals."),
        error_messages={"required": _("Write what was done about this alert before closing it.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write what was done about this alert before closing it."))
        return note
