from django.db import transaction

from kap_clinic.accounts.models import Clinic, User
from kap_clinic.accounts.services import invitation_create, user_create_invited
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from ..models import Patient


@transaction.atomic
def patient_invite(
    *,
    clinic: Clinic,
    invited_by: User,
    email: str,
    legal_name: str,
    preferred_name: str = "",
    date_of_birth=None,
    phone: str = "",
) -> Patient:
    """Open a chart and an account for a new patient, and email them the link to set a password.

    All or nothing: a duplicate email or any failure leaves neither account nor chart behind.
    """
    user = user_create_invited(email=email, full_name=preferred_name or legal_name, role=User.Role.PATIENT)
    patient = Patient.objects.create(
        user=user,
        clinic=clinic,
        legal_name=legal_name.strip(),
        preferred_name=preferred_name.strip(),
        date_of_birth=date_of_birth,
        phone=phone.strip(),
        email=user.email,
        created_by=invited_by,
    )
    audit_record(actor=invited_by, action=AuditEvent.Action.CREATE, patient=patient, obj=patient)
    invitation_create(user=user, clinic=clinic, invited_by=invited_by)
    return patient


def patient_set_stage(*, patient: Patient, stage: str, by: User) -> Patient:
    """Move the chart to `stage` (shown on the chart and the patient list), audited. Callers hold the
    transaction and check the step before it; a move to the same stage writes nothing."""
    if patient.stage == stage:
        return patient
    previous = patient.stage
    patient.stage = stage
    patient.save(update_fields=["stage", "updated_at"])
    audit_record(
        actor=by, action=AuditEvent.Action.UPDATE, patient=patient, obj=patient, detail=f"stage {previous} → {stage}"
    )
    return patient
