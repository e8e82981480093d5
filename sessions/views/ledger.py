"""The controlled-substance ledger's pages: worklists and balances, one lot, one entry, the forms that
record stock movements, inventories and the dispensing log."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from kap_clinic.access import Action, can, clinic_for_request, deny_as_not_found, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.pagination import paginate
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import clinic_time, forms, reports, selectors, services
from .. import ledger_rules as rules
from ..models import CORRECTABLE_KINDS, Count, Disposal, Inventory, LedgerEntry, Lot
from ..quantities import fmt_quantity

STAFF = (User.Role.CLINICIAN, User.Role.ADMIN)


# --- fetching through the access policy ----------------------------------------------------------


def _in_scope(request, queryset, code, action: Action, clinic_of):
    """The object with public `code` if the user may do `action` in its clinic; else 404 (audited).

    Roles that never may (patients, therapists) get 403 first, like every clinic-level page.
    """
    clinic_for_request(request, action)
    obj = queryset.filter(code=code).first()
    if obj is None or not can(request.user, action, clinic=clinic_of(obj)):
        deny_as_not_found(request, f"{action} on {queryset.model._meta.label} {code}", "No such record.")
    return obj


def _lot(request, code, action: Action = Action.VIEW_LEDGER) -> Lot:
    return _in_scope(request, Lot.objects.select_related("clinic"), code, action, lambda lot: lot.clinic)


def _entry(request, code, action: Action = Action.VIEW_LEDGER) -> LedgerEntry:
    entries = LedgerEntry.objects.select_related("lot__clinic", "patient", "performed_by", "recorded_by")
    return _in_scope(request, entries, code, action, lambda entry: entry.lot.clinic)


def _output(request) -> str:
    """`?format=csv` downloads the report, `?format=print` shows all of it laid out for paper."""
    return request.GET.get("format") if request.GET.get("format") in ("csv", "print") else "html"


def _audit_view(request, clinic, detail: str, *, obj=None, patient=None) -> None:
    audit_record(
        actor=request.user, action=AuditEvent.Action.VIEW, clinic=clinic, obj=obj, patient=patient, detail=detail
    )


def _page_or_all(request, items, output: str, per_page: int = 25):
    if output == "print":
        return list(items), ""
    return paginate(request, items, per_page=per_page)


def _base_context(request, clinic, output: str) -> dict:
    query = request.GET.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    return {
        "report_query": query.urlencode(),
        "clinic": clinic,
        "printing": output == "print",
        "printed_at": timezone.now(),
        "may_record": can(request.user, Action.RECORD_LEDGER, clinic=clinic),
        "dea_code": rules.DEA_CS_CODE,
        "dea_schedule": rules.DEA_SCHEDULE,
        "retention_years": rules.RETENTION_YEARS,
    }


def _zone(clinic):
    return clinic_time.clinic_zone(clinic)


# --- the ledger home: worklists and every lot's balance ------------------------------------------


@role_required(*STAFF)
def ledger_home(request):
    clinic = clinic_for_request(request, Action.VIEW_LEDGER)
    output = _output(request)
    include_empty = request.GET.get("show") == "all"
    lots = selectors.lots_with_balances(clinic, include_empty=include_empty)
    if output == "csv":
        _audit_view(request, clinic, "ledger balances exported (csv)")
        header, rows = reports.lots_report(lots)
        return reports.csv_response(
            f"ledger-balances-{clinic_time.clinic_today(clinic)}.csv", header, rows, _zone(clinic)
        )
    today = clinic_time.clinic_today(clinic)
    page, page_query = _page_or_all(request, lots, output)
    context = _base_context(request, clinic, output) | {
        "page": page,
        "page_query": page_query,
        "include_empty": include_empty,
        "today": today,
    }
    if output == "html":
        context |= {
            "discrepancies": selectors.open_discrepancies(clinic),
            "unwitnessed": selectors.unwitnessed_waste(clinic),
            "expired": selectors.lots_expired_with_stock(clinic, today),
            "expiring": selectors.lots_expiring(clinic, today),
            "inventory": selectors.inventory_status(clinic, today),
            "theft_loss_notice": rules.THEFT_LOSS_NOTICE,
        }
    return render(request, "dosing/ledger/home.html", context)


@role_required(*STAFF)
@once_per_form
def ledger_receive(request):
    """Receive stock: a new lot, or more of a lot already on the ledger (`?lot=<code>` fills in its details)."""
    clinic = clinic_for_request(request, Action.RECORD_LEDGER)
    lot = None
    if request.GET.get("lot"):
        try:
            lot = Lot.objects.filter(clinic=clinic, code=request.GET["lot"]).first()
        except ValidationError:
            lot = None
    form = forms.ReceiveForm(request.POST or None, clinic=clinic, user=request.user, lot=lot)
    entry = write_once(request, form, lambda data: services.lot_receive(clinic=clinic, by=request.user, **data))
    if entry is not None:
        messages.success(
            request,
            _("Received %(n)s × %(product)s, lot %(lot)s: the balance is now %(balance)s.")
            % {
                "n": form.cleaned_data["containers"],
                "product": entry.lot.description,
                "lot": entry.lot.lot_number,
                "balance": fmt_quantity(entry.lot, entry.balance_after_mg),
            },
        )
        return redirect("dosing:ledger_lot", code=entry.lot.code)
    return render(request, "dosing/ledger/receive.html", {"form": form, "clinic": clinic, "lot": lot})


# --- one lot -------------------------------------------------------------------------------------


@role_required(*STAFF)
def ledger_lot(request, code):
    """A lot and every entry on it, with the running balance after each."""
    lot = _lot(request, code)
    output = _output(request)
    entries = selectors.lot_entries(lot)
    _audit_view(request, lot.clinic, f"ledger lot {lot.lot_number} ({output})", obj=lot)
    if output == "csv":
        header, rows = reports.entries_report(lot, entries)
        return reports.csv_response(f"ledger-lot-{lot.lot_number}.csv", header, rows, _zone(lot.clinic))
    page, page_query = _page_or_all(request, entries, output, per_page=50)
    today = clinic_time.clinic_today(lot.clinic)
    return render(
        request,
        "dosing/ledger/lot.html",
        _base_context(request, lot.clinic, output)
        | {
            "lot": lot,
            "page": page,
            "page_query": page_query,
            "expired": lot.is_expired(today),
            "balance": fmt_quantity(lot, lot.balance_mg),
            "counts": lot.counts.select_related("counted_by", "second_counter", "explanation")[:5],
        },
    )


@role_required(*STAFF)
@once_per_form
def ledger_administer(request, code):
    lot = _lot(request, code, Action.RECORD_LEDGER)
    initial = {}
    if request.GET.get("patient"):
        initial["patient"] = request.GET["patient"]
    form = forms.AdministerForm(request.POST or None, lot=lot, initial=initial)

    def administer(data):
        return services.ledger_administer(
            lot=lot,
            patient=data["patient"],
            quantity_mg=data["quantity_mg"],
            administered_by=request.user,
            at=data["occurred_at"],
            note=data["note"],
        )

    entry = write_once(request, form, administer)
    if entry is not None:
        messages.success(
            request,
            _("Recorded %(dose)s for %(patient)s. Lot %(lot)s now holds %(balance)s.")
            % {
                "dose": fmt_quantity(lot, entry.quantity_mg),
                "patient": entry.patient.legal_name,
                "lot": lot.lot_number,
                "balance": fmt_quantity(lot, entry.balance_after_mg),
            },
        )
        return redirect("dosing:ledger_lot", code=lot.code)
    _audit_view(request, lot.clinic, "ledger dose form: the clinic's patients listed", obj=lot)
    return render(
        request,
        "dosing/ledger/administer.html",
        _lot_form_context(lot, form) | {"expired": lot.is_expired(clinic_time.clinic_today(lot.clinic))},
    )


def _lot_form_context(lot: Lot, form) -> dict:
    return {"lot": lot, "form": form, "clinic": lot.clinic, "balance": fmt_quantity(lot, lot.balance_mg)}


@sensitive_post_parameters("witness_password")
@role_required(*STAFF)
@once_per_form
def ledger_waste(request, code):
    lot = _lot(request, code, Action.RECORD_LEDGER)
    form = forms.WasteForm(request.POST or None, lot=lot, request=request)

    def waste(data):
        return services.waste_record(
            lot=lot,
            quantity_mg=data["quantity_mg"],
            reason=data["reason"],
            method=data["method"],
            wasted_by=request.user,
            at=data["occurred_at"],
            administration=data["administration"],
            witness=data["witness"],
        )

    entry = write_once(request, form, waste)
    if entry is not None:
        witness = form.cleaned_data["witness"]
        if witness is not None:
            messages.success(
                request,
                _("Recorded %(mg)s wasted, witnessed by %(name)s.")
                % {"mg": fmt_quantity(lot, entry.quantity_mg), "name": witness.full_name},
            )
        else:
            messages.warning(
                request,
                _("Recorded %(mg)s wasted. It stays on the worklist until a witness confirms it.")
                % {"mg": fmt_quantity(lot, entry.quantity_mg)},
            )
        return redirect("dosing:ledger_entry", code=entry.code)
    _audit_view(request, lot.clinic, "ledger waste form: recent doses listed", obj=lot)
    return render(request, "dosing/ledger/waste.html", _lot_form_context(lot, form))


@sensitive_post_parameters("witness_password")
@role_required(*STAFF)
@once_per_form
def ledger_dispose(request, code):
    """Two steps: the details, then a confirmation page (where a second witness signs for destruction)."""
    lot = _lot(request, code, Action.RECORD_LEDGER)
    confirming = request.method == "POST" and "confirm" in request.POST
    form = forms.DisposalForm(request.POST or None, lot=lot, request=request, confirming=confirming)
    if request.method != "POST":
        return render(request, "dosing/ledger/dispose.html", _lot_form_context(lot, form))

    def dispose(data):
        on_site = data["method"] == Disposal.Method.DESTROYED_ON_SITE
        return services.disposal_record(
            lot=lot,
            quantity_mg=data["quantity_mg"],
            method=data["method"],
            disposed_on=data["disposed_on"],
            by=request.user,
            reverse_distributor_name=data["reverse_distributor_name"],
            reverse_distributor_address=data["reverse_distributor_address"],
            reverse_distributor_dea_number=data["reverse_distributor_dea_number"],
            destruction_method=data["destruction_method"],
            location=data["location"],
            witness_1=request.user if on_site else None,
            witness_2=data.get("witness") if on_site else None,
            note=data["note"],
        )

    entry = write_once(request, form, dispose) if confirming else None
    if entry is not None:
        messages.success(
            request,
            _("Recorded the disposal of %(mg)s from lot %(lot)s.")
            % {"mg": fmt_quantity(lot, entry.quantity_mg), "lot": lot.lot_number},
        )
        return redirect("dosing:ledger_entry", code=entry.code)
    details_ok = not any(form.has_error(field.name) for field in form.detail_fields())
    if not details_ok:
        return render(request, "dosing/ledger/dispose.html", _lot_form_context(lot, form))
    data = form.cleaned_data
    return render(
        request,
        "dosing/ledger/dispose_confirm.html",
        _lot_form_context(lot, form)
        | {
            "quantity": fmt_quantity(lot, data["quantity_mg"]),
            "on_site": data["method"] == Disposal.Method.DESTROYED_ON_SITE,
            "method_label": Disposal.Method(data["method"]).label,
        },
    )


@sensitive_post_parameters("second_password")
@role_required(*STAFF)
@once_per_form
def ledger_count(request, code):
    lot = _lot(request, code, Action.RECORD_LEDGER)
    form = forms.CountForm(request.POST or None, lot=lot, request=request)

    def record_count(data):
        return services.count_record(
            lot=lot,
            counted_mg=data["quantity_mg"],
            counted_by=request.user,
            second_counter=data["second_counter"],
            expected_mg=data["expected_mg"],
            explanation=data["explanation"],
        )

    count = write_once(request, form, record_count)
    if count is not None:
        if not count.has_discrepancy:
            messages.success(
                request, _("The count matches the ledger: %(q)s.") % {"q": fmt_quantity(lot, count.counted_mg)}
            )
        elif form.cleaned_data["explanation"]:
            messages.warning(
                request, _("The count differs from the ledger; the difference was booked with your explanation.")
            )
        else:
            messages.error(
                request,
                _("The count is %(q)s off the ledger. The clinic admins are alerted until it is explained.")
                % {"q": fmt_quantity(lot, abs(count.discrepancy_mg))},
            )
        return redirect("dosing:ledger_lot", code=lot.code)
    return render(request, "dosing/ledger/count.html", _lot_form_context(lot, form))


# --- one entry: details, witnessing a waste, correcting --------------------------------------------


@role_required(*STAFF)
def ledger_entry(request, code):
    entry = _entry(request, code)
    entry = selectors.lot_entries(entry.lot).get(pk=entry.pk)
    clinic = entry.lot.clinic
    _audit_view(request, clinic, f"ledger {entry.kind} entry", obj=entry, patient=entry.patient)
    corrections = selectors.with_net_change(entry.corrections.select_related("performed_by")).order_by("pk")
    return render(
        request,
        "dosing/ledger/entry.html",
        _base_context(request, clinic, "html")
        | {
            "entry": entry,
            "lot": entry.lot,
            "corrections": corrections,
            "correctable": entry.kind in CORRECTABLE_KINDS,
            "quantity": fmt_quantity(entry.lot, entry.quantity_mg),
            "net_quantity": fmt_quantity(entry.lot, abs(entry.net_change_mg)),
            "details": reports.entry_details(entry),
            "witness": getattr(getattr(entry, "waste", None), "witness", None)
            if entry.kind == LedgerEntry.Kind.WASTE
            else None,
        },
    )


@sensitive_post_parameters("witness_password")
@role_required(*STAFF)
@once_per_form
def ledger_waste_witness(request, code):
    entry = _entry(request, code, Action.RECORD_LEDGER)
    if entry.kind != LedgerEntry.Kind.WASTE:
        raise Http404("Only a waste is witnessed.")
    if hasattr(entry.waste, "witness"):
        messages.info(request, _("This waste was already witnessed."))
        return redirect("dosing:ledger_entry", code=entry.code)
    form = forms.WitnessForm(request.POST or None, entry=entry, request=request)
    confirmation = write_once(
        request,
        form,
        lambda data: services.waste_witness(waste_entry=entry, witness=data["witness"], recorded_by=request.user),
    )
    if confirmation is not None:
        messages.success(request, _("%(name)s witnessed the waste.") % {"name": confirmation.witness.full_name})
        return redirect("dosing:ledger_entry", code=entry.code)
    return render(
        request,
        "dosing/ledger/witness.html",
        {
            "entry": entry,
            "lot": entry.lot,
            "form": form,
            "quantity": fmt_quantity(entry.lot, entry.quantity_mg),
            "details": reports.entry_details(entry),
        },
    )


@role_required(*STAFF)
@once_per_form
def ledger_entry_correct(request, code):
    """Two steps: the corrected quantity and reason, then a confirmation page. The original is never changed."""
    entry = _entry(request, code, Action.RECORD_LEDGER)
    if entry.kind not in CORRECTABLE_KINDS:
        messages.error(request, _("Only a receipt, administration, waste or disposal can be corrected."))
        return redirect("dosing:ledger_entry", code=entry.code)
    lot = entry.lot
    net = services.entry_net_change(entry)
    current = fmt_quantity(lot, abs(net))
    form = forms.CorrectionForm(
        request.POST or None, entry=entry, initial={"quantity": Decimal(rules.plain_number(abs(net)))}
    )
    context = {"entry": entry, "lot": lot, "form": form, "current": current, "clinic": lot.clinic}
    _audit_view(request, lot.clinic, f"ledger {entry.kind} entry (correction form)", obj=entry, patient=entry.patient)
    if "confirm" in request.POST:
        correction = write_once(
            request,
            form,
            lambda data: services.entry_correct(
                entry=entry, corrected_mg=data["quantity_mg"], reason=data["reason"], by=request.user
            ),
        )
        if correction is not None:
            messages.success(
                request,
                _("The %(kind)s now stands at %(q)s; the correction is recorded with your reason.")
                % {"kind": entry.get_kind_display().lower(), "q": fmt_quantity(lot, form.cleaned_data["quantity_mg"])},
            )
            return redirect("dosing:ledger_entry", code=entry.code)
    elif request.method == "POST" and form.is_valid():
        corrected = fmt_quantity(lot, form.cleaned_data["quantity_mg"])
        return render(request, "dosing/ledger/correct_confirm.html", context | {"corrected": corrected})
    return render(request, "dosing/ledger/correct.html", context)


@role_required(*STAFF)
@once_per_form
def ledger_discrepancy_explain(request, code):
    count = _in_scope(
        request,
        Count.objects.select_related("lot__clinic", "counted_by", "second_counter"),
        code,
        Action.RECORD_LEDGER,
        lambda count: count.lot.clinic,
    )
    if not count.has_discrepancy or hasattr(count, "explanation"):
        messages.info(request, _("This count has nothing left to explain."))
        return redirect("dosing:ledger_lot", code=count.lot.code)
    form = forms.ExplainForm(request.POST or None)
    explanation = write_once(
        request, form, lambda data: services.discrepancy_explain(count=count, by=request.user, **data)
    )
    if explanation is not None:
        messages.success(request, _("The discrepancy is explained and its alert closed."))
        return redirect("dosing:ledger_lot", code=count.lot.code)
    lot = count.lot
    return render(
        request,
        "dosing/ledger/explain.html",
        {
            "count": count,
            "lot": lot,
            "form": form,
            "counted": fmt_quantity(lot, count.counted_mg),
            "expected": fmt_quantity(lot, count.expected_mg),
            "difference": fmt_quantity(lot, abs(count.discrepancy_mg)),
            "short": count.discrepancy_mg < 0,
            "theft_loss_notice": rules.THEFT_LOSS_NOTICE,
        },
    )


# --- inventories ---------------------------------------------------------------------------------


@role_required(*STAFF)
def ledger_inventories(request):
    clinic = clinic_for_request(request, Action.VIEW_LEDGER)
    inventories = Inventory.objects.filter(clinic=clinic).select_related("taken_by")
    page, page_query = paginate(request, inventories)
    return render(
        request,
        "dosing/ledger/inventories.html",
        _base_context(request, clinic, "html")
        | {
            "page": page,
            "page_query": page_query,
            "status": selectors.inventory_status(clinic, clinic_time.clinic_today(clinic)),
            "biennial_years": rules.BIENNIAL_INVENTORY_YEARS,
        },
    )


@role_required(*STAFF)
@once_per_form
def ledger_inventory_take(request):
    clinic = clinic_for_request(request, Action.RECORD_LEDGER)
    has_initial = Inventory.objects.filter(clinic=clinic, kind=Inventory.Kind.INITIAL).exists()
    form = forms.InventoryForm(request.POST or None, has_initial=has_initial)
    inventory = write_once(request, form, lambda data: services.inventory_take(clinic=clinic, by=request.user, **data))
    if inventory is not None:
        messages.success(request, _("%(kind)s recorded.") % {"kind": inventory.get_kind_display()})
        return redirect("dosing:ledger_inventory", code=inventory.code)
    lots = selectors.lots_with_balances(clinic)
    return render(
        request,
        "dosing/ledger/inventory_take.html",
        {"form": form, "clinic": clinic, "lots": lots, "has_initial": has_initial},
    )


@role_required(*STAFF)
def ledger_inventory(request, code):
    inventory = _in_scope(
        request,
        Inventory.objects.select_related("clinic", "taken_by"),
        code,
        Action.VIEW_LEDGER,
        lambda inventory: inventory.clinic,
    )
    output = _output(request)
    lines = list(selectors.inventory_lines(inventory))
    if output == "csv":
        _audit_view(request, inventory.clinic, "ledger inventory exported (csv)", obj=inventory)
        header, rows = reports.inventory_report(inventory, lines)
        taken = timezone.localtime(inventory.taken_at, _zone(inventory.clinic))
        name = f"ledger-{inventory.kind}-inventory-{taken:%Y-%m-%d}.csv"
        return reports.csv_response(name, header, rows, _zone(inventory.clinic))
    for line in lines:
        line.quantity = fmt_quantity(line.lot, line.balance_mg)
        line.containers = line.balance_mg / line.lot.container_mg
    return render(
        request,
        "dosing/ledger/inventory.html",
        _base_context(request, inventory.clinic, output) | {"inventory": inventory, "lines": lines},
    )


# --- the dispensing log --------------------------------------------------------------------------


@role_required(*STAFF)
def ledger_dispensing_log(request):
    """Every dose given in a date range (this month so far unless asked), as DEA's dispensing record."""
    clinic = clinic_for_request(request, Action.VIEW_LEDGER)
    output = _output(request)
    today = clinic_time.clinic_today(clinic)
    form = forms.DateRangeForm(request.GET or None)
    start, end = today.replace(day=1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    zone = _zone(clinic)
    entries = selectors.dispensing_log(
        clinic,
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )
    _audit_view(request, clinic, f"ledger dispensing log {start}..{end} ({output})")
    if output == "csv":
        header, rows = reports.dispensing_report(entries)
        return reports.csv_response(f"dispensing-log-{start}-to-{end}.csv", header, rows, zone)
    page, page_query = _page_or_all(request, entries, output, per_page=50)
    for entry in page:
        entry.quantity = fmt_quantity(entry.lot, -entry.net_change_mg)
    return render(
        request,
        "dosing/ledger/dispensing_log.html",
        _base_context(request, clinic, output)
        | {"form": form, "start": start, "end": end, "page": page, "page_query": page_query},
    )
