"""Panels this part adds to intake's chart and the patient's home: (page, Panel) pairs.

The chart's "Integration sessions" card (the care team: the sessions, the dose still waiting for one,
the course outcome) and the patient's "Your next integration session" (when one is booked). Each runs a
fixed, small number of queries.
"""

from kap_clinic import panels
from kap_clinic.access import Action, can
from sessions import clinic_time

from .. import note_fields
from ..models import CourseOutcome
from ..services import sessions as services


def chart_sessions(request, patient) -> dict | None:
    """The chart's card: integration sessions latest first, the latest dose still waiting for one (with
    its due date), the course outcome, and what this user may do (book, record the outcome)."""
    if request.user.is_patient:
        return None
    waiting = services.dose_without_integration(patient)
    due = {}
    if waiting is not None:
        due_by = note_fields.integration_due_by(patient.clinic, waiting.dosed_at)
        due = {"due_by": due_by, "overdue": due_by < clinic_time.clinic_today(patient.clinic)}
    return {
        "integration_sessions": list(services.patient_integration_sessions(patient)),
        "waiting_dose": waiting,
        "waiting_due": due,
        "course_outcome": CourseOutcome.objects.filter(patient=patient).select_related("recorded_by").first(),
        "may_schedule_integration": can(request.user, Action.SCHEDULE_INTEGRATION, patient=patient),
        "may_record_outcome": can(request.user, Action.RECORD_OUTCOME, patient=patient),
    }


def next_integration(request, patient) -> dict | None:
    """The patient's own next integration session, when one is booked."""
    if not request.user.is_patient:
        return None
    session = services.patient_next_integration(patient)
    if session is None:
        return None
    return {"next_integration": session, "time_zone": patient.clinic.time_zone}


PANELS = [
    (panels.CHART, panels.Panel("integration/_chart_sessions.html", chart_sessions, 60)),
    (panels.PATIENT_HOME, panels.Panel("integration/_patient_next_integration.html", next_integration, 20)),
]
