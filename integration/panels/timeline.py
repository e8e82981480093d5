"""Panels this part adds to intake's chart and the patient's home: (page, Panel) pairs.

The chart (the care team, as for "Progress against baseline"): "Course timeline", every step newest first,
and "Trends", the PHQ-9, GAD-7 and PCL-5 charts with their tables. The patient's home: "Your scores over
time", a simple chart of their own measures beside "Your progress". Each runs a fixed few queries.
"""

from kap_clinic import panels
from kap_clinic.access import Action, can

from ..charts import trend_data
from ..timeline import course_timeline


def chart_timeline(request, patient) -> dict | None:
    """The course from intake to follow-up, newest first (ten queries)."""
    if not can(request.user, Action.REVIEW_INTAKE, patient=patient):
        return None
    return {"timeline": course_timeline(patient)}


def chart_trends(request, patient) -> dict | None:
    """A chart per measure with a baseline, the doses marked (two queries); nothing before a baseline."""
    if not can(request.user, Action.REVIEW_INTAKE, patient=patient):
        return None
    trends = trend_data(patient)
    if not trends:
        return None
    return {"trends": trends}


def patient_trends(request, patient) -> dict | None:
    """The patient's own scores over time, in their words (two queries); nothing before a baseline."""
    if not request.user.is_patient:
        return None
    trends = trend_data(patient, for_patient=True)
    if not trends:
        return None
    return {"trends": trends}


PANELS = [
    (panels.CHART, panels.Panel("integration/_chart_trends.html", chart_trends, 60)),
    (panels.CHART, panels.Panel("integration/_chart_timeline.html", chart_timeline, 90)),
    (panels.PATIENT_HOME, panels.Panel("integration/_patient_trends.html", patient_trends, 61)),
]
