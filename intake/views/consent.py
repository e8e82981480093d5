"""Consent documents (clinic admins write and publish them; patients read, sign and download them) and
the clinic's protocol settings (PCL-5 cutoff, per-route limits, licensed risk-screen wording)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.access import Action, clinic_for_request, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.middleware import client_ip
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.instruments.definitions import CSSRS_CONSTRUCTS, CSSRS_PLACEHOLDER_WORDING
from kap_clinic.pagination import paginate

from ..access import patient_for_request
from ..consent_text import AGREEMENT, is_template
from ..forms.consent import ConsentDocumentForm, ConsentSignForm
from ..forms.protocol import ProtocolSettingsForm, ScreenerWordingForm
from ..models import ConsentDocument, ConsentSignature, Patient, Route, RouteProtocol, ScreenerWording
from ..models.assessment import DoseUnit
from ..protocol import ROUTE_DEFAULTS, route_protocols
from ..services import consent as consent_services
from ..services import protocol as protocol_services

# --- clinic admins: the consent documents --------------------------------------------------------


def _document(request, clinic, version: int) -> ConsentDocument:
    """Version `version` of the admin's own clinic (numbers are per clinic); 404 if it has none."""
    document = (
        ConsentDocument.objects.filter(clinic=clinic, version=version)
        .select_related("created_by", "published_by")
        .annotate(signature_count=Count("signatures"))
        .first()
    )
    if document is None:
        raise Http404(_("No such consent version."))
    return document


def _audit_view(request, clinic, detail: str, obj=None) -> None:
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, clinic=clinic, obj=obj, detail=detail)


@role_required(User.Role.ADMIN)
def consent_documents(request):
    clinic = clinic_for_request(request, Action.MANAGE_CONSENT)
    documents = (
        ConsentDocument.objects.filter(clinic=clinic)
        .select_related("created_by", "published_by")
        .annotate(signature_count=Count("signatures"))
        .order_by("-version")
    )
    page, page_query = paginate(request, documents)
    current = consent_services.consent_current_document(clinic)
    _audit_view(request, clinic, f"consent documents, page {page.number}")
    return render(
        request,
        "intake/consent/documents.html",
        {
            "clinic": clinic,
            "page": page,
            "page_query": page_query,
            "current": current,
            "draft": consent_services.consent_draft(clinic),
        },
    )


@role_required(User.Role.ADMIN)
def consent_create(request):
    """GET: what a new version starts from; POST: start it (a draft) and open it."""
    clinic = clinic_for_request(request, Action.MANAGE_CONSENT)
    draft = consent_services.consent_draft(clinic)
    if draft is not None:
        messages.info(request, _("Version %(version)s is a draft already: edit it here.") % {"version": draft.version})
        return redirect("intake:consent_document", version=draft.version)
    if request.method == "POST":
        try:
            document = consent_services.consent_document_create(clinic=clinic, by=request.user)
        except ValidationError as error:  # a draft started meanwhile, e.g. by a double click
            messages.info(request, error.messages[0])
            return redirect("intake:consent_documents")
        messages.success(request, _("Version %(version)s started as a draft.") % {"version": document.version})
        return redirect("intake:consent_document", version=document.version)
    latest = ConsentDocument.objects.filter(clinic=clinic).order_by("-version").first()
    return render(request, "intake/consent/create.html", {"clinic": clinic, "latest": latest})


