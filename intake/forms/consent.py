from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..consent_text import AGREEMENT


class ConsentDocumentForm(forms.Form):
    """A draft's title and text, as patients will read them."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace"}),
        help_text=_(
            "Plain text: a blank line starts a new paragraph. Patients sign exactly this text; once published "
            "it can't be changed."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ConsentSignForm(forms.Form):
    """The patient's signature: their full legal name typed, and an explicit tick.

    `version` and `text_sha256` say which text the page showed, so that a version published while the
    patient was reading can't be signed unread."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    typed_name = forms.CharField(
        label=_("Your full legal name"),
        max_length=200,
        help_text=_("Type your name as it appears on your chart. This is your electronic signature."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agreed = forms.BooleanField(
        label=AGREEMENT,
        required=False,  # the service says what is missing, with the typed name kept
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
