from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .middleware import current_request_context
from .models import AuditEvent

Action = AuditEvent.Action


def audit_record(
    *,
    actor,
    action: str,
    patient=None,
    clinic=None,
    obj=None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    detail: str = "",
    actor_email: str = "",
) -> AuditEvent:
    """Append one audit event. `patient` is any chart with `code` and `clinic_id`; `obj` any model instance."""
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    clinic_id = clinic.pk if clinic is not None else getattr(patient, "clinic_id", None)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_email=(actor.email if authenticated else actor_email)[:254],
        action=action,
        outcome=outcome,
        clinic_id=clinic_id,
        patient_code=getattr(patient, "code", None),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "code", None) or getattr(obj, "pk", "")) if obj is not None else "",
        detail=detail[:255],
        ip=context.ip if context else None,
        user_agent=context.user_agent if context else "",
        path=context.path if context else "",
        request_id=context.request_id if context else "",
    )


def audit_list_view(*, actor, clinics, detail: str) -> None:
    """One VIEW event per clinic whose patients a list page showed (the list names no single chart)."""
    for clinic in clinics:
        audit_record(actor=actor, action=Action.VIEW, clinic=clinic, detail=detail)


def home_clinic(user):
    """The clinic a login belongs to: a staff member's first clinic, a patient's own."""
    membership = user.memberships.select_related("clinic").order_by("-is_active", "clinic__name").first()
    if membership:
        return membership.clinic
    chart = getattr(user, "patient", None)  # reverse one-to-one from the chart, when there is one
    return chart.clinic if chart else None


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=Action.LOGIN, clinic=home_clinic(user))


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=Action.LOGOUT, clinic=home_clinic(user))


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Never store the password; the typed email is kept to spot guessing, and when it names an
    # account the attempt goes into that account's clinic log, where its admins can see it.
    from django.contrib.auth import get_user_model

    email = str(credentials.get("username") or credentials.get("email") or "")
    account = get_user_model().objects.filter(email__iexact=email).first() if email else None
    audit_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        outcome=AuditEvent.Outcome.FAILURE,
        actor_email=email,
        clinic=home_clinic(account) if account else None,
    )
