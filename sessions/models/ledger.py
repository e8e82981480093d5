"""The controlled-substance ledger.

The ledger is append-only in the database: every ledger table refuses UPDATE and DELETE by trigger,
mistakes are fixed by new entries (a correction references the entry it fixes, with a reason), and a
lot's balance is kept by the database itself: inserting an entry adds its signed change to the lot
inside the same statement, under the lot's row lock, and a CHECK refuses a balance below zero.
So the balance always equals the sum of the lot's entries, whatever code (or SQL) writes them.
"""

import uuid
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import ledger_rules as rules

MG = {"max_digits": 12, "decimal_places": rules.MG_PLACES}


def _append_only(name: str) -> pgtrigger.Protect:
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update | pgtrigger.Delete)


def _valid(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [c.value for c in choices]})


class Lot(models.Model):
    """One lot of one finished product at one clinic. Each registered location keeps its own records [S114,S115].

    Its details never change after the first receipt (trigger); `balance_mg` changes only through
    ledger entries (trigger) and never goes below zero (CHECK).
    """

    Substance = rules.Substance
    Form = rules.ProductForm

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="ledger_lots")
    substance = models.CharField(_("substance"), max_length=20, choices=Substance.choices)
    form = models.CharField(_("finished form"), max_length=20, choices=Form.choices)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    # mg per mL for a solution, mg per unit for a troche or device.
    strength_mg = models.DecimalField(_("strength (mg)"), max_digits=10, decimal_places=3)
    # mL in one vial, or units in one package: DEA's "finished form" and "units per container" [S116,S125].
    container_size = models.DecimalField(_("container size"), max_digits=10, decimal_places=3)
    ndc = models.CharField(_("NDC"), max_length=13)
    lot_number = models.CharField(_("lot number"), max_length=40)
    expires_on = models.DateField(_("expiry date"))
    balance_mg = models.DecimalField(_("balance (mg)"), default=Decimal(0), **MG)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["substance", "form", "expires_on", "lot_number"]
        indexes = [
            # the ledger home: one clinic's lots by product and expiry; the expiring-stock worklist
            models.Index(fields=["clinic", "substance", "expires_on"], name="lot_clinic_product_expiry"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "ndc", "lot_number"], name="lot_unique_per_clinic"),
            models.CheckConstraint(condition=_valid("substance", rules.Substance), name="lot_substance_valid"),
            models.CheckConstraint(condition=_valid("form", rules.ProductForm), name="lot_form_valid"),
            models.CheckConstraint(
                condition=Q(
                    *[Q(substance=s, form__in=list(forms)) for s, forms in rules.SUBSTANCE_FORMS.items()],
                    _connector=Q.OR,
                ),
                name="lot_form_fits_substance",
            ),
            models.CheckConstraint(condition=Q(strength_mg__gt=0), name="lot_strength_positive"),
            models.CheckConstraint(condition=Q(container_size__gt=0), name="lot_container_size_positive"),
            # troches and devices come in whole units per package
            models.CheckConstraint(
                condition=Q(form=rules.ProductForm.VIAL) | Q(container_size=Floor(F("container_size"))),
                name="lot_counted_container_whole",
            ),
            models.CheckConstraint(condition=Q(balance_mg__gte=0), name="lot_balance_never_negative"),
        ]
        triggers = [
            pgtrigger.Protect(name="lot_no_delete", operation=pgtrigger.Delete),
            pgtrigger.ReadOnly(name="lot_details_read_only", exclude=["balance_mg"]),
            pgtrigger.Trigger(
                name="lot_balance_from_ledger_only",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Q(old__balance_mg__df=pgtrigger.F("new__balance_mg")),
                # Depth 1 is a statement run directly against the lot; the ledger entry's insert
                # trigger runs its UPDATE at depth 2.
                func=(
                    "IF pg_trigger_depth() < 2 THEN "
                    "RAISE EXCEPTION 'a lot balance changes only through ledger entries'; "
                    "END IF; RETURN NEW;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} · lot {self.lot_number}"

    def get_absolute_url(self) -> str:
        return reverse("dosing:ledger_lot", args=[self.code])

    @property
    def rule(self) -> rules.FormRule:
        return rules.FORMS[self.form]

    @property
    def description(self) -> str:
        """The finished form as DEA records name it, e.g. "Ketamine HCl (racemic) 100 mg/mL, 10 mL vial"."""
        substance = self.get_substance_display()
        if self.rule.counted:
            return f"{substance} {rules.plain_number(self.strength_mg)} mg {self.rule.unit_name}"
        strength, volume = rules.plain_number(self.strength_mg), rules.plain_number(self.container_size)
        return f"{substance} {strength} mg/mL, {volume} mL vial"

    @property
    def container_mg(self) -> Decimal:
        return self.container_size * self.strength_mg

    def measure_of(self, mg: Decimal) -> Decimal:
        """`mg` in the form's own measure: mL of a solution, or units of a troche or device."""
        return mg / self.strength_mg

    @property
    def balance_measure(self) -> Decimal:
        return self.measure_of(self.balance_mg)

    def is_expired(self, on) -> bool:
        """Usable through the end of its expiry date."""
        return on > self.expires_on


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ADMINISTRATION = "administration", _("Administration")
    WASTE = "waste", _("Waste")
    DISPOSAL = "disposal", _("Disposal")
    CORRECTION = "correction", _("Correction")
    ADJUSTMENT = "adjustment", _("Count adjustment")


INFLOW_KINDS = (EntryKind.RECEIPT,)
OUTFLOW_KINDS = (EntryKind.ADMINISTRATION, EntryKind.WASTE, EntryKind.DISPOSAL)
EITHER_WAY_KINDS = (EntryKind.CORRECTION, EntryKind.ADJUSTMENT)
CORRECTABLE_KINDS = (*INFLOW_KINDS, *OUTFLOW_KINDS)


class LedgerEntry(models.Model):
    """One movement of stock in or out of a lot. Append-only; its `change_mg` is signed.

    receipt (+), administration / waste / disposal (−), correction and count adjustment (±).
    `balance_after_mg` is the lot's balance once this entry is applied, set by the database.
    """

    Kind = EntryKind

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    change_mg = models.DecimalField(_("change (mg)"), **MG)
    balance_after_mg = models.DecimalField(_("balance after (mg)"), **MG)
    occurred_at = models.DateTimeField(_("when"))
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # received, administered, wasted or disposed of by (1304.22(c): who administered) [S117]
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "intake.Patient", on_delete=models.PROTECT, related_name="ledger_entries", null=True, blank=True
    )
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, related_name="corrections", null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            # a lot's page: its entries in the order they were applied
            models.Index(fields=["lot", "id"], name="entry_lot_order"),
            # the dispensing log: administrations in a date range
            models.Index(fields=["kind", "occurred_at"], name="entry_kind_occurred"),
        ]
        constraints = [
            models.CheckConstraint(condition=_valid("kind", EntryKind), name="entry_kind_valid"),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=INFLOW_KINDS, change_mg__gt=0)
                    | Q(kind__in=OUTFLOW_KINDS, change_mg__lt=0)
                    | (Q(kind__in=EITHER_WAY_KINDS) & ~Q(change_mg=0))
                ),
                name="entry_change_sign_fits_kind",
            ),
            models.CheckConstraint(condition=Q(balance_after_mg__gte=0), name="entry_balance_never_negative"),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.ADMINISTRATION, patient__isnull=False)
                | (~Q(kind=EntryKind.ADMINISTRATION) & Q(patient__isnull=True)),
                name="entry_patient_iff_administration",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.CORRECTION, corrects__isnull=False)
                | (~Q(kind=EntryKind.CORRECTION) & Q(corrects__isnull=True)),
                name="entry_corrects_iff_correction",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[EntryKind.CORRECTION, EntryKind.ADJUSTMENT, EntryKind.WASTE]) | ~Q(reason=""),
                name="entry_reason_given",
            ),
        ]
        triggers = [
            _append_only("ledger_entry_append_only"),
            pgtrigger.Trigger(
                name="ledger_entry_applies_to_lot",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func="""
                IF NEW.corrects_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM dosing_ledgerentry WHERE id = NEW.corrects_id AND lot_id = NEW.lot_id
                ) THEN
                    RAISE EXCEPTION 'a correction must reference an entry of the same lot';
                END IF;
                IF NEW.patient_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM intake_patient p JOIN dosing_lot l ON l.clinic_id = p.clinic_id
                    WHERE p.id = NEW.patient_id AND l.id = NEW.lot_id
                ) THEN
                    RAISE EXCEPTION 'the patient belongs to another clinic than the lot';
                END IF;
                UPDATE dosing_lot SET balance_mg = balance_mg + NEW.change_mg WHERE id = NEW.lot_id
                    RETURNING balance_mg INTO NEW.balance_after_mg;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.change_mg} mg ({self.lot.lot_number})"

    def get_absolute_url(self) -> str:
        return reverse("dosing:ledger_entry", args=[self.code])

    @property
    def quantity_mg(self) -> Decimal:
        return abs(self.change_mg)


class Receipt(models.Model):
    """What a receipt records: Schedule III arrives on an invoice, no DEA-222 [S116,S117,S118]."""

    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, primary_key=True, related_name="receipt")
    received_on = models.DateField(_("date actually received"))
    supplier_name = models.CharField(_("supplier name"), max_length=200)
    supplier_address = models.TextField(_("supplier address"))
    supplier_dea_number = models.CharField(_("supplier DEA number"), max_length=9)
    invoice_number = models.CharField(_("invoice number"), max_length=60)
    containers = models.PositiveIntegerField(_("containers received"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(containers__gt=0), name="receipt_containers_positive"),
            models.CheckConstraint(
                condition=~Q(supplier_name="") & ~Q(supplier_address="") & ~Q(supplier_dea_number=""),
                name="receipt_supplier_given",
            ),
        ]
        triggers = [_append_only("receipt_append_only")]

    def __str__(self) -> str:
        return f"Receipt {self.invoice_number} from {self.supplier_name}"


class Waste(models.Model):
    """Drug left in a vial or syringe after a dose: recorded with reason, method and a witness [S120,S121]."""

    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, primary_key=True, related_name="waste")
    # the dose it was left over from, when there was one
    administration = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="wastes", null=True, blank=True
    )
    method = models.CharField(_("method"), max_length=200)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(method=""), name="waste_method_given")]
        triggers = [_append_only("waste_append_only")]

    def __str__(self) -> str:
        return f"Waste {self.entry_id}"


class WasteWitness(models.Model):
    """A second clinician's confirmation, with their own credentials, of a waste. Its own row, so that
    witnessing never needs to change the waste entry; a waste without one is still open."""

    waste = models.OneToOneField(Waste, on_delete=models.PROTECT, primary_key=True, related_name="witness")
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witnessed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = [
            _append_only("waste_witness_append_only"),
            pgtrigger.Trigger(
                name="waste_witness_is_another_person",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func="""
                IF EXISTS (
                    SELECT 1 FROM dosing_ledgerentry WHERE id = NEW.waste_id AND performed_by_id = NEW.witness_id
                ) THEN
                    RAISE EXCEPTION 'the witness of a waste must be another person than who wasted it';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"Witness of waste {self.waste_id}"

    def get_absolute_url(self) -> str:
        return self.waste.entry.get_absolute_url()


class DisposalMethod(models.TextChoices):
    REVERSE_DISTRIBUTOR = "reverse_distributor", _("Transferred to a reverse distributor")
    DESTROYED_ON_SITE = "destroyed_on_site", _("Destroyed on site (DEA Form 41)")


class Disposal(models.Model):
    """Expired or unwanted stock leaving the inventory: to a reverse distributor, or destroyed on site with
    two witnesses, the fields of DEA Form 41 (Part 1317; 1304.21(e)) [S122,S123,S124]."""

    Method = DisposalMethod

    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, primary_key=True, related_name="disposal")
    method = models.CharField(_("how"), max_length=24, choices=DisposalMethod.choices)
    disposed_on = models.DateField(_("date"))
    reverse_distributor_name = models.CharField(_("reverse distributor"), max_length=200, blank=True)
    reverse_distributor_address = models.TextField(_("reverse distributor address"), blank=True)
    reverse_distributor_dea_number = models.CharField(_("reverse distributor DEA number"), max_length=9, blank=True)
    destruction_method = models.CharField(_("method of destruction"), max_length=200, blank=True)
    location = models.CharField(_("location of destruction"), max_length=200, blank=True)
    witness_1 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    witness_2 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_valid("method", DisposalMethod), name="disposal_method_valid"),
            models.CheckConstraint(
                condition=(
                    Q(method=DisposalMethod.REVERSE_DISTRIBUTOR)
                    & ~Q(reverse_distributor_name="")
                    & ~Q(reverse_distributor_address="")
                    & ~Q(reverse_distributor_dea_number="")
                )
                | (
                    Q(method=DisposalMethod.DESTROYED_ON_SITE, witness_1__isnull=False, witness_2__isnull=False)
                    & ~Q(destruction_method="")
                    & ~Q(location="")
                    & ~Q(witness_1=F("witness_2"))
                ),
                name="disposal_fields_fit_method",
            ),
        ]
        triggers = [_append_only("disposal_append_only")]

    def __str__(self) -> str:
        return f"Disposal {self.entry_id} ({self.get_method_display()})"


