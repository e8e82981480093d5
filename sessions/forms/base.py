"""Pieces every form of the app builds on: the crispy layout and the submission token, a date or time
field, a quantity with its unit, and a colleague confirming with their own email and password.
"""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kap_clinic.access import Action, can
from kap_clinic.submissions.forms import OnceForm

from .. import ledger_rules as rules
from ..models import Lot
from ..quantities import quantity_to_mg

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def when_field(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the clinic's time zone."),
    )


def now_local() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class LedgerForm(OnceForm):
    """Crispy layout without its own <form> tag (the template holds the tag and the buttons);
    a quantity and its unit side by side. Sent once (`OnceForm`).
    """

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        if "quantity" in self.fields and "unit" in self.fields:
            quantity_row = Row(
                Column("quantity", css_class="col-7 col-sm-8"), Column("unit", css_class="col-5 col-sm-4")
            )
            helper.layout = Layout(
                *[quantity_row if name == "quantity" else name for name in self.fields if name != "unit"]
            )
        return helper


class QuantityMixin:
    """A quantity and the unit it is typed in; `cleaned_data["quantity_mg"]` is the amount in mg."""

    allow_zero = False

    def add_quantity_fields(self, lot: Lot, *, label, help_text=""):
        rule = lot.rule
        self.fields["quantity"] = forms.DecimalField(label=label, max_digits=12, decimal_places=3, help_text=help_text)
        # Every unit validates (so a wrong one gets the plain message from quantity_to_mg);
        # only those that fit the form are offered.
        self.fields["unit"] = forms.ChoiceField(label=_("Unit"), choices=rules.Unit.choices, initial=rules.Unit.MG)
        self.fields["unit"].widget.choices = [(rules.Unit.MG, "mg"), (rule.measure, rule.unit_name_plural)]

    def clean_quantity_mg(self, lot: Lot):
        quantity, unit = self.cleaned_data.get("quantity"), self.cleaned_data.get("unit")
        if quantity is None or not unit:
            return None
        try:
            mg = quantity_to_mg(lot, quantity, unit, allow_zero=self.allow_zero)
        except ValidationError as error:
            field = "unit" if error.code == "unit" else "quantity"
            self.add_error(field, error)
            return None
        self.cleaned_data["quantity_mg"] = mg
        return mg


class ColleagueMixin:
    """A second person confirms with their own email and password (not the logged-in session).

    `authenticate` never logs them in; a wrong password is audited as a failed login.
    """

    def add_colleague_fields(self, prefix: str, label, *, required: bool):
        self.fields[f"{prefix}_email"] = forms.EmailField(
            label=_("%(who)s: email") % {"who": label},
            required=required,
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        )
        self.fields[f"{prefix}_password"] = forms.CharField(
            label=_("%(who)s: password") % {"who": label},
            required=required,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
            help_text=_("Typed by that person, so the record shows they confirmed it."),
        )

    def clean_colleague(self, prefix: str, clinic, *, not_user=None, not_message=""):
        email = self.cleaned_data.get(f"{prefix}_email")
        password = self.cleaned_data.get(f"{prefix}_password")
        if not email and not password:
            return None
        if not email or not password:
            self.add_error(f"{prefix}_password", _("Enter both the email and the password."))
            return None
        user = authenticate(self.request, username=email, password=password)
        if user is None:
            self.add_error(f"{prefix}_password", _("That email and password don't match a staff account."))
        elif not user.is_active:
            self.add_error(f"{prefix}_email", _("That account has been deactivated."))
        elif not_user is not None and user.pk == not_user.pk:
            self.add_error(f"{prefix}_email", not_message)
        elif not can(user, Action.RECORD_LEDGER, clinic=clinic):
            self.add_error(
                f"{prefix}_email",
                _("%(name)s is not a prescriber, nurse or clinic admin of %(clinic)s.")
                % {"name": user.full_name, "clinic": clinic.name},
            )
        else:
            return user
        return None
