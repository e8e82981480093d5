import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


class OnceForm(forms.Form):
    """A form that writes once however often it is sent.

    It carries a hidden submission token, new each time the form is shown and kept when it is shown
    again with its errors. After `clean` it is `submission_token`, out of `cleaned_data`; the write
    views record each token once (`decorators.write_once`), so a double click or a resent POST
    writes nothing twice.
    """

    submission = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean(self):
        cleaned = super().clean()
        self.submission_token = cleaned.pop("submission", None)
        if self.submission_token is None:  # a page from before the token, or an edited one
            self.add_error(None, _("This form is out of date: open it again and fill it in."))
        return cleaned


class TaglessOnceForm(OnceForm):
    """A OnceForm laid out by crispy without its own <form> tag (the template holds the tag and the buttons)."""

    @property
    def helper(self):
        from crispy_forms.helper import FormHelper

        helper = FormHelper()
        helper.form_tag = False
        return helper