@role_required(User.Role.ADMIN)
def consent_document(request, version):
    """One version: its text and signatures; while a draft, the form to edit it."""
    clinic = clinic_for_request(request, Action.MANAGE_CONSENT)
    document = _document(request, clinic, version)
    form = None
    if request.method == "POST":
        form = ConsentDocumentForm(request.POST)
        if form.is_valid():
            try:
                consent_services.consent_document_update(document=document, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect("intake:consent_document", version=document.version)
    elif not document.is_published:
        form = ConsentDocumentForm(initial={"title": document.title, "body": document.body})
    _audit_view(request, clinic, f"consent version {document.version}", obj=document)
    current = consent_services.consent_current_document(clinic)
    return render(
        request,
        "intake/consent/document.html",
        {
            "clinic": clinic,
            "document": document,
            "form": form,
            "is_current": current is not None and current.pk == document.pk,
            "is_template": is_template(document.body),
        },
    )


@role_required(User.Role.ADMIN)
def consent_publish(request, version):
    """GET: the confirmation (patients will be asked to sign again); POST: publish."""
    clinic = clinic_for_request(request, Action.MANAGE_CONSENT)
    document = _document(request, clinic, version)
    if document.is_published:
        messages.info(request, _("Version %(version)s is published.") % {"version": document.version})
        return redirect("intake:consent_document", version=document.version)
    error = None
    if request.method == "POST":
        try:
            consent_services.consent_document_publish(document=document, by=request.user)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(
                request,
                _("Version %(version)s is published: patients will be asked to sign it before their next dose.")
                % {"version": document.version},
            )
            return redirect("intake:consent_document", version=document.version)
    current = consent_services.consent_current_document(clinic)
    signed_earlier = (
        ConsentSignature.objects.filter(document__clinic=clinic).values("patient").distinct().count() if current else 0
    )
    return render(
        request,
        "intake/consent/publish_confirm.html",
        {
            "clinic": clinic,
            "document": document,
            "current": current,
            "signed_earlier": signed_earlier,
            "error": error,
            "is_template": is_template(document.body),
        },
    )


# --- the care team: a patient's signed consent ---------------------------------------------------


def _signature(patient, version: int) -> ConsentSignature:
    signature = (
        ConsentSignature.objects.filter(patient=patient, document__version=version, document__clinic=patient.clinic)
        .select_related("document", "patient__clinic")
        .first()
    )
    if signature is None:
        raise Http404(_("This version hasn't been signed."))
    return signature


def _download(request, patient, version: int) -> HttpResponse:
    signature = _signature(patient, version)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        patient=patient,
        obj=signature,
        detail=f"consent version {version} signature downloaded",
    )
    response = HttpResponse(
        consent_services.consent_signature_file(signature), content_type="text/plain; charset=utf-8"
    )
    day = timezone.localtime(signature.signed_at).date()
    response["Content-Disposition"] = f'attachment; filename="consent-v{version}-signed-{day:%Y-%m-%d}.txt"'
    return response


@login_required
def consent_download(request, code, version):
    patient = patient_for_request(request, code, Action.VIEW_CHART)
    return _download(request, patient, version)


# --- the patient's own consent -------------------------------------------------------------------


def _own_chart(request, action: Action = Action.FILL_INTAKE):
    """The logged-in patient's chart (through the access policy), or None when they have none."""
    code = Patient.objects.filter(user=request.user).values_list("code", flat=True).first()
    if code is None:
        return None
    return patient_for_request(request, code, action)


def _no_chart(request):
    return render(request, "intake/no_chart.html", status=404)


@role_required(User.Role.PATIENT)
def consent_sign(request):
    """The clinic's current consent to read and sign; or, once signed, that it is."""
    patient = _own_chart(request)
    if patient is None:
        return _no_chart(request)
    status = consent_services.consent_status(patient)
    current = status.current
    if request.method == "POST" and status.signature is not None:  # sent twice: the first one signed
        messages.info(request, _("This was already recorded."))
        return redirect("intake:consent_signed", version=status.signature.document.version)
    form = None
    if current is not None and status.signature is None:
        if request.method == "POST":
            form = ConsentSignForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                document = ConsentDocument.objects.filter(clinic=patient.clinic, version=data["version"]).first()
                try:
                    signature = consent_services.consent_sign(
                        patient=patient,
                        document=document,
                        typed_name=data["typed_name"],
                        agreed=data["agreed"],
                        ip=client_ip(request),
                        user_agent=request.META.get("HTTP_USER_AGENT", ""),
                        by=request.user,
                        text_sha256=data["text_sha256"] or None,
                    )
                except ValidationError as error:
                    if getattr(error, "code", None) == "not_current":  # read the new version first
                        messages.warning(request, error.messages[0])
                        form = ConsentSignForm(initial=_sign_initial(current, data["typed_name"]))
                    else:
                        form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("Thank you: you signed version %(version)s of the consent.")
                        % {"version": signature.document.version},
                    )
                    return redirect("intake:consent_signed", version=signature.document.version)
        else:
            form = ConsentSignForm(initial=_sign_initial(current, ""))
    return render(request, "intake/consent/sign.html", {"patient": patient, "status": status, "form": form})


