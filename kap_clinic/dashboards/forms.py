from django import forms
from django.utils.translation import gettext_lazy as _

from kap_clinic.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    patient = forms.UUIDField(label=_("Patient"), required=False, widget=forms.Select)
    actor = forms.UUIDField(label=_("User"), required=False, widget=forms.Select)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any")), *AuditEvent.Action.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, patients, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].widget.choices = [("", _("Any patient")), *[(p.code, p.legal_name) for p in patients]]
        self.fields["actor"].widget.choices = [("", _("Anyone")), *[(u.code, u.full_name) for u in users]]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
