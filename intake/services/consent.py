"""Consent: a clinic's versioned consent documents (drafted, then published and frozen) and patients'
signatures of them. Dosing requires the patient to have signed the clinic's latest published version."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.accounts.models import Clinic
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from ..consent_text import AGREEMENT, DEFAULT_BODY, DEFAULT_TITLE
from ..models import ConsentDocument, ConsentSignature, Patient
from ..models.consent import consent_text_hash

# --- reads ---------------------------------------------------------------------------------------


def consent_current_document(clinic) -> ConsentDocument | None:
    """The clinic's latest published version, the one patients sign; None before the first is published."""
    return (
        ConsentDocument.objects.filter(clinic=clinic, published_at__isnull=False)
        .select_related("published_by")
        .order_by("-version")
        .first()
    )


def consent_is_current(patient) -> bool:
    """Has the patient signed the clinic's latest published version? False while none is published:
    a dose needs a signed consent."""
    current = consent_current_document(patient.clinic)
    return current is not None and ConsentSignature.objects.filter(patient=patient, document=current).exists()


def consent_draft(clinic) -> ConsentDocument | None:
    return ConsentDocument.objects.filter(clinic=clinic, published_at__isnull=True).order_by("-version").first()


def consent_normalise_name(name: str) -> str:
    """Names compared ignoring case and extra spaces: " jane  DOE " matches "Jane Doe"."""
    return " ".join(name.split()).casefold()


@dataclass
class SignatureRow:
    signature: ConsentSignature
    is_current: bool


@dataclass
class ConsentStatus:
    """Where a patient stands: `state` is one of
    "signed" (the latest published version), "outdated" (signed an earlier one only),
    "unsigned" (never signed), "none_published" (the clinic has published nothing to sign)."""

    state: str
    current: ConsentDocument | None
    signature: ConsentSignature | None  # of the current version
    latest: ConsentSignature | None  # the latest signature of any version
    signatures: list[SignatureRow] = field(default_factory=list)

    @property
    def is_current(self) -> bool:
        return self.state == "signed"


def consent_status(patient) -> ConsentStatus:
    """The patient's consent state and every signature, newest first (two queries)."""
    current = consent_current_document(patient.clinic)
    signatures = list(
        ConsentSignature.objects.filter(patient=patient).select_related("document").order_by("-document__version")
    )
    rows = [SignatureRow(s, current is not None and s.document_id == current.pk) for s in signatures]
    signed_current = next((row.signature for row in rows if row.is_current), None)
    latest = signatures[0] if signatures else None
    if current is None:
        state = "none_published"
    elif signed_current is not None:
        state = "signed"
    elif latest is not None:
        state = "outdated"
    else:
        state = "unsigned"
    return ConsentStatus(state=state, current=current, signature=signed_current, latest=latest, signatures=rows)


# --- the clinic's documents ----------------------------------------------------------------------


@transaction.atomic
def consent_document_create(*, clinic, by) -> ConsentDocument:
    """A new draft, numbered after the clinic's latest version and prefilled with its text (or, for the
    first, with the template in `intake.consent_text`). One draft at a time."""
    Clinic.objects.select_for_update().get(pk=clinic.pk)  # one version number per clinic at a time
    draft = consent_draft(clinic)
    if draft is not None:
        raise ValidationError(
            _("Version %(version)s is still a draft: edit and publish it, or keep working on it, first.")
            % {"version": draft.version},
            code="draft_exists",
        )
    latest = ConsentDocument.objects.filter(clinic=clinic).order_by("-version").first()
    document = ConsentDocument.objects.create(
        clinic=clinic,
        version=(latest.version if latest else 0) + 1,
        title=latest.title if latest else str(DEFAULT_TITLE),
        body=latest.body if latest else str(DEFAULT_BODY),
        created_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        clinic=clinic,
        obj=document,
        detail=f"consent version {document.version} drafted",
    )
    return document


def _locked(document: ConsentDocument) -> ConsentDocument:
    return ConsentDocument.objects.select_for_update().get(pk=document.pk)


def _refuse_if_published(document: ConsentDocument) -> None:
    if document.is_published:
        raise ValidationError(
            _(
                "Version %(version)s is published and can't be changed: patients have been asked to sign "
                "exactly that text. Start a new version to make changes."
            )
            % {"version": document.version},
            code="published",
        )


