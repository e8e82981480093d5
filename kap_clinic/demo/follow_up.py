"""A demo patient a few months into follow-up at Harbor Light, with a real trajectory: intake five months
ago, six weekly IM sessions each followed by a signed integration note, reflections and self-care
check-ins, follow-up measures improving from baseline (end of induction, 1 month; the 3-month set is
now overdue), and a maintenance outcome. Built
through the real services with the clock set back (`demo.dosing.clock`)."""

import datetime
from decimal import Decimal

from intake.models import Patient
from integration.models import MeasureDue
from integration.schedule import measures_due_refresh
from integration.services.journal import reflection_write, self_care_check_in, self_care_goal_add, week_start
from integration.services.measures import measure_due_complete
from integration.services.sessions import (
    course_outcome_record,
    integration_note_save,
    integration_note_sign,
    integration_schedule,
)
from kap_clinic.demo.dosing import clock, run_session, staff
from kap_clinic.demo.intake import scores, seed_intake
from sessions import clinic_time

FIRST_DOSE_DAYS_AGO = 128  # the 3-month measures (91 days after the end of induction) are 2 days overdue
DOSES = 6
# the follow-up answers, per time point: every item at this value (PCL-5 0–4, the others 0–3) and the
# extra points that make the totals a realistic trajectory
TRAJECTORY = {
    # item 9 (thoughts of death or self-harm) stays at 0 throughout
    "end_of_induction": {
        "phq9": (1, {"q1": 0, "q3": 2, "q9": 0}),
        "gad7": (1, {}),
        "pcl5": (1, {"q1": 2, "q4": 2, "q17": 2}),
    },
    "month_1": {"phq9": (1, {"q1": 0, "q2": 0, "q9": 0}), "gad7": (1, {"q1": 0, "q7": 0}), "pcl5": (1, {})},
}
ITEMS = {"phq9": 9, "gad7": 7, "pcl5": 20}
NOTE = {
    "experience": "Described floating above a quiet lake; revisited the crash from a distance without panic.",
    "insights": "‘I survived it; it is over.’ Noticed how much of the day is spent bracing.",
    "intentions_addressed": "partly",
    "intentions_note": "Could look at the memory; less able to stay with the grief.",
    "challenging_material": "A wave of guilt about the other driver, held and talked through.",
    "changes_since_dosing": "Slept through two nights; drove past the junction once with mild anxiety.",
    "action_plan": "Ten minutes of breathing practice each morning; one short walk with the dog each day.",
    "safety_check": "No thoughts of death or self-harm since the last visit (risk screen: no risk).",
    "after_effects": ["none"],
    "after_effects_details": "",
    "dose_intensity": "about_right",
    "plan": "Continue the induction at the same dose; integration the day after the next session.",
}


def answers(instrument: str, time_point: str) -> dict:
    if instrument == "cssrs":
        return {"q1": 0, "q2": 0, "q6": 0}
    value, extra = TRAJECTORY[time_point][instrument]
    return {key: int(v) for key, v in scores(ITEMS[instrument], value, **extra).items()}


def seed_follow_up(patient: Patient) -> None:
    """Once: skipped when the patient has started their intake."""
    if hasattr(patient, "questionnaire"):
        return
    clinic, slug = patient.clinic, "harbor"
    prescriber, therapist = staff(slug, "prescriber"), staff(slug, "therapist")
    zone = clinic_time.clinic_zone(clinic)
    today = clinic_time.clinic_today(clinic)

    def at(days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
        day = today - datetime.timedelta(days=days_ago)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)

    with clock(at(FIRST_DOSE_DAYS_AGO + 20, 19)):
        seed_intake(patient, "planned", "patient8", prescriber=prescriber)
    goals = []
    for number in range(DOSES):
        days_ago = FIRST_DOSE_DAYS_AGO - 7 * number
        dose = run_session(patient, at(days_ago, 10), dose_mg=Decimal(39), until="signed")
        if number in (0, 3):
            with clock(at(days_ago, 18)):
                reflection_write(
                    patient=patient,
                    kind="reflection",
                    body="Heavy at first, then a stillness I had forgotten. I want to keep some of that quiet.",
                    dosing_session=dose,
                    by=patient.user,
                )
        with clock(at(days_ago, 15)):
            integration = integration_schedule(
                patient=patient,
                scheduled_at=at(days_ago - 1, 11),
                therapist=therapist,
                dosing_session=dose,
                by=therapist,
            )
        with clock(at(days_ago - 1, 12)):
            integration_note_save(session=integration, fields=NOTE, by=therapist)
            integration_note_sign(session=integration, by=therapist)
            if number == 0:
                goals = [
                    self_care_goal_add(
                        patient=patient,
                        category="mindfulness",
                        description="Ten minutes of breathing practice each morning",
                        by=therapist,
                    ),
                    self_care_goal_add(
                        patient=patient,
                        category="movement",
                        description="A short walk with the dog every day",
                        by=therapist,
                    ),
                ]
        with clock(at(days_ago - 5, 20)):  # the weekend after: the week's check-in
            for goal, rating in zip(goals, (min(3, 1 + number // 2), min(3, 2 + number // 3)), strict=True):
                self_care_check_in(
                    goal=goal,
                    week_of=week_start(today - datetime.timedelta(days=days_ago - 5)),
                    rating=rating,
                    by=patient.user,
                )
    end_of_induction = FIRST_DOSE_DAYS_AGO - 7 * (DOSES - 1)
    with clock(at(end_of_induction - 1, 16)):
        course_outcome_record(
            patient=patient,
            outcome="maintenance",
            ended_on=(today - datetime.timedelta(days=end_of_induction - 1)),
            maintenance_plan="IM 0.5 mg/kg booster about every 4–6 weeks if symptoms return; integration after each.",
            summary="Six IM sessions at 0.5 mg/kg, well tolerated; clear improvement by the end of induction.",
            by=prescriber,
        )
    patient.refresh_from_db()  # the services moved the chart's stage on
    for time_point, days_after in (("end_of_induction", 0), ("month_1", 30)):
        with clock(at(end_of_induction - days_after, 9)):
            measures_due_refresh(patient)
            for due in MeasureDue.objects.filter(patient=patient, time_point=time_point, completed_by__isnull=True):
                measure_due_complete(due=due, answers=answers(due.instrument, time_point), by=patient.user)
    measures_due_refresh(patient)  # today: the 3-month set is overdue, the 6-month set in the future
