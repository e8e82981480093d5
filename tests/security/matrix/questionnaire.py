"""The patient's own intake questionnaire pages: patients only, always their own chart (no code in the URL)."""

from . import LOGIN, REDIRECT, Rule, outcomes

_own_page = Rule(outcomes(403, anonymous=LOGIN, patient_a=200, patient_b=200))

RULES = {
    # resume sends the patient on to their step
    "intake:questionnaire_resume": Rule(outcomes(403, anonymous=LOGIN, patient_a=REDIRECT, patient_b=REDIRECT)),
    "intake:questionnaire_step": Rule(_own_page.expected, lambda w: {"step": "about"}),
    "intake:questionnaire_submit": _own_page,
    "intake:questionnaire_answers": _own_page,
}