class Count(models.Model):
    """A physical count of one lot by two people, against the balance the ledger expected [S125].

    A discrepancy is booked at once as a count adjustment (so the ledger matches the shelf and no
    dose can be recorded from stock that isn't there); until it is explained it stays open and the
    clinic admins are alerted.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="counts")
    counted_at = models.DateTimeField(_("counted at"))
    expected_mg = models.DecimalField(_("expected (mg)"), **MG)
    counted_mg = models.DecimalField(_("counted (mg)"), **MG)
    discrepancy_mg = models.GeneratedField(
        expression=F("counted_mg") - F("expected_mg"),
        output_field=models.DecimalField(**MG),
        db_persist=True,
    )
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    second_counter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adjustment = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="count", null=True, blank=True
    )

    class Meta:
        ordering = ["-counted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_mg__gte=0, counted_mg__gte=0), name="count_quantities_not_negative"
            ),
            models.CheckConstraint(condition=~Q(counted_by=F("second_counter")), name="count_two_people"),
            models.CheckConstraint(
                condition=Q(counted_mg=F("expected_mg"), adjustment__isnull=True)
                | (~Q(counted_mg=F("expected_mg")) & Q(adjustment__isnull=False)),
                name="count_discrepancy_adjusted",
            ),
        ]
        triggers = [_append_only("count_append_only")]

    def __str__(self) -> str:
        return f"Count of {self.lot.lot_number} at {self.counted_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        """A count is shown on its lot's page."""
        return self.lot.get_absolute_url()

    @property
    def has_discrepancy(self) -> bool:
        return self.counted_mg != self.expected_mg


