"""Helpers for the follow-up measure tests: a signed plan and dosing sessions written with the ORM (the intake and
dosing pages are tested elsewhere), measure responses with a given total, due rows, and answers to post."""

import datetime
import html
import uuid

from intake.models import MeasureResponse, Patient
from integration.models import MeasureDue
from kap_clinic.instruments import INSTRUMENTS
from sessions import clinic_time
from sessions.models import DosingSession
from tests import course

DEFAULT_SCHEDULE = ["pre_dose", "end_of_induction", "month_1", "month_3", "month_6"]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def today(patient) -> datetime.date:
    return clinic_time.clinic_today(patient.clinic)


def at_noon(patient, day: datetime.date) -> datetime.datetime:
    """Noon on `day` in the patient's clinic's time zone (an aware datetime)."""
    zone = clinic_time.clinic_zone(patient.clinic)
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=zone)


def signed_plan(patient: Patient, by, *, sessions=6, spacing=3, schedule=None, stage=Patient.Stage.DOSING):
    """A submitted intake, a signed eligible assessment and a signed SL plan; the chart moves to `stage`."""
    return course.treatment_plan(
        patient,
        by=by,
        stage=stage,
        **course.SL_PLAN,
        induction_sessions=sessions,
        spacing_days=spacing,
        measure_schedule=list(DEFAULT_SCHEDULE if schedule is None else schedule),
    )


def dosing_session(patient, plan, by, *, number: int, day: datetime.date, held: bool = True, status=None):
    """Session `number` on `day` (noon, clinic time): discharged (dosed that day) when `held`, else booked."""
    when = at_noon(patient, day)
    status = status or (DosingSession.Status.DISCHARGED if held else DosingSession.Status.SCHEDULED)
    discharged = status == DosingSession.Status.DISCHARGED
    return course.dosing_session(
        plan,
        prescriber=by,
        status=status,
        number=number,
        scheduled_at=when,
        dosed_at=when if discharged else None,
        discharged_at=when + datetime.timedelta(hours=2) if discharged else None,
    )


def measure(patient, instrument: str, total: int, *, context=MeasureResponse.Context.BASELINE, when=None, by=None):
    """A stored response with `total` (ORM: answers summing to it)."""
    return course.measure_response(
        patient,
        instrument,
        answers=answers(instrument, total, as_int=True),
        total=total,
        context=context,
        at=when,
        by=by,
    )


def due(patient, instrument="phq9", time_point="month_1", *, due_on=None, **values) -> MeasureDue:
    return MeasureDue.objects.create(
        patient=patient, instrument=instrument, time_point=time_point, due_on=due_on or today(patient), **values
    )


def answers(instrument: str, total: int = 0, *, as_int: bool = False, item9: int = 0) -> dict:
    """Answers to every item of `instrument` adding up to `total` (PHQ-9 item 9 stays at `item9`)."""
    definition = INSTRUMENTS[instrument]
    top = max(value for value, _label in definition.options)
    values = {}
    remaining = total - item9 if instrument == "phq9" else total
    for item in definition.items:
        if instrument == "phq9" and item.key == "q9":
            values[item.key] = item9
            continue
        values[item.key] = min(top, max(remaining, 0))
        remaining -= values[item.key]
    assert remaining <= 0, f"{total} is more than {instrument} allows"
    return values if as_int else {key: str(value) for key, value in values.items()}


def cssrs_no() -> dict:
    return {"q1": "0", "q2": "0", "q6": "0"}


def post_data(values: dict, *, token: str | None = None) -> dict:
    return {"submission": token or str(uuid.uuid4()), **values}


def text(response) -> str:
    return html.unescape(response.content.decode())
