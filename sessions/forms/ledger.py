"""Ledger forms: they check what a person typed and say plainly what is wrong, with units.

The services check again (and the database after them); a form's job is the clear message.
Quantities are typed in mg or in the product's own measure (mL of a solution, whole troches or
devices) and turned into mg by `quantities.quantity_to_mg`, the one place that knows the units.
"""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.models import Patient
from kap_clinic.accounts.validators import dea_number_is_valid

from .. import clinic_time, services
from .. import ledger_rules as rules
from ..models import Disposal, Inventory, LedgerEntry, Lot
from ..quantities import fmt_mg
from ..selectors import ledger_staff
from .base import DATE, ColleagueMixin, LedgerForm, QuantityMixin, now_local, when_field


class ReceiveForm(LedgerForm):
    substance = forms.ChoiceField(label=_("Substance"), choices=rules.Substance.choices)
    form = forms.ChoiceField(label=_("Finished form"), choices=rules.ProductForm.choices)
    product_name = forms.CharField(label=_("Product name"), max_length=200, required=False)
    strength_mg = forms.DecimalField(
        label=_("Strength (mg)"),
        max_digits=10,
        decimal_places=3,
        help_text=_("mg per mL for a vial; mg per troche or per device."),
    )
    container_size = forms.DecimalField(
        label=_("Container size"),
        max_digits=10,
        decimal_places=3,
        help_text=_("mL in one vial; troches or devices in one package."),
    )
    ndc = forms.CharField(label=_("NDC"), max_length=13, help_text=_("As printed on the label, e.g. 0409-2053-01."))
    lot_number = forms.CharField(label=_("Lot number"), max_length=40)
    expires_on = forms.DateField(
        label=_("Expiry date"), help_text=_("A label with only a month expires on the last day of it."), **DATE
    )
    containers = forms.IntegerField(label=_("Containers received"), help_text=_("Vials or packages."))
    received_on = forms.DateField(label=_("Date actually received"), **DATE)
    supplier_name = forms.CharField(label=_("Supplier name"), max_length=200)
    supplier_address = forms.CharField(label=_("Supplier address"), widget=forms.Textarea(attrs={"rows": 2}))
    supplier_dea_number = forms.CharField(label=_("Supplier DEA number"), max_length=9)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60)
    received_by = forms.ModelChoiceField(label=_("Received by"), queryset=None, to_field_name="code", empty_label=None)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, clinic, user, lot: Lot | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("received_on", clinic_time.clinic_today(clinic))
        initial.setdefault("received_by", user.code)
        if lot is not None:
            initial.update({name: getattr(lot, name) for name in (*services.LOT_DETAILS, "ndc", "lot_number")})
            initial["product_name"] = lot.product_name
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.fields["received_by"].queryset = ledger_staff(clinic)

    def clean_strength_mg(self):
        value = self.cleaned_data["strength_mg"]
        if value <= 0:
            raise ValidationError(_("The strength must be above zero (mg)."))
        return value

    def clean_container_size(self):
        value = self.cleaned_data["container_size"]
        if value <= 0:
            raise ValidationError(_("The container size must be above zero (mL, or units per package)."))
        return value

    def clean_containers(self):
        value = self.cleaned_data["containers"]
        if value <= 0:
            raise ValidationError(_("Enter how many containers arrived (1 or more)."))
        return value

    def clean_ndc(self):
        value = self.cleaned_data["ndc"].strip()
        if not rules.NDC_PATTERN.match(value):
            raise ValidationError(_("The NDC should be 10 or 11 digits, as printed on the label (e.g. 0409-2053-01)."))
        return value

    def clean_supplier_dea_number(self):
        value = self.cleaned_data["supplier_dea_number"].strip().upper()
        if not dea_number_is_valid(value):
            raise ValidationError(
                _("A DEA number is 2 letters and 7 digits (e.g. AB1234563): check it on the invoice.")
            )
        return value

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > clinic_time.clinic_today(self.clinic):
            raise ValidationError(_("The date received can't be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        substance, form = cleaned.get("substance"), cleaned.get("form")
        if substance and form and form not in rules.SUBSTANCE_FORMS[substance]:
            self.add_error(
                "form",
                _("%(substance)s is only stocked as: %(forms)s.")
                % {
                    "substance": rules.Substance(substance).label,
                    "forms": ", ".join(
                        str(rules.ProductForm(f).label).lower() for f in rules.SUBSTANCE_FORMS[substance]
                    ),
                },
            )
        size = cleaned.get("container_size")
        if form and size and rules.FORMS[form].counted and size != size.to_integral_value():
            self.add_error("container_size", _("A package holds a whole number of troches or devices."))
        return cleaned


class AdministerForm(QuantityMixin, LedgerForm):
    patient = forms.ModelChoiceField(label=_("Patient"), queryset=None, to_field_name="code")
    occurred_at = when_field(_("Given at"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["patient", "quantity", "unit", "occurred_at", "note"]

    def __init__(self, *args, lot: Lot, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("occurred_at", now_local())
        super().__init__(*args, **kwargs)
        self.lot = lot
        self.fields["patient"].queryset = Patient.objects.filter(clinic=lot.clinic).order_by("legal_name", "pk")
        self.add_quantity_fields(lot, label=_("Dose"))
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        self.clean_quantity_mg(self.lot)
        return cleaned


class WasteForm(QuantityMixin, ColleagueMixin, LedgerForm):
    administration = forms.ModelChoiceField(
        label=_("Left over from the dose"), queryset=None, to_field_name="code", required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, initial=_("Left in the vial or syringe after the dose"))
    method = forms.CharField(label=_("How it was wasted"), max_length=200)
    occurred_at = when_field(_("Wasted at"))

    def __init__(self, *args, lot: Lot, request, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("occurred_at", now_local())
        super().__init__(*args, **kwargs)
        self.lot, self.request = lot, request
        # the doses of the past week from this lot: waste is recorded soon after the dose
        since = timezone.now() - datetime.timedelta(days=7)
        self.fields["administration"].queryset = (
            lot.entries.filter(kind=LedgerEntry.Kind.ADMINISTRATION, occurred_at__gte=since)
            .select_related("patient")
            .order_by("-pk")
        )
        self.fields["administration"].label_from_instance = _dose_label
        self.add_quantity_fields(lot, label=_("Amount wasted"))
        self.add_colleague_fields("witness", _("Witness"), required=False)
        self.fields["witness_email"].help_text = _("If the witness is with you now; otherwise they can confirm later.")
        self.order_fields(["quantity", "unit", "administration", "reason", "method", "occurred_at"])

    def clean(self):
        cleaned = super().clean()
        self.clean_quantity_mg(self.lot)
        cleaned["witness"] = self.clean_colleague(
            "witness",
            self.lot.clinic,
            not_user=self.request.user,
            not_message=_("The witness must be someone other than the person who wasted the drug."),
        )
        return cleaned


class WitnessForm(ColleagueMixin, LedgerForm):
    def __init__(self, *args, entry: LedgerEntry, request, **kwargs):
        if request.user.pk != entry.performed_by_id:
            kwargs.setdefault("initial", {}).setdefault("witness_email", request.user.email)
        super().__init__(*args, **kwargs)
        self.entry, self.request = entry, request
        self.add_colleague_fields("witness", _("Witness"), required=True)

    def clean(self):
        cleaned = super().clean()
        cleaned["witness"] = self.clean_colleague(
            "witness",
            self.entry.lot.clinic,
            not_user=self.entry.performed_by,
            not_message=_("The witness must be someone other than the person who wasted the drug."),
        )
        return cleaned


def _dose_label(entry: LedgerEntry) -> str:
    when = timezone.localtime(entry.occurred_at)
    return f"{when:%Y-%m-%d %H:%M} · {entry.patient} · {fmt_mg(entry.quantity_mg)}"


class DisposalForm(QuantityMixin, ColleagueMixin, LedgerForm):
    """Two steps: the details, then a confirmation page where the second witness (if destroyed on site) signs."""

    method = forms.ChoiceField(
        label=_("How the stock leaves"), choices=Disposal.Method.choices, widget=forms.RadioSelect
    )
    disposed_on = forms.DateField(label=_("Date"), **DATE)
    reverse_distributor_name = forms.CharField(label=_("Reverse distributor"), max_length=200, required=False)
    reverse_distributor_address = forms.CharField(
        label=_("Reverse distributor address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reverse_distributor_dea_number = forms.CharField(
        label=_("Reverse distributor DEA number"), max_length=9, required=False
    )
    destruction_method = forms.CharField(label=_("Method of destruction"), max_length=200, required=False)
    location = forms.CharField(label=_("Location of destruction"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    WITNESS_FIELDS = ("witness_email", "witness_password")

    def __init__(self, *args, lot: Lot, request, confirming: bool = False, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("disposed_on", clinic_time.clinic_today(lot.clinic))
        initial.setdefault("quantity", Decimal(rules.plain_number(lot.balance_mg)))
        initial.setdefault("location", lot.clinic.name)
        super().__init__(*args, **kwargs)
        self.lot, self.request, self.confirming = lot, request, confirming
        self.add_quantity_fields(lot, label=_("Quantity"), help_text=_("The whole remaining balance is filled in."))
        self.add_colleague_fields("witness", _("Second witness"), required=False)
        self.order_fields(["quantity", "unit", "method", "disposed_on"])

    def detail_fields(self):
        return [field for field in self if field.name not in self.WITNESS_FIELDS]

    def witness_fields(self):
        return [self[name] for name in self.WITNESS_FIELDS]

    def clean_disposed_on(self):
        value = self.cleaned_data["disposed_on"]
        if value > clinic_time.clinic_today(self.lot.clinic):
            raise ValidationError(_("The date of disposal can't be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        self.clean_quantity_mg(self.lot)
        method = cleaned.get("method")
        if method == Disposal.Method.REVERSE_DISTRIBUTOR:
            for name, message in (
                ("reverse_distributor_name", _("Enter the reverse distributor's name.")),
                ("reverse_distributor_address", _("Enter the reverse distributor's address.")),
            ):
                if not cleaned.get(name, "").strip():
                    self.add_error(name, message)
            number = cleaned.get("reverse_distributor_dea_number", "").strip().upper()
            if not dea_number_is_valid(number):
                self.add_error(
                    "reverse_distributor_dea_number",
                    _("A DEA number is 2 letters and 7 digits (e.g. AB1234563): check it on the paperwork."),
                )
            cleaned["reverse_distributor_dea_number"] = number
        elif method == Disposal.Method.DESTROYED_ON_SITE:
            for name, message in (
                ("destruction_method", _("Say how the stock was destroyed (to a non-retrievable state).")),
                ("location", _("Say where the stock was destroyed.")),
            ):
                if not cleaned.get(name, "").strip():
                    self.add_error(name, message)
            if self.confirming:
                witness = self.clean_colleague(
                    "witness",
                    self.lot.clinic,
                    not_user=self.request.user,
                    not_message=_("The second witness must be someone other than you, the first witness."),
                )
                if witness is None and not self.has_error("witness_email") and not self.has_error("witness_password"):
                    self.add_error("witness_password", _("The second witness enters their email and password."))
                cleaned["witness"] = witness
        return cleaned


class CountForm(QuantityMixin, ColleagueMixin, LedgerForm):
    allow_zero = True

    expected_mg = forms.DecimalField(widget=forms.HiddenInput, max_digits=12, decimal_places=3)
    explanation = forms.CharField(
        label=_("Explanation of any difference"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "If the count differs from the ledger and you know why. Without one, the clinic admins are alerted."
        ),
    )

    def __init__(self, *args, lot: Lot, request, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("expected_mg", lot.balance_mg)
        super().__init__(*args, **kwargs)
        self.lot, self.request = lot, request
        self.add_quantity_fields(
            lot,
            label=_("Counted on the shelf"),
            help_text=_("An opened vial may be measured as an estimate. Zero if the lot is empty."),
        )
        self.add_colleague_fields("second", _("Second counter"), required=True)
        self.order_fields(["quantity", "unit", "second_email", "second_password", "explanation"])

    def clean(self):
        cleaned = super().clean()
        self.clean_quantity_mg(self.lot)
        cleaned["second_counter"] = self.clean_colleague(
            "second",
            self.lot.clinic,
            not_user=self.request.user,
            not_message=_("The second counter must be someone other than you."),
        )
        return cleaned


class ExplainForm(LedgerForm):
    explanation = forms.CharField(
        label=_("What caused the difference"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what caused the difference.")},
    )
    dea_notified_on = forms.DateField(
        label=_("DEA notified in writing on"),
        required=False,
        help_text=_(
            "For a theft or significant loss: the date of the written notice to the DEA Field Division Office."
        ),
        **DATE,
    )

    def clean_explanation(self):
        value = self.cleaned_data["explanation"].strip()
        if not value:
            raise ValidationError(_("Write what caused the difference."))
        return value


class CorrectionForm(QuantityMixin, LedgerForm):
    """Two steps: the corrected quantity and reason, then a confirmation page."""

    allow_zero = True

    reason = forms.CharField(
        label=_("Why the entry was wrong"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the entry was wrong.")},
    )

    def __init__(self, *args, entry: LedgerEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.add_quantity_fields(
            entry.lot,
            label=_("What the entry should have said"),
            help_text=_("Zero if it should not have been recorded at all."),
        )
        self.order_fields(["quantity", "unit", "reason"])

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise ValidationError(_("Say why the entry was wrong."))
        return value

    def clean(self):
        cleaned = super().clean()
        self.clean_quantity_mg(self.entry.lot)
        return cleaned


class InventoryForm(LedgerForm):
    kind = forms.ChoiceField(label=_("Inventory"), choices=Inventory.Kind.choices, widget=forms.RadioSelect)
    timing = forms.ChoiceField(label=_("Taken at"), choices=Inventory.Timing.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, has_initial: bool, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "kind", Inventory.Kind.BIENNIAL if has_initial else Inventory.Kind.INITIAL
        )
        super().__init__(*args, **kwargs)
        if has_initial:
            self.fields["kind"].choices = [(Inventory.Kind.BIENNIAL, Inventory.Kind.BIENNIAL.label)]


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, **DATE)
    end = forms.DateField(label=_("To"), required=False, **DATE)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned
