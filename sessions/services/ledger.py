"""Every write to the controlled-substance ledger, each in one transaction with its checks and audit event.

The checks here give clear messages; the database backs the important ones (a balance below zero,
a wrong sign, a witness who is the same person, a correction of another lot, an UPDATE or DELETE)
so that no other code path can get round them. Every service that moves stock locks the lot row
first (`select_for_update`), so two entries on one lot are applied one after the other and the
second sees the balance the first left.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.access import Action, can
from kap_clinic.accounts.models import User
from kap_clinic.accounts.validators import dea_number_is_valid
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from .. import clinic_time
from .. import ledger_rules as rules
from ..models import (
    CORRECTABLE_KINDS,
    INFLOW_KINDS,
    Count,
    DiscrepancyExplanation,
    Disposal,
    Inventory,
    InventoryLine,
    LedgerEntry,
    Lot,
    Receipt,
    Waste,
    WasteWitness,
)
from ..quantities import fmt_quantity, quantity_to_mg

Kind = LedgerEntry.Kind


# --- shared checks -------------------------------------------------------------------------------


def _check_time(at: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValueError("ledger times must be aware datetimes")
    if at > now + rules.FUTURE_TOLERANCE:
        raise ValidationError(_("That time is in the future. Enter when it actually happened."), code="future")
    return at


def _check_staff(user, clinic, what: str) -> None:
    """`user` may record controlled-substance entries in `clinic` (active prescriber, nurse or admin there)."""
    if user is None or not can(user, Action.RECORD_LEDGER, clinic=clinic):
        name = getattr(user, "full_name", "") or _("This person")
        raise ValidationError(
            _("%(name)s is not a prescriber, nurse or clinic admin of %(clinic)s, so can't be the %(what)s.")
            % {"name": name, "clinic": clinic.name, "what": what},
            code="not_staff",
        )


def _lock(lot: Lot) -> Lot:
    """Lock the lot's row until the transaction ends, so entries on one lot are applied one at a time.

    Returns the caller's own instance with its balance read under the lock (and kept current by
    `_apply`); a lot's other fields never change, so nothing else can be stale.
    """
    locked = Lot.objects.select_for_update().select_related("clinic").get(pk=lot.pk)
    lot.balance_mg = locked.balance_mg
    if not Lot.clinic.is_cached(lot):
        lot.clinic = locked.clinic
    return lot


def _check_available(lot: Lot, mg: Decimal, what: str) -> None:
    if mg > lot.balance_mg:
        raise ValidationError(
            _("Lot %(lot)s holds only %(balance)s, less than the %(mg)s to be %(what)s.")
            % {
                "lot": lot.lot_number,
                "balance": fmt_quantity(lot, lot.balance_mg),
                "mg": fmt_quantity(lot, mg),
                "what": what,
            },
            code="insufficient",
        )


def _apply(lot: Lot, kind: str, change_mg: Decimal, **fields) -> LedgerEntry:
    """Insert an entry on a locked lot. The database adds its change to the lot and refuses a balance below zero."""
    entry = LedgerEntry(lot=lot, kind=kind, change_mg=change_mg, **fields)
    entry.balance_after_mg = lot.balance_mg + entry.change_mg  # what the trigger computes, under our lock
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError as error:
        if "lot_balance_never_negative" in str(error):
            raise ValidationError(
                _("That would take the balance of lot %(lot)s below zero.") % {"lot": lot.lot_number},
                code="insufficient",
            ) from None
        raise
    lot.balance_mg = entry.balance_after_mg
    return entry


def _take_out(lot: Lot, kind: str, quantity_mg: Decimal, what: str, *, audit_detail: str = "", **fields) -> LedgerEntry:
    """`quantity_mg` leaving a locked lot (an administration, waste or disposal): refused when the lot
    holds less, else booked and audited for whoever recorded it."""
    _check_available(lot, quantity_mg, what)
    _check_after_receipt(lot, fields.get("occurred_at"))
    entry = _apply(lot, kind, -quantity_mg, **fields)
    detail = f"{fmt_quantity(lot, quantity_mg)} from lot {lot.lot_number}{audit_detail}"
    _audit(entry, entry.recorded_by, lot.clinic, f"{kind}: {detail}", patient=entry.patient)
    return entry


def _check_after_receipt(lot: Lot, at) -> None:
    """Nothing leaves a lot on a day before it arrived (the records must tell the stock's real history)."""
    received_on = Receipt.objects.filter(entry__lot=lot).order_by("received_on").values_list("received_on", flat=True)
    first = received_on.first()
    if at is not None and first is not None and clinic_time.clinic_date(lot.clinic, at) < first:
        raise ValidationError(
            _("Lot %(lot)s was received on %(day)s: nothing can leave it on an earlier day.")
            % {"lot": lot.lot_number, "day": first},
            code="before_receipt",
        )


def _audit(obj, by, clinic, detail: str, *, patient=None) -> None:
    """The audit event of a new ledger record: `detail` says what, after "ledger "."""
    audit_record(
        actor=by, action=AuditEvent.Action.CREATE, clinic=clinic, patient=patient, obj=obj, detail=f"ledger {detail}"
    )


def _required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, code="required")
    return value


def _dea_number(value: str, whose: str) -> str:
    value = (value or "").strip().upper()
    if not dea_number_is_valid(value):
        raise ValidationError(
            _("The %(whose)s DEA number should be 2 letters and 7 digits, e.g. AB1234563: check it on the paperwork.")
            % {"whose": whose},
            code="dea_number",
        )
    return value


# --- receipts ------------------------------------------------------------------------------------


LOT_DETAILS = ("substance", "form", "strength_mg", "container_size", "expires_on")


@transaction.atomic
def lot_receive(
    *,
    clinic,
    substance: str,
    form: str,
    strength_mg: Decimal,
    container_size: Decimal,
    ndc: str,
    lot_number: str,
    expires_on: datetime.date,
    received_on: datetime.date,
    supplier_name: str,
    supplier_address: str,
    supplier_dea_number: str,
    invoice_number: str,
    containers: int,
    received_by,
    by,
    product_name: str = "",
    note: str = "",
) -> LedgerEntry:
    """Stock received on an invoice: the lot (new, or more of one already on the ledger) and its receipt.

    Records what 1304.21(d)/1304.22(c) ask: substance, finished form, number of containers, the date
    actually received, supplier name, address and DEA number [S116,S117,S118].
    """
    _check_staff(by, clinic, _("person recording it"))
    _check_staff(received_by, clinic, _("person who received it"))
    if substance not in rules.Substance.values or form not in rules.ProductForm.values:
        raise ValidationError(_("Choose the substance and its finished form."), code="product")
    if form not in rules.SUBSTANCE_FORMS[substance]:
        raise ValidationError(
            _("%(substance)s is only stocked as: %(forms)s.")
            % {
                "substance": rules.Substance(substance).label,
                "forms": ", ".join(str(rules.ProductForm(f).label).lower() for f in rules.SUBSTANCE_FORMS[substance]),
            },
            code="product",
        )
    if strength_mg is None or strength_mg <= 0 or container_size is None or container_size <= 0:
        raise ValidationError(_("The strength and the container size must be above zero."), code="not_positive")
    if rules.FORMS[form].counted and container_size != container_size.to_integral_value():
        raise ValidationError(_("A package holds a whole number of units."), code="whole")
    ndc = (ndc or "").strip()
    if not rules.NDC_PATTERN.match(ndc):
        raise ValidationError(
            _("The NDC should be 10 or 11 digits, as printed on the label (e.g. 0409-2053-01)."), code="ndc"
        )
    lot_number = _required(lot_number, _("Enter the lot number printed on the container."))
    if containers is None or containers <= 0:
        raise ValidationError(_("Enter how many containers arrived (1 or more)."), code="not_positive")
    today = clinic_time.clinic_today(clinic)
    if received_on > today:
        raise ValidationError(_("The date received can't be in the future."), code="future")
    if expires_on < today:
        raise ValidationError(
            _("This lot expired on %(date)s: expired stock can't be received.") % {"date": expires_on}, code="expired"
        )
    supplier_name = _required(supplier_name, _("Enter the supplier's name."))
    supplier_address = _required(supplier_address, _("Enter the supplier's address."))
    supplier_dea_number = _dea_number(supplier_dea_number, _("supplier's"))
    invoice_number = _required(invoice_number, _("Enter the invoice number."))

    lot = Lot.objects.select_for_update().filter(clinic=clinic, ndc=ndc, lot_number=lot_number).first()
    if lot is None:
        lot, _created = Lot.objects.get_or_create(
            clinic=clinic,
            ndc=ndc,
            lot_number=lot_number,
            defaults={
                "substance": substance,
                "form": form,
                "strength_mg": strength_mg,
                "container_size": container_size,
                "expires_on": expires_on,
                "product_name": product_name.strip(),
                "created_by": by,
            },
        )
        lot = _lock(lot)
    given = {
        "substance": substance,
        "form": form,
        "strength_mg": strength_mg,
        "container_size": container_size,
        "expires_on": expires_on,
    }
    differing = [name for name in LOT_DETAILS if getattr(lot, name) != given[name]]
    if differing:
        labels = ", ".join(str(Lot._meta.get_field(name).verbose_name) for name in differing)
        raise ValidationError(
            _("Lot %(lot)s (NDC %(ndc)s) is already on the ledger with a different %(fields)s. Check the label.")
            % {"lot": lot_number, "ndc": ndc, "fields": labels},
            code="lot_mismatch",
        )
    quantity = (Decimal(containers) * lot.container_mg).quantize(rules.MG_QUANTUM)
    now = timezone.now()
    occurred_at = now if received_on == today else _noon(clinic, received_on)
    entry = _apply(
        lot,
        Kind.RECEIPT,
        quantity,
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by=by,
        performed_by=received_by,
        note=note.strip(),
    )
    Receipt.objects.create(
        entry=entry,
        received_on=received_on,
        supplier_name=supplier_name,
        supplier_address=supplier_address,
        supplier_dea_number=supplier_dea_number,
        invoice_number=invoice_number,
        containers=containers,
    )
    _audit(
        entry, by, clinic, f"receipt: {containers} × {lot.description}, lot {lot.lot_number}, invoice {invoice_number}"
    )
    return entry


def _noon(clinic, day: datetime.date) -> datetime.datetime:
    """A receipt dated in the past: the day is what DEA asks for; noon keeps it on that day in any zone."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=clinic_time.clinic_zone(clinic))


# --- administration ------------------------------------------------------------------------------


@transaction.atomic
def ledger_administer(
    *, lot: Lot, patient, quantity_mg: Decimal, administered_by, at=None, recorded_by=None, note: str = ""
) -> LedgerEntry:
    """One dose given to one patient from one lot: the 1304.22(c) record (patient, substance and form,
    quantity, date, who administered) [S117]. Called by the dosing session's administration step.

    Refused: another clinic's lot or patient, an expired lot, more than the lot holds.
    """
    at = _check_time(at)
    recorded_by = recorded_by or administered_by
    lot = _lock(lot)
    clinic = lot.clinic
    _check_staff(administered_by, clinic, _("person who administered the dose"))
    _check_staff(recorded_by, clinic, _("person recording it"))
    if patient is None or patient.clinic_id != clinic.pk:
        raise ValidationError(
            _("That patient is not a patient of %(clinic)s.") % {"clinic": clinic.name}, code="patient"
        )
    quantity_mg = quantity_to_mg(lot, quantity_mg, rules.Unit.MG)
    if lot.is_expired(clinic_time.clinic_date(clinic, at)):
        raise ValidationError(
            _("Lot %(lot)s expired on %(date)s and can't be used for a dose. Record its disposal instead.")
            % {"lot": lot.lot_number, "date": lot.expires_on},
            code="expired",
        )
    return _take_out(
        lot,
        Kind.ADMINISTRATION,
        quantity_mg,
        _("given"),
        occurred_at=at,
        recorded_by=recorded_by,
        performed_by=administered_by,
        patient=patient,
        note=note.strip(),
    )


# --- waste ---------------------------------------------------------------------------------------


@transaction.atomic
def waste_record(
    *,
    lot: Lot,
    quantity_mg: Decimal,
    reason: str,
    method: str,
    wasted_by,
    at=None,
    administration: LedgerEntry | None = None,
    recorded_by=None,
    witness=None,
) -> LedgerEntry:
    """Drug left over after a dose, wasted: amount, reason, method, time, who [S120,S121].

    A witness may confirm at once (`witness`, already authenticated by the caller) or later with
    `waste_witness`; until then the waste stays on the unwitnessed worklist.
    """
    at = _check_time(at)
    recorded_by = recorded_by or wasted_by
    lot = _lock(lot)
    clinic = lot.clinic
    _check_staff(wasted_by, clinic, _("person who wasted the drug"))
    _check_staff(recorded_by, clinic, _("person recording it"))
    reason = _required(reason, _("Say why the drug was wasted (e.g. left in the vial after the dose)."))
    method = _required(method, _("Say how it was wasted."))
    if administration is not None and (administration.lot_id != lot.pk or administration.kind != Kind.ADMINISTRATION):
        raise ValidationError(_("The dose it followed must be a dose from the same lot."), code="administration")
    quantity_mg = quantity_to_mg(lot, quantity_mg, rules.Unit.MG)
    entry = _take_out(
        lot,
        Kind.WASTE,
        quantity_mg,
        _("wasted"),
        occurred_at=at,
        recorded_by=recorded_by,
        performed_by=wasted_by,
        reason=reason,
    )
    Waste.objects.create(entry=entry, administration=administration, method=method)
    if witness is not None:
        waste_witness(waste_entry=entry, witness=witness, recorded_by=recorded_by)
    return entry


@transaction.atomic
def waste_witness(*, waste_entry: LedgerEntry, witness, recorded_by) -> WasteWitness:
    """A different clinician of the same clinic confirms a waste (the caller has checked their password)."""
    if waste_entry.kind != Kind.WASTE:
        raise ValidationError(_("Only a waste entry is witnessed."), code="not_waste")
    waste = (
        Waste.objects.select_for_update()
        .select_related("entry__lot__clinic", "entry__performed_by")
        .get(pk=waste_entry.pk)
    )
    clinic = waste.entry.lot.clinic
    if witness is None or witness.pk == waste.entry.performed_by_id:
        raise ValidationError(
            _("The witness must be someone other than the person who wasted the drug."), code="same_person"
        )
    _check_staff(witness, clinic, _("witness"))
    _check_staff(recorded_by, clinic, _("person recording it"))
    existing = WasteWitness.objects.filter(waste=waste).select_related("witness").first()
    if existing is not None:
        raise ValidationError(
            _("This waste was already witnessed by %(name)s.") % {"name": existing.witness.full_name},
            code="witnessed",
        )
    confirmation = WasteWitness.objects.create(waste=waste, witness=witness, recorded_by=recorded_by)
    _audit(waste.entry, recorded_by, clinic, f"waste witnessed by {witness.email}")
    return confirmation


# --- disposal ------------------------------------------------------------------------------------


@transaction.atomic
def disposal_record(
    *,
    lot: Lot,
    quantity_mg: Decimal,
    method: str,
    disposed_on: datetime.date,
    by,
    reverse_distributor_name: str = "",
    reverse_distributor_address: str = "",
    reverse_distributor_dea_number: str = "",
    destruction_method: str = "",
    location: str = "",
    witness_1=None,
    witness_2=None,
    note: str = "",
) -> LedgerEntry:
    """Expired or unwanted stock leaving the inventory (Part 1317) [S122,S123,S124].

    To a reverse distributor: date, its name, address and DEA number, quantity (1304.21(e)).
    Destroyed on site: the Form 41 fields, with two different authorized employees as witnesses.
    """
    lot = _lock(lot)
    clinic = lot.clinic
    _check_staff(by, clinic, _("person recording it"))
    if disposed_on > clinic_time.clinic_today(clinic):
        raise ValidationError(_("The date of disposal can't be in the future."), code="future")
    fields = {}
    if method == Disposal.Method.REVERSE_DISTRIBUTOR:
        fields = {
            "reverse_distributor_name": _required(reverse_distributor_name, _("Enter the reverse distributor's name.")),
            "reverse_distributor_address": _required(
                reverse_distributor_address, _("Enter the reverse distributor's address.")
            ),
            "reverse_distributor_dea_number": _dea_number(reverse_distributor_dea_number, _("reverse distributor's")),
        }
    elif method == Disposal.Method.DESTROYED_ON_SITE:
        if witness_1 is None or witness_2 is None:
            raise ValidationError(_("Destruction on site needs two witnesses."), code="witnesses")
        if witness_1.pk == witness_2.pk:
            raise ValidationError(_("The two witnesses must be two different people."), code="same_person")
        _check_staff(witness_1, clinic, _("first witness"))
        _check_staff(witness_2, clinic, _("second witness"))
        fields = {
            "destruction_method": _required(destruction_method, _("Say how the stock was destroyed.")),
            "location": _required(location, _("Say where the stock was destroyed.")),
            "witness_1": witness_1,
            "witness_2": witness_2,
        }
    else:
        raise ValidationError(_("Choose how the stock left: reverse distributor or destroyed on site."), code="method")
    quantity_mg = quantity_to_mg(lot, quantity_mg, rules.Unit.MG)
    now = timezone.now()
    entry = _take_out(
        lot,
        Kind.DISPOSAL,
        quantity_mg,
        _("disposed of"),
        audit_detail=f": {Disposal.Method(method).label}",
        occurred_at=now if disposed_on == clinic_time.clinic_today(clinic) else _noon(clinic, disposed_on),
        recorded_at=now,
        recorded_by=by,
        performed_by=by,
        note=note.strip(),
    )
    Disposal.objects.create(entry=entry, method=method, disposed_on=disposed_on, **fields)
    return entry


# --- counts and discrepancies --------------------------------------------------------------------


@transaction.atomic
def count_record(
    *,
    lot: Lot,
    counted_mg: Decimal,
    counted_by,
    second_counter,
    expected_mg: Decimal | None = None,
    explanation: str = "",
    at=None,
) -> Count:
    """A physical count of a lot by two people against the ledger's balance [S125].

    `expected_mg` is the balance the counters were shown: if an entry changed it meanwhile, the count
    is refused (count again). A discrepancy is booked as a count adjustment so the ledger matches the
    shelf; without an explanation it stays open and the clinic is alerted by email, with the DEA
    theft/loss deadlines [S128,S129,S130].
    """
    at = _check_time(at)
    lot = _lock(lot)
    clinic = lot.clinic
    _check_staff(counted_by, clinic, _("person counting"))
    if second_counter is None or second_counter.pk == counted_by.pk:
        raise ValidationError(_("A count needs a second person: someone other than you."), code="same_person")
    _check_staff(second_counter, clinic, _("second counter"))
    counted_mg = quantity_to_mg(lot, counted_mg, rules.Unit.MG, allow_zero=True)
    if expected_mg is not None and expected_mg != lot.balance_mg:
        raise ValidationError(
            _(
                "The ledger balance of lot %(lot)s changed while you counted (now %(balance)s): "
                "another entry was recorded. Count again against the new balance."
            )
            % {"lot": lot.lot_number, "balance": fmt_quantity(lot, lot.balance_mg)},
            code="stale",
        )
    expected = lot.balance_mg
    explanation = (explanation or "").strip()
    adjustment = None
    if counted_mg != expected:
        reason = _("Physical count by %(a)s and %(b)s: counted %(counted)s, the ledger expected %(expected)s.") % {
            "a": counted_by.full_name,
            "b": second_counter.full_name,
            "counted": fmt_quantity(lot, counted_mg),
            "expected": fmt_quantity(lot, expected),
        }
        if explanation:
            reason = f"{reason} {explanation}"
        adjustment = _apply(
            lot,
            Kind.ADJUSTMENT,
            counted_mg - expected,
            occurred_at=at,
            recorded_by=counted_by,
            performed_by=counted_by,
            reason=reason,
        )
    count = Count.objects.create(
        lot=lot,
        counted_at=at,
        expected_mg=expected,
        counted_mg=counted_mg,
        counted_by=counted_by,
        second_counter=second_counter,
        adjustment=adjustment,
    )
    if adjustment is not None and explanation:
        DiscrepancyExplanation.objects.create(count=count, explanation=explanation, explained_by=counted_by)
    _audit(count, counted_by, clinic, f"count of lot {lot.lot_number}: counted {counted_mg} mg, expected {expected} mg")
    if adjustment is not None and not explanation:
        transaction.on_commit(lambda: discrepancy_alert_send(count.pk))
    return count


@transaction.atomic
def discrepancy_explain(*, count: Count, explanation: str, by, dea_notified_on: datetime.date | None = None):
    """Explain an open discrepancy, which closes its alert. The count and its adjustment stay as they are."""
    count = Count.objects.select_for_update().select_related("lot__clinic").get(pk=count.pk)
    clinic = count.lot.clinic
    _check_staff(by, clinic, _("person explaining it"))
    if not count.has_discrepancy:
        raise ValidationError(_("This count matched the ledger: there is nothing to explain."), code="no_discrepancy")
    if DiscrepancyExplanation.objects.filter(count=count).exists():
        raise ValidationError(_("This discrepancy has already been explained."), code="explained")
    explanation = _required(explanation, _("Write what caused the difference."))
    if dea_notified_on is not None and dea_notified_on > clinic_time.clinic_today(clinic):
        raise ValidationError(_("The date the DEA was notified can't be in the future."), code="future")
    record = DiscrepancyExplanation.objects.create(
        count=count, explanation=explanation, explained_by=by, dea_notified_on=dea_notified_on
    )
    _audit(count, by, clinic, f"discrepancy of lot {count.lot.lot_number} explained")
    return record


def discrepancy_alert_send(count_id: int) -> None:
    """Email the clinic's contact address and its active admins about an unexplained discrepancy."""
    count = Count.objects.select_related("lot__clinic", "counted_by", "second_counter").get(pk=count_id)
    clinic = count.lot.clinic
    admins = User.objects.staff_of(clinic).filter(role=User.Role.ADMIN)
    recipients = sorted({clinic.contact_email, *admins.values_list("email", flat=True)} - {""})
    if not recipients:
        return
    counted_at = timezone.localtime(count.counted_at, clinic_time.clinic_zone(clinic))
    context = {
        "count": count,
        "lot": count.lot,
        "clinic": clinic,
        "counted": fmt_quantity(count.lot, count.counted_mg),
        "expected": fmt_quantity(count.lot, count.expected_mg),
        "difference": fmt_quantity(count.lot, abs(count.counted_mg - count.expected_mg)),
        "short": count.counted_mg < count.expected_mg,
        "notice": rules.THEFT_LOSS_NOTICE,
        "url": settings.SITE_URL + reverse("dosing:ledger_discrepancy_explain", args=[count.code]),
        "counted_at": f"{counted_at:%Y-%m-%d %H:%M} ({clinic.time_zone})",
    }
    send_mail(
        subject=_("Unexplained controlled-substance count discrepancy at %(clinic)s") % {"clinic": clinic.name},
        message=render_to_string("dosing/ledger/email/discrepancy_alert.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


# --- corrections ---------------------------------------------------------------------------------


def entry_net_change(entry: LedgerEntry) -> Decimal:
    """The entry's change with every correction of it applied."""
    corrections = entry.corrections.aggregate(total=Sum("change_mg"))["total"] or Decimal(0)
    return entry.change_mg + corrections


@transaction.atomic
def entry_correct(*, entry: LedgerEntry, corrected_mg: Decimal, reason: str, by) -> LedgerEntry:
    """Fix the quantity of a receipt, administration, waste or disposal with a new entry that references it.

    `corrected_mg` is what the original should have said (0: it should not have been recorded).
    The correction books the difference; the original is never changed.
    """
    if entry.kind not in CORRECTABLE_KINDS:
        raise ValidationError(
            _("A %(kind)s can't be corrected: correct the entry it came from, or count the lot again.")
            % {"kind": entry.get_kind_display().lower()},
            code="kind",
        )
    lot = _lock(entry.lot)
    clinic = lot.clinic
    _check_staff(by, clinic, _("person correcting it"))
    reason = _required(reason, _("Say why the entry was wrong."))
    corrected_mg = quantity_to_mg(lot, corrected_mg, rules.Unit.MG, allow_zero=True)
    target = corrected_mg if entry.kind in INFLOW_KINDS else -corrected_mg
    delta = target - entry_net_change(entry)
    if delta == 0:
        raise ValidationError(
            _("The entry already stands at %(mg)s: there is nothing to correct.")
            % {"mg": fmt_quantity(lot, corrected_mg)},
            code="unchanged",
        )
    if lot.balance_mg + delta < 0:
        raise ValidationError(
            _("Correcting it to %(mg)s would take the balance of lot %(lot)s below zero (it holds %(balance)s).")
            % {
                "mg": fmt_quantity(lot, corrected_mg),
                "lot": lot.lot_number,
                "balance": fmt_quantity(lot, lot.balance_mg),
            },
            code="insufficient",
        )
    correction = _apply(
        lot,
        Kind.CORRECTION,
        delta,
        occurred_at=timezone.now(),
        recorded_by=by,
        performed_by=by,
        corrects=entry,
        reason=reason,
    )
    detail = f"correction: {entry.kind} {entry.code} corrected to {corrected_mg} mg ({delta:+} mg)"
    _audit(correction, by, clinic, detail, patient=entry.patient)
    return correction


# --- inventories ---------------------------------------------------------------------------------


@transaction.atomic
def inventory_take(*, clinic, kind: str, timing: str, by, note: str = "", at=None) -> Inventory:
    """A dated record of every lot's balance: initial (zero stock recorded as zero), then at least
    every 2 years, at opening or close of business (noted) [S125,S126]."""
    at = _check_time(at)
    _check_staff(by, clinic, _("person taking the inventory"))
    if kind not in Inventory.Kind.values or timing not in Inventory.Timing.values:
        raise ValidationError(_("Choose the kind of inventory and when it was taken."), code="kind")
    if kind == Inventory.Kind.INITIAL and Inventory.objects.filter(clinic=clinic, kind=kind).exists():
        raise ValidationError(
            _("%(clinic)s already has its initial inventory; later ones are biennial.") % {"clinic": clinic.name},
            code="initial_exists",
        )
    # Lock every lot with stock so that no entry lands while the snapshot is taken.
    lots = list(Lot.objects.select_for_update().filter(clinic=clinic, balance_mg__gt=0).order_by("pk"))
    inventory = Inventory.objects.create(
        clinic=clinic, kind=kind, timing=timing, taken_at=at, taken_by=by, note=(note or "").strip()
    )
    last_counts = {}
    for count in Count.objects.filter(lot__in=lots).order_by("lot_id", "-counted_at", "-id").distinct("lot_id"):
        last_counts[count.lot_id] = count
    InventoryLine.objects.bulk_create(
        [
            InventoryLine(inventory=inventory, lot=lot, balance_mg=lot.balance_mg, last_count=last_counts.get(lot.pk))
            for lot in lots
        ]
    )
    _audit(inventory, by, clinic, f"{kind} inventory of {len(lots)} lots")
    return inventory
