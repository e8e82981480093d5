import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kap_clinic.accounts.services import email_is_taken
from kap_clinic.submissions.forms import OnceForm


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (28 February for a 29 February that year lacks).

    Counting in calendar years, not 365-day blocks, so the leap days in between can't make a
    17-year-old look 18.
    """
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class PatientInviteForm(OnceForm):
    clinic = forms.ModelChoiceField(queryset=None, label=_("Clinic"), empty_label=None)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), help_text=_("The invitation to set a password is sent here."))
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def __init__(self, *args, clinics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = clinics
        if len(clinics) == 1:
            self.fields["clinic"].widget = forms.HiddenInput()
            self.fields["clinic"].initial = clinics[0].pk
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email_is_taken(email):
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean_date_of_birth(self):
        dob = self.cleaned_data.get("date_of_birth")
        today = timezone.localdate()
        if dob and dob > today:
            raise forms.ValidationError(_("The date of birth can't be in the future."))
        if dob and dob < _years_before(today, 120):
            raise forms.ValidationError(_("Check the year: that date is more than 120 years ago."))
        if dob and dob > _years_before(today, 18):
            raise forms.ValidationError(_("The program treats adults: the patient must be 18 or older."))
        return dob
