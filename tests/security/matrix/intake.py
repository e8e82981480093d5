from . import LOGIN, Rule, outcomes, patient_chart_rule

_staff_page = Rule(outcomes(403, anonymous=LOGIN, staff=200, others=200))

RULES = {
    "intake:patient_list": _staff_page,
    "intake:patient_invite": _staff_page,
    "intake:patient_chart": patient_chart_rule(lambda w: {"code": w.patient_a.code}),
    "intake:patient_resend_invitation": Rule(outcomes(405), lambda w: {"code": w.patient_a.code}),  # POST only
    "intake:patient_home": Rule(outcomes(403, anonymous=LOGIN, patient_a=200, patient_b=200)),
}
