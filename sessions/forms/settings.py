from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DissociationScale


class DissociationScaleForm(forms.ModelForm):
    class Meta:
        model = DissociationScale
        fields = ["name", "max_score", "licence_reference"]
        error_messages = {"max_score": {"required": _("Give the scale's highest possible total.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_score"].min_value = 1
        self.fields["max_score"].max_value = 200
        self.fields["max_score"].widget.attrs.update(min=1, max=200)
        self.fields["max_score"].help_text = _("e.g. 92 for the 23-item CADSS, 24 for the CADSS-6 (1 to 200).")
        self.helper = FormHelper()
        self.helper.form_tag = False
