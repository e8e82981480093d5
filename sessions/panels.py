"""What dosing shows on intake's pages (the chart and the patient's home), registered in `apps.py`."""

from kap_clinic.access import Action, can

from . import selectors


def chart_sessions(request, patient) -> dict | None:
    """The chart's "Dosing sessions" card: the course's sessions, and whether this user may book one."""
    if request.user.is_patient:
        return None
    has_plan = patient.treatment_plans.filter(signed_at__isnull=False).exists()
    return {
        "dosing_sessions": list(selectors.patient_sessions(patient)),
        "has_signed_plan": has_plan,
        "may_schedule": has_plan and can(request.user, Action.SCHEDULE_SESSION, patient=patient),
    }


def next_session(request, patient) -> dict:
    """The patient's next booked session with its preparation times (the card says when none is booked)."""
    return {"next_session": selectors.patient_next_session_prep(patient)}
