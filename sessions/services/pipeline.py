from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from ..models import DosingSession, StatusChange
from ..pipeline import GUARDS, NEEDS_REASON, TRANSITIONS


def _pre_dose_cleared(session: DosingSession) -> bool:
    check = getattr(session, "pre_dose_check", None)
    return check is not None and check.cleared


def _has_administration(session: DosingSession) -> bool:
    return session.administrations.exists()


def _discharge_recorded(session: DosingSession) -> bool:
    return hasattr(session, "discharge")


GUARD_CHECKS = {
    "pre_dose_cleared": _pre_dose_cleared,
    "has_administration": _has_administration,
    "discharge_recorded": _discharge_recorded,
}


@transaction.atomic
def session_set_status(*, session: DosingSession, to: str, by, reason: str = "", at=None) -> DosingSession:
    """Move the session to `to` if the pipeline allows it from its current status and the move's guard
    holds; record who and when (StatusChange) and audit it. Raises ValidationError with the reason otherwise."""
    session = DosingSession.objects.select_for_update().select_related("patient").get(pk=session.pk)
    if session.is_signed:
        raise ValidationError(_("This session is signed and can no longer change."), code="signed")
    if to not in TRANSITIONS.get(session.status, ()):
        raise ValidationError(
            _("A session that is “%(current)s” can't become “%(to)s”.")
            % {"current": session.get_status_display(), "to": DosingSession.Status(to).label},
            code="transition",
        )
    guard = GUARDS.get((session.status, to))
    if guard and not GUARD_CHECKS[guard[0]](session):
        raise ValidationError(guard[1], code=guard[0])
    if to in NEEDS_REASON and not reason.strip():
        raise ValidationError(_("Give a reason."), code="reason")
    at = at or timezone.now()
    previous = session.status
    session.status = to
    fields = ["status", "updated_at"]
    if to == DosingSession.Status.CHECKED_IN:
        session.checked_in_at = at
        fields.append("checked_in_at")
    elif to == DosingSession.Status.DISCHARGED:
        session.discharged_at = at
        fields.append("discharged_at")
    session.save(update_fields=fields)
    StatusChange.objects.create(session=session, from_status=previous, to_status=to, reason=reason.strip(), by=by)
    detail = f"status {previous} → {to}"
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, patient=session.patient, obj=session, detail=detail)
    return session
