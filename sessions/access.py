"""How every dosing-session view reaches a session: through the access policy, with an audit entry either way."""

from intake.access import audited_patient
from kap_clinic.access import Action, can, deny_as_not_found
from kap_clinic.audit.models import AuditEvent

from .models import DosingSession


def session_for_request(
    request, code, action: Action = Action.VIEW_CHART, *, audit_action: str = AuditEvent.Action.VIEW
) -> DosingSession:
    """The session with public `code` if the policy lets the user do `action` on its patient; else 404
    (audited, and answered exactly like a session that does not exist)."""
    session = (
        DosingSession.objects.select_related("patient__clinic", "patient__user", "plan", "prescriber", "monitor")
        .filter(code=code)
        .first()
    )
    if session is None or not can(request.user, action, patient=session.patient):
        deny_as_not_found(request, f"{action} on dosing session {code}", "No such session.")
    audited_patient(request, session.patient, action, audit_action=audit_action, obj=session)
    return session
