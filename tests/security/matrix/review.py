"""Clinicians' intake pages: the review queue and safety alerts (clinic-level: clinicians of any clinic see
their own; admins and patients 403), and one patient's review, assessment, plan and alert (patient-level:
A's care team only; everyone else, admins and patients included, is told it doesn't exist — 404, as
`patient_for_request` answers every patient-level refusal). The plan is for prescribers only."""

from intake.models import SafetyAlert
from intake.services.safety import safety_alert_open

from . import LOGIN, Rule, outcomes

_clinicians_page = Rule(outcomes(403, anonymous=LOGIN, clinicians=200, other_clinician=200))
_care_team = outcomes(404, anonymous=LOGIN, clinicians=200)


def _chart(w):
    return {"code": w.patient_a.code}


def _alert(w):
    alert = safety_alert_open(patient=w.patient_a, source=SafetyAlert.Source.PHQ9_ITEM9, detail="item 9")
    return {"code": w.patient_a.code, "pk": alert.pk}


RULES = {
    "intake:review_queue": _clinicians_page,
    "intake:alert_list": _clinicians_page,
    "intake:intake_review": Rule(_care_team, _chart),
    "intake:assessment_edit": Rule(_care_team, _chart),
    "intake:plan_edit": Rule(outcomes(404, anonymous=LOGIN, prescriber=200), _chart),
    "intake:alert_acknowledge": Rule(_care_team, _alert),
}
