"""How every view reaches a patient's chart: through the access policy, with an audit entry either way."""

from kap_clinic.access import Action, can, deny_as_not_found
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from .models import Patient


def patient_for_request(
    request, code, action: Action = Action.VIEW_CHART, *, audit_action: str = AuditEvent.Action.VIEW
):
    """The chart with public `code` if the policy lets the user do `action` on it; else 404.

    A refusal is audited as a failed authorization, and answers exactly like a chart that does
    not exist, so swapping another patient's code into a URL reveals nothing.
    """
    patient = Patient.objects.select_related("clinic", "user").filter(code=code).first()
    if patient is None or not can(request.user, action, patient=patient):
        deny_as_not_found(request, f"{action} on patient {code}", "No such patient.")
    return audited_patient(request, patient, action, audit_action=audit_action)


def audited_patient(request, patient, action: Action, *, audit_action: str, obj=None):
    """Record that the user reached `patient`'s data (through `obj`, default the chart) for `action`."""
    audit_record(actor=request.user, action=audit_action, patient=patient, obj=obj or patient, detail=str(action))
    return patient
