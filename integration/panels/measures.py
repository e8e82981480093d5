"""Panels this part adds to intake's chart and the patient's home: (page, Panel) pairs.

Patient's home: "Questionnaires due" (due now or within a week, with the link) and "Your progress" in plain
language. Chart (care team): "Progress against baseline" and "Measures due". The due cards bring the
follow-up schedule up to date first (`measures_due_refresh`: three queries when nothing moved)."""

from django.urls import reverse

from kap_clinic import panels
from kap_clinic.access import Action, can
from sessions import clinic_time

from .. import schedule
from ..progress import progress_for


def patient_measures(request, patient) -> dict | None:
    """The patient's "Questionnaires due": each time point with something open due within a week."""
    if not request.user.is_patient or patient.stage not in schedule.ACTIVE_STAGES:
        return None
    rows = schedule.measures_due_refresh(patient)
    today = clinic_time.clinic_today(patient.clinic)
    return {"due_groups": schedule.grouped(schedule.due_soon(rows, today)), "today": today}


def patient_progress(request, patient) -> dict | None:
    """The patient's "Your progress": the latest of each measure against baseline, in plain words."""
    if not request.user.is_patient:
        return None
    progress = progress_for(patient)
    if not progress:
        return None
    return {"progress": progress, "progress_url": reverse("integration:progress", args=[patient.code])}


def chart_progress(request, patient) -> dict | None:
    """The chart's "Progress against baseline": the latest status of each measure, for the care team."""
    if not can(request.user, Action.REVIEW_INTAKE, patient=patient):
        return None
    progress = progress_for(patient)
    if not progress:
        return None
    return {"progress": progress, "progress_url": reverse("integration:progress", args=[patient.code])}


def chart_measures_due(request, patient) -> dict | None:
    """The chart's "Measures due": the follow-up schedule by time point, what is done, due and overdue."""
    if not can(request.user, Action.REVIEW_INTAKE, patient=patient):
        return None
    rows = schedule.measures_due_refresh(patient)
    if not rows and patient.stage not in schedule.ACTIVE_STAGES:
        return None
    for row in rows:
        row.instrument_name = schedule.instrument_name(row.instrument)
    return {
        "schedule_groups": schedule.grouped(rows),
        "today": clinic_time.clinic_today(patient.clinic),
        "course_active": patient.stage in schedule.ACTIVE_STAGES,
    }


PANELS = [
    (panels.PATIENT_HOME, panels.Panel("integration/_patient_measures.html", patient_measures, 5)),
    (panels.PATIENT_HOME, panels.Panel("integration/_patient_progress.html", patient_progress, 60)),
    (panels.CHART, panels.Panel("integration/_chart_progress.html", chart_progress, 60)),
    (panels.CHART, panels.Panel("integration/measures/_chart_due.html", chart_measures_due, 61)),
]