def _sign_initial(document: ConsentDocument, typed_name: str) -> dict:
    return {"version": document.version, "text_sha256": document.text_sha256, "typed_name": typed_name}


@role_required(User.Role.PATIENT)
def consent_signed(request, version):
    """A version the patient signed: the text and the signature's details."""
    patient = _own_chart(request, Action.VIEW_CHART)
    if patient is None:
        return _no_chart(request)
    signature = _signature(patient, version)
    current = consent_services.consent_current_document(patient.clinic)
    return render(
        request,
        "intake/consent/signed.html",
        {
            "patient": patient,
            "signature": signature,
            "document": signature.document,
            "is_current": current is not None and current.pk == signature.document_id,
            "current": current,
            "agreement": AGREEMENT,
        },
    )


@role_required(User.Role.PATIENT)
def consent_download_own(request, version):
    patient = _own_chart(request, Action.VIEW_CHART)
    if patient is None:
        return _no_chart(request)
    return _download(request, patient, version)


# --- clinic admins: protocol settings -----------------------------------------------------------


@role_required(User.Role.ADMIN)
def protocol_settings(request):
    clinic = clinic_for_request(request, Action.MANAGE_PROTOCOL)
    current = route_protocols(clinic)
    form = ProtocolSettingsForm(
        request.POST or None, current=current, clinic=clinic, initial={"pcl5_cutoff": clinic.pcl5_cutoff}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = protocol_services.protocol_settings_save(
                clinic=clinic,
                pcl5_cutoff=form.cleaned_data["pcl5_cutoff"],
                routes=form.route_values(),
                by=request.user,
                **form.clinic_values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Protocol settings saved.") if changes else _("Saved: nothing had changed."),
            )
            return redirect("intake:protocol_settings")
    _audit_view(request, clinic, "protocol settings")
    routes = [
        {
            "value": value,
            "label": label,
            "fields": fields,
            "defaults": ROUTE_DEFAULTS[Route(value)],
            "default_unit": DoseUnit(ROUTE_DEFAULTS[Route(value)].dose_unit).label,
            "saved": current[value] if isinstance(current[value], RouteProtocol) else None,
        }
        for value, label, fields in form.routes()
    ]
    return render(
        request,
        "intake/settings/protocol.html",
        {"clinic": clinic, "form": form, "routes": routes},
    )


@role_required(User.Role.ADMIN)
def screener_wording(request):
    """The risk screen's licensed wording: save it, or (after a confirmation) go back to the placeholder."""
    clinic = clinic_for_request(request, Action.MANAGE_PROTOCOL)
    saved = ScreenerWording.objects.filter(clinic=clinic).select_related("updated_by").first()
    reverting = request.GET.get("revert") == "1" or request.POST.get("revert") is not None
    if reverting and saved is None:
        messages.info(request, _("The placeholder wording is already in use."))
        return redirect("intake:screener_wording")
    if reverting and request.method == "POST" and request.POST.get("revert") == "confirm":
        protocol_services.screener_wording_revert(clinic=clinic, by=request.user)
        messages.success(request, _("Your wording was removed: patients now see the placeholder wording."))
        return redirect("intake:screener_wording")
    if reverting:
        return render(request, "intake/settings/screener_revert.html", {"clinic": clinic, "saved": saved})
    initial = (
        {**saved.as_dict(), "licence_reference": saved.licence_reference}
        if saved
        else {key: str(text) for key, text in CSSRS_PLACEHOLDER_WORDING.items()}
    )
    form = ScreenerWordingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            protocol_services.screener_wording_save(
                clinic=clinic,
                texts=form.texts(),
                licence_reference=form.cleaned_data["licence_reference"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your clinic's licensed wording is saved: patients see it from now on."))
            return redirect("intake:screener_wording")
    _audit_view(request, clinic, "risk-screen wording")
    return render(
        request,
        "intake/settings/screener_wording.html",
        {
            "clinic": clinic,
            "form": form,
            "saved": saved,
            "constructs": CSSRS_CONSTRUCTS,
        },
    )
