"""The patient's journal and self-care plan (helper I). The patient's own pages (`me/…`) have no code:
patients only (staff 403), each on their own chart. The care team's pages take the chart's code and are
for the patient's clinicians only (VIEW_JOURNAL): admins, the other clinic and the patients themselves
(patient A reads their own through the `me/…` pages) are told it doesn't exist (404)."""

from . import LOGIN, Rule, outcomes

_patients_own = Rule(outcomes(403, anonymous=LOGIN, patient_a=200, patient_b=200))
_care_team = Rule(outcomes(404, anonymous=LOGIN, clinicians=200), lambda w: {"code": w.patient_a.code})

RULES = {
    "integration:reflection_list": _patients_own,
    "integration:self_care_checkin": _patients_own,
    "integration:patient_reflections": _care_team,
    "integration:self_care_plan": _care_team,
}
