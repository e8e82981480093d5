from django.utils.functional import SimpleLazyObject

from intake.models import SafetyAlert
from kap_clinic.access import Action, granted_actions


def navigation(request):
    """What the navigation bar offers: decided by the access policy, not by each template. (In dashboards,
    which may read every app: the bar counts the open safety alerts.)"""
    user = getattr(request, "user", None)
    actions = granted_actions(user)
    review = Action.REVIEW_QUEUE in actions
    return {
        "nav": {
            "patients": Action.LIST_PATIENTS in actions,
            "staff": Action.MANAGE_STAFF in actions,
            "audit": Action.VIEW_AUDIT_LOG in actions,
            "ledger": Action.VIEW_LEDGER in actions,
            "board": Action.VIEW_BOARD in actions,
            "review": review,
            "alerts": review,
            # one COUNT query, run only when a page's navigation shows it
            "open_alerts": SimpleLazyObject(lambda: _open_alert_count(user)) if review else 0,
            "consent": Action.MANAGE_CONSENT in actions,
            "protocol": Action.MANAGE_PROTOCOL in actions,
            "is_patient": bool(user and user.is_authenticated and user.is_patient),
        }
    }


def _open_alert_count(user) -> int:
    clinic_ids = user.clinic_ids()
    if not clinic_ids:
        return 0
    return SafetyAlert.objects.filter(acknowledged_at__isnull=True, patient__clinic_id__in=clinic_ids).count()
