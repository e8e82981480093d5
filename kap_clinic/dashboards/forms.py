import datetime

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


DEFAULT_DAYS = 90  # the admin dashboard's default period: the last 90 days, today included
MAX_YEARS = 2  # longest period the dashboard reports on at once


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class DateRangeForm(forms.Form):
    """The admin dashboard's period, in the clinic's own dates, both days included (`?from=…&to=…`).

    Either date may be left out: `to` defaults to today, `from` to 89 days before `to` (90 days in all).
    """

    def __init__(self, data=None, *, today: datetime.date):
        # Only the two dates make the form bound: `?export=…` alone asks for the default period.
        data = data if data and ("from" in data or "to" in data) else None
        super().__init__(data)
        self.today = today
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
        )
        first, last = self.default_period()
        self.fields["from"].initial, self.fields["to"].initial = first, last

    def default_period(self) -> tuple[datetime.date, datetime.date]:
        return self.today - datetime.timedelta(days=DEFAULT_DAYS - 1), self.today

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        last = cleaned.get("to") or self.today
        first = cleaned.get("from") or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise forms.ValidationError(
                _("The start date (%(first)s) is after the end date (%(last)s): swap them or pick new dates.")
                % {"first": first.isoformat(), "last": last.isoformat()},
                code="order",
            )
        if first < years_before(last, MAX_YEARS):
            raise forms.ValidationError(
                _("That period is longer than %(years)s years: choose a start date on or after %(earliest)s.")
                % {"years": MAX_YEARS, "earliest": years_before(last, MAX_YEARS).isoformat()},
                code="too_long",
            )
        cleaned["from"], cleaned["to"] = first, last
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The dates asked for when valid (or nothing asked), else the default period."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["from"], self.cleaned_data["to"]
        return self.default_period()