class DiscrepancyExplanation(models.Model):
    """Why a count differed from the ledger: given at the count, or later, which closes the alert."""

    count = models.OneToOneField(Count, on_delete=models.PROTECT, primary_key=True, related_name="explanation")
    explanation = models.TextField(_("explanation"))
    # when the DEA was told of a theft or significant loss in writing (1301.76(b)) [S128]
    dea_notified_on = models.DateField(_("DEA notified in writing on"), null=True, blank=True)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    explained_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(explanation=""), name="discrepancy_explanation_given")]
        triggers = [_append_only("discrepancy_explanation_append_only")]

    def __str__(self) -> str:
        return f"Explanation of count {self.count_id}"

    def get_absolute_url(self) -> str:
        return self.count.get_absolute_url()


class InventoryKind(models.TextChoices):
    INITIAL = "initial", _("Initial inventory")
    BIENNIAL = "biennial", _("Biennial inventory")


class InventoryTiming(models.TextChoices):
    OPENING = "opening", _("Opening of business")
    CLOSE = "close", _("Close of business")


class Inventory(models.Model):
    """A dated record of every lot's balance: the initial inventory, then at least every 2 years [S125,S126]."""

    Kind = InventoryKind
    Timing = InventoryTiming

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="ledger_inventories")
    kind = models.CharField(max_length=12, choices=InventoryKind.choices)
    timing = models.CharField(_("taken at"), max_length=12, choices=InventoryTiming.choices)
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name_plural = "inventories"
        constraints = [
            models.CheckConstraint(condition=_valid("kind", InventoryKind), name="inventory_kind_valid"),
            models.CheckConstraint(condition=_valid("timing", InventoryTiming), name="inventory_timing_valid"),
            models.UniqueConstraint(
                fields=["clinic"], condition=Q(kind=InventoryKind.INITIAL), name="inventory_one_initial_per_clinic"
            ),
        ]
        triggers = [_append_only("inventory_append_only")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.taken_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("dosing:ledger_inventory", args=[self.code])


class InventoryLine(models.Model):
    inventory = models.ForeignKey(Inventory, on_delete=models.PROTECT, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    balance_mg = models.DecimalField(_("balance (mg)"), **MG)
    # the latest two-person physical count of the lot when the inventory was taken
    last_count = models.ForeignKey(Count, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["inventory", "lot"], name="inventory_line_unique_lot"),
            models.CheckConstraint(condition=Q(balance_mg__gte=0), name="inventory_line_not_negative"),
        ]
        triggers = [_append_only("inventory_line_append_only")]

    def __str__(self) -> str:
        return f"{self.inventory} · {self.lot}"
