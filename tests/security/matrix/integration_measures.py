"""Follow-up measures: a patient's own due questionnaire (the reminder's link: the patient only; another
patient's code is told it doesn't exist; staff are refused by role), the clinic's overdue worklist
(clinicians of any clinic see their own; admins and patients 403) and a patient's progress page (the chart's
readers: the patient, the care team and the clinic admin)."""

from integration.models import MeasureDue
from sessions import clinic_time

from . import LOGIN, Rule, outcomes, patient_chart_rule


def _due(w):
    item = MeasureDue.objects.create(
        patient=w.patient_a, instrument="phq9", time_point="month_1", due_on=clinic_time.clinic_today(w.clinic)
    )
    return {"code": item.code}


RULES = {
    "integration:measure_take": Rule(outcomes(403, anonymous=LOGIN, patient_a=200, patient_b=404), _due),
    "integration:measures_overdue": Rule(outcomes(403, anonymous=LOGIN, clinicians=200, other_clinician=200)),
    "integration:progress": patient_chart_rule(lambda w: {"code": w.patient_a.code}),
}