@transaction.atomic
def consent_document_update(*, document: ConsentDocument, title: str, body: str, by) -> ConsentDocument:
    """Change a draft's title and text. A published version can't be changed."""
    locked = _locked(document)
    _refuse_if_published(locked)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("The consent needs both a title and its text."), code="empty")
    changed = [name for name, value in (("title", title), ("body", body)) if getattr(locked, name) != value]
    locked.title, locked.body = title, body
    locked.save(update_fields=["title", "body"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        clinic=locked.clinic,
        obj=locked,
        detail=f"consent version {locked.version} draft edited ({', '.join(changed) or 'no change'})",
    )
    return locked


@transaction.atomic
def consent_document_publish(*, document: ConsentDocument, by) -> ConsentDocument:
    """Publish a draft: from now on it is frozen (the database refuses changes) and it is the version
    patients sign; whoever signed an earlier one is asked to sign again before their next dose."""
    locked = _locked(document)
    _refuse_if_published(locked)
    if not locked.title.strip() or not locked.body.strip():
        raise ValidationError(_("The consent needs both a title and its text."), code="empty")
    newest = ConsentDocument.objects.filter(clinic=locked.clinic).aggregate(v=Max("version"))["v"]
    if locked.version != newest:
        raise ValidationError(_("Only the newest version can be published."), code="not_newest")
    locked.published_at = timezone.now()
    locked.published_by = by
    locked.save(update_fields=["published_at", "published_by"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.PUBLISH,
        clinic=locked.clinic,
        obj=locked,
        detail=f"consent version {locked.version} published (sha256 {locked.text_sha256[:12]})",
    )
    return locked


# --- the patient's signature ---------------------------------------------------------------------


@transaction.atomic
def consent_sign(
    *,
    patient: Patient,
    document: ConsentDocument | None,
    typed_name: str,
    agreed: bool,
    ip: str | None,
    user_agent: str,
    by,
    text_sha256: str | None = None,
) -> ConsentSignature:
    """The patient signs `document`, which must be their clinic's current published version (None: the
    version the page showed doesn't exist, refused like an outdated one).

    `typed_name` must be the patient's legal name (case and extra spaces don't matter) and `agreed`
    true. The hash of exactly the title and text shown is stored; `text_sha256`, when the page sent the
    hash of what it showed, must match it. Signing the same version again (a double click) returns the
    first signature and writes nothing.
    """
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one signature at a time per patient
    if by.pk != patient.user_id:
        raise ValidationError(_("Only the patient can sign their own consent."), code="not_patient")
    existing = ConsentSignature.objects.filter(patient=patient, document=document).first()
    if existing is not None:
        return existing
    current = consent_current_document(patient.clinic)
    if current is None:
        raise ValidationError(_("Your clinic hasn't published a consent document yet."), code="none_published")
    if document is None or document.pk != current.pk or (text_sha256 and text_sha256 != current.text_sha256):
        raise ValidationError(
            _(
                "The clinic published a new version of the consent while this page was open. "
                "Please read the new version below and sign it."
            ),
            code="not_current",
        )
    errors = {}
    if consent_normalise_name(typed_name) != consent_normalise_name(patient.legal_name):
        errors["typed_name"] = _(
            "The name you typed doesn't match the legal name on your chart, “%(name)s”. Please type it as "
            "shown (capital letters and extra spaces don't matter). If that name is wrong, tell the clinic."
        ) % {"name": patient.legal_name}
    if not agreed:
        errors["agreed"] = _("Please tick the box to confirm that you have read, understood and agree.")
    if errors:
        raise ValidationError(errors)
    signature = ConsentSignature.objects.create(
        patient=patient,
        document=current,
        typed_name=" ".join(typed_name.split()),
        agreed=True,
        signed_at=timezone.now(),
        ip=ip or None,
        user_agent=(user_agent or "")[:255],
        text_sha256=consent_text_hash(current.title, current.body),
        signed_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.SIGN,
        patient=patient,
        obj=signature,
        detail=f"consent version {current.version} signed (sha256 {signature.text_sha256[:12]})",
    )
    return signature


def consent_signed_text(signature: ConsentSignature) -> str:
    """Exactly the text that was signed, as hashed: title, blank line, body."""
    return f"{signature.document.title}\n\n{signature.document.body}"


def consent_signature_file(signature: ConsentSignature) -> str:
    """The downloadable record of a signature: the exact text signed, then the signature block (time in
    the clinic's time zone and in UTC, IP address, SHA-256 of the text above)."""
    zone = zoneinfo.ZoneInfo(signature.patient.clinic.time_zone)
    local = timezone.localtime(signature.signed_at, zone)
    utc = timezone.localtime(signature.signed_at, datetime.UTC)
    lines = [
        consent_signed_text(signature),
        "",
        "-" * 72,
        _("Electronic signature"),
        _("Document: %(title)s, version %(version)s (%(clinic)s)")
        % {
            "title": signature.document.title,
            "version": signature.document.version,
            "clinic": signature.patient.clinic.name,
        },
        _("Patient: %(name)s") % {"name": signature.patient.legal_name},
        _("Typed name: %(name)s") % {"name": signature.typed_name},
        _("Agreed: yes, box ticked: “%(agreement)s”") % {"agreement": AGREEMENT},
        _("Signed at: %(local)s (%(zone)s)") % {"local": local.strftime("%Y-%m-%d %H:%M:%S %Z"), "zone": zone.key},
        _("Signed at (UTC): %(utc)s") % {"utc": utc.strftime("%Y-%m-%d %H:%M:%S UTC")},
        _("IP address: %(ip)s") % {"ip": signature.ip or _("not recorded")},
        _("SHA-256 of the text above (title, blank line, text; UTF-8): %(hash)s") % {"hash": signature.text_sha256},
        "",
    ]
    return "\n".join(lines)
