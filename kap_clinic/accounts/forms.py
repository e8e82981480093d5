from zoneinfo import available_timezones

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from .models import Clinic, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": _("That email and password don't match an active account. Check both and try again."),
        "inactive": _("This account has been deactivated. Contact your clinic."),
    }

    def confirm_login_allowed(self, user):
        if not user.is_active:
            # The password was right, so Django sent no failure signal: send it, so the audit trail has the attempt.
            user_login_failed.send(
                sender=__name__, credentials={"username": self.cleaned_data.get("username")}, request=self.request
            )
        super().confirm_login_allowed(user)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=_("At least 12 characters. A long phrase you can remember works well."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords don't match."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(
        label=_("Role"), choices=[(User.Role.CLINICIAN, _("Clinician")), (User.Role.ADMIN, _("Clinic admin"))]
    )
    clinician_kind = forms.ChoiceField(
        label=_("Kind of clinician"),
        choices=[("", _("— not a clinician —")), *User.ClinicianKind.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == User.Role.CLINICIAN and not cleaned.get("clinician_kind"):
            self.add_error("clinician_kind", _("Choose what kind of clinician this is."))
        return cleaned


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ["name", "address", "phone", "contact_email", "time_zone", "dea_number"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(choices=[(tz, tz) for tz in sorted(available_timezones())])
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_dea_number(self):
        return self.cleaned_data["dea_number"].strip().upper()
