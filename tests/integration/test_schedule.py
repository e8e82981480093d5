"""The follow-up schedule generated from the signed plan and the sessions (domain.md §7.2)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import MeasureResponse, Patient
from integration.models import MeasureDue
from integration.schedule import measures_due_refresh
from kap_clinic.audit.models import AuditEvent
from sessions.models import DosingSession

from .measures_helpers import days, dosing_session, measure, signed_plan, today

pytestmark = pytest.mark.django_db


def rows(patient) -> dict[tuple[str, str], object]:
    return {(r.instrument, r.time_point): r.due_on for r in MeasureDue.objects.filter(patient=patient)}


def test_a_booked_first_session_projects_end_of_induction_and_the_months_after_it(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=6, spacing=3)
    first = today(patient) + days(2)
    dosing_session(patient, plan, world.prescriber, number=1, day=first, held=False)

    measures_due_refresh(patient)

    end = first + days(5 * 3)  # first + (N − 1) × spacing
    assert rows(patient) == {
        **{(i, "end_of_induction"): end for i in ("phq9", "gad7", "pcl5", "cssrs")},
        **{(i, "month_1"): end + days(30) for i in ("phq9", "gad7", "pcl5")},
        **{(i, "month_3"): end + days(91) for i in ("phq9", "gad7", "pcl5")},
        **{(i, "month_6"): end + days(182) for i in ("phq9", "gad7", "pcl5")},
    }
    assert not MeasureDue.objects.filter(time_point="pre_dose").exists()  # the pre-dose check's job


def test_end_of_induction_is_the_day_of_the_nth_discharged_session_once_it_has_happened(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=3, spacing=7)
    start = today(patient) - days(20)
    for number, offset in ((1, 0), (2, 5), (3, 9)):  # held sooner than the plan's spacing
        dosing_session(patient, plan, world.prescriber, number=number, day=start + days(offset))

    measures_due_refresh(patient)

    assert rows(patient)[("phq9", "end_of_induction")] == start + days(9)
    assert rows(patient)[("phq9", "month_1")] == start + days(9 + 30)


def test_a_delayed_course_pushes_the_projection_later_and_cancelled_sessions_do_not_count(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=4, spacing=3)
    start = today(patient) - days(30)
    dosing_session(patient, plan, world.prescriber, number=1, day=start)
    dosing_session(
        patient, plan, world.prescriber, number=2, day=start + days(3), status=DosingSession.Status.CANCELLED
    )
    dosing_session(patient, plan, world.prescriber, number=3, day=start + days(20))

    measures_due_refresh(patient)

    # two held: the second (day 20) plus two more sessions 3 days apart, not day 0 + 3 × 3
    assert rows(patient)[("phq9", "end_of_induction")] == start + days(26)


def test_day_after_each_dose_asks_for_a_phq9_once_the_dose_has_happened(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, schedule=["day_after", "end_of_induction"])
    start = today(patient) - days(4)
    dosing_session(patient, plan, world.prescriber, number=1, day=start)
    dosing_session(patient, plan, world.prescriber, number=2, day=start + days(3))
    dosing_session(patient, plan, world.prescriber, number=3, day=start + days(6), held=False)

    measures_due_refresh(patient)

    day_after = {k: v for k, v in rows(patient).items() if k[1].startswith("day_after")}
    assert day_after == {("phq9", "day_after_1"): start + days(1), ("phq9", "day_after_2"): start + days(4)}
    assert not MeasureDue.objects.filter(time_point__startswith="month").exists()


def test_refresh_is_idempotent_and_cheap_when_nothing_moved(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber)
    dosing_session(patient, plan, world.prescriber, number=1, day=today(patient))
    measures_due_refresh(patient)
    before = list(MeasureDue.objects.filter(patient=patient).values_list("pk", "due_on"))
    events = AuditEvent.objects.count()

    with CaptureQueriesContext(connection) as captured:
        again = measures_due_refresh(patient)

    assert list(MeasureDue.objects.filter(patient=patient).values_list("pk", "due_on")) == before
    assert len(again) == 13
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded
    assert len([q for q in captured.captured_queries if q["sql"].startswith("SELECT")]) == 3


def test_moved_dates_update_open_rows_and_never_completed_ones(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=2, spacing=7)
    first = today(patient) - days(3)
    dosing_session(patient, plan, world.prescriber, number=1, day=first)
    measures_due_refresh(patient)
    done = MeasureDue.objects.get(patient=patient, instrument="gad7", time_point="end_of_induction")
    response = measure(patient, "gad7", 6, context=MeasureResponse.Context.END_OF_INDUCTION)
    MeasureDue.objects.filter(pk=done.pk).update(completed_by=response)

    dosing_session(patient, plan, world.prescriber, number=2, day=first + days(12), held=False)  # booked later
    measures_due_refresh(patient)

    assert rows(patient)[("phq9", "end_of_induction")] == first + days(12)
    assert rows(patient)[("phq9", "month_1")] == first + days(42)
    assert rows(patient)[("gad7", "end_of_induction")] == first + days(7)  # completed: untouched


def test_a_reminder_sent_too_early_is_sent_again_when_the_date_moves_into_the_future(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=2, spacing=1)
    dosing_session(patient, plan, world.prescriber, number=1, day=today(patient) - days(5))
    measures_due_refresh(patient)
    MeasureDue.objects.filter(patient=patient, time_point="end_of_induction").update(reminded_at=timezone.now())

    dosing_session(patient, plan, world.prescriber, number=2, day=today(patient) + days(2), held=False)
    measures_due_refresh(patient)

    item = MeasureDue.objects.get(patient=patient, instrument="phq9", time_point="end_of_induction")
    assert item.due_on == today(patient) + days(2)
    assert item.reminded_at is None


def test_a_new_plan_without_a_time_point_removes_its_open_rows_but_keeps_completed_ones(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber)
    dosing_session(patient, plan, world.prescriber, number=1, day=today(patient))
    measures_due_refresh(patient)
    kept = MeasureDue.objects.get(patient=patient, instrument="phq9", time_point="month_6")
    MeasureDue.objects.filter(pk=kept.pk).update(completed_by=measure(patient, "phq9", 4, context="follow_up"))

    signed_plan(patient, world.prescriber, schedule=["end_of_induction", "month_1", "month_3"])
    measures_due_refresh(patient)

    assert set(MeasureDue.objects.filter(time_point="month_6").values_list("pk", flat=True)) == {kept.pk}
    assert MeasureDue.objects.filter(patient=patient, time_point="month_3").count() == 3


def test_no_rows_before_a_session_is_booked_and_none_added_once_the_course_has_ended(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber)
    assert measures_due_refresh(patient) == []

    Patient.objects.filter(pk=patient.pk).update(stage=Patient.Stage.DISCHARGED)
    patient.refresh_from_db()
    dosing_session(patient, plan, world.prescriber, number=1, day=today(patient))
    assert measures_due_refresh(patient) == []


def test_the_database_refuses_a_second_row_for_the_same_instrument_and_time_point(world):
    patient = world.patient_a
    MeasureDue.objects.create(patient=patient, instrument="phq9", time_point="month_1", due_on=today(patient))

    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureDue.objects.create(patient=patient, instrument="phq9", time_point="month_1", due_on=today(patient))
