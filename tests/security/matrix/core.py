from . import LOGIN, REDIRECT, Rule, outcomes

_staff_member = Rule(
    outcomes(403, anonymous=LOGIN, admin=200, other_admin=404),
    lambda w: {"code": w.nurse.code},
)

RULES = {
    "home": Rule(outcomes(REDIRECT, anonymous=LOGIN)),
    "accounts:login": Rule(outcomes(REDIRECT, anonymous=200)),
    "accounts:logout": Rule(outcomes(405)),  # logging out is a POST
    "accounts:accept_invitation": Rule(outcomes(400), lambda w: {"token": "not-a-real-token"}),
    "accounts:password_reset": Rule(outcomes(200)),
    "accounts:password_reset_done": Rule(outcomes(200)),
    "accounts:password_reset_confirm": Rule(outcomes(200), lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    "accounts:password_reset_complete": Rule(outcomes(200)),
    "accounts:clinic_settings": Rule(outcomes(403, anonymous=LOGIN, admin=200, other_admin=200)),
    "accounts:staff_list": Rule(outcomes(403, anonymous=LOGIN, admin=200, other_admin=200)),
    "accounts:staff_invite": Rule(outcomes(403, anonymous=LOGIN, admin=200, other_admin=200)),
    "accounts:staff_toggle_active": _staff_member,
    "accounts:staff_resend_invitation": Rule(outcomes(405), lambda w: {"code": w.nurse.code}),  # POST only
    "dashboards:clinician_home": Rule(outcomes(403, anonymous=LOGIN, clinicians=200, other_clinician=200)),
    "dashboards:admin_home": Rule(outcomes(403, anonymous=LOGIN, admin=200, other_admin=200)),
    "dashboards:audit_log": Rule(outcomes(403, anonymous=LOGIN, admin=200, other_admin=200)),
}

RULES["dashboards:clinical_rules"] = Rule(outcomes(403, anonymous=LOGIN, staff=200, others=200))
