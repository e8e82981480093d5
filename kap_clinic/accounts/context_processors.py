from kap_clinic.access import Action, granted_actions


def navigation(request):
    """What the navigation bar offers: decided by the access policy, not by each template."""
    user = getattr(request, "user", None)
    actions = granted_actions(user)
    return {
        "nav": {
            "patients": Action.LIST_PATIENTS in actions,
            "staff": Action.MANAGE_STAFF in actions,
            "audit": Action.VIEW_AUDIT_LOG in actions,
            "ledger": Action.VIEW_LEDGER in actions,
            "is_patient": bool(user and user.is_authenticated and user.is_patient),
        }
    }
