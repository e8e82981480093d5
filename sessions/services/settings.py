from django.db import transaction

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from ..models import DissociationScale


@transaction.atomic
def dissociation_scale_save(*, clinic, name: str, max_score: int, licence_reference: str, by) -> DissociationScale:
    """Add or change the clinic's licensed dissociation scale (its total is then asked on every observation)."""
    scale, created = DissociationScale.objects.update_or_create(
        clinic=clinic,
        defaults={
            "name": name.strip(),
            "max_score": max_score,
            "licence_reference": licence_reference.strip(),
            "updated_by": by,
        },
    )
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    audit_record(actor=by, action=action, clinic=clinic, obj=scale, detail=f"dissociation scale {scale}")
    return scale


@transaction.atomic
def dissociation_scale_remove(*, clinic, by) -> bool:
    """Stop asking for the licensed scale. Entries already recorded keep its name and totals."""
    deleted, _ = DissociationScale.objects.filter(clinic=clinic).delete()
    if deleted:
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, clinic=clinic, detail="dissociation scale removed")
    return bool(deleted)
