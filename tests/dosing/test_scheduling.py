"""Scheduling a session from the chart: a signed plan first, the right staff, not in the past; the first
one moves the chart to "dosing"; the patient sees it on their home page with the preparation times of
their plan, in the clinic's time zone."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from intake.models import Patient
from kap_clinic.audit.models import AuditEvent
from sessions.models import DosingSession
from sessions.services import sessions as services
from tests.factories import StaffFactory

from .session_helpers import book, form_data, move, now, signed_plan, text

pytestmark = pytest.mark.django_db


def _schedule(world, patient=None, **changes):
    values = {
        "patient": patient or world.patient_a,
        "scheduled_at": now() + datetime.timedelta(days=1),
        "room": "Room 1",
        "prescriber": world.prescriber,
        "monitor": world.nurse,
        "by": world.nurse,
    }
    return services.session_schedule(**(values | changes))


def _local(when: datetime.datetime, zone: str) -> str:
    return f"{timezone.localtime(when, zoneinfo.ZoneInfo(zone)):%Y-%m-%dT%H:%M}"


# --- the service ----------------------------------------------------------------------------------


def test_a_session_needs_a_signed_plan(world):
    with pytest.raises(ValidationError, match="needs a signed treatment plan"):
        _schedule(world)
    assert not DosingSession.objects.exists()


def test_scheduling_numbers_the_course_and_moves_the_chart_to_dosing(world):
    plan = signed_plan(world.patient_a, world.prescriber)
    assert world.patient_a.stage == Patient.Stage.PLANNED

    first = _schedule(world)
    second = _schedule(world, scheduled_at=now() + datetime.timedelta(days=4))

    assert (first.number, second.number) == (1, 2)
    assert first.plan == plan and first.status == DosingSession.Status.SCHEDULED
    assert (first.prescriber, first.monitor, first.room, first.created_by) == (
        world.prescriber,
        world.nurse,
        "Room 1",
        world.nurse,
    )
    world.patient_a.refresh_from_db()
    assert world.patient_a.stage == Patient.Stage.DOSING
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="dosing.DosingSession", object_id=str(first.code)
    ).exists()


def test_the_prescriber_on_site_must_be_a_prescriber_of_the_clinic(world):
    signed_plan(world.patient_a, world.prescriber)
    with pytest.raises(ValidationError) as refused:
        _schedule(world, prescriber=world.nurse)
    assert "is not an active prescriber of" in str(refused.value.message_dict["prescriber"])
    with pytest.raises(ValidationError) as refused:
        _schedule(world, prescriber=world.other_clinician)
    assert "prescriber" in refused.value.message_dict


def test_the_monitor_must_be_a_nurse_or_prescriber_of_the_clinic(world):
    signed_plan(world.patient_a, world.prescriber)
    with pytest.raises(ValidationError) as refused:
        _schedule(world, monitor=world.therapist)
    assert "is not an active nurse or prescriber of" in str(refused.value.message_dict["monitor"])
    assert _schedule(world, monitor=world.prescriber).monitor == world.prescriber


def test_a_deactivated_nurse_cannot_monitor(world):
    signed_plan(world.patient_a, world.prescriber)
    gone = StaffFactory(clinic=world.clinic, clinician_kind="nurse", is_active=False)
    with pytest.raises(ValidationError) as refused:
        _schedule(world, monitor=gone)
    assert "monitor" in refused.value.message_dict


def test_not_in_the_past(world):
    signed_plan(world.patient_a, world.prescriber)
    with pytest.raises(ValidationError) as refused:
        _schedule(world, scheduled_at=now() - datetime.timedelta(hours=1))
    assert "has passed" in str(refused.value.message_dict["scheduled_at"])
    assert _schedule(world, scheduled_at=now() - datetime.timedelta(minutes=2)).number == 1  # a slow form


def test_one_session_a_day(world):
    signed_plan(world.patient_a, world.prescriber)
    first = _schedule(world)
    with pytest.raises(ValidationError, match="already has session 1"):
        _schedule(world, scheduled_at=first.scheduled_at + datetime.timedelta(minutes=30))
    services.session_cancel(session=first, reason="Unwell", by=world.nurse)
    assert _schedule(world, scheduled_at=first.scheduled_at).number == 2  # a cancelled one frees the day


def test_patients_and_admins_of_other_clinics_may_not_schedule(world):
    signed_plan(world.patient_a, world.prescriber)
    with pytest.raises(PermissionDenied):
        _schedule(world, by=world.patient_a.user)
    with pytest.raises(PermissionDenied):
        _schedule(world, by=world.other_admin)
    assert _schedule(world, by=world.admin).created_by == world.admin  # this clinic's admin books


# --- the page -------------------------------------------------------------------------------------


def test_schedule_page_without_a_plan_says_what_is_missing(world, login):
    page = login(world.nurse).get(reverse("dosing:session_schedule", args=[world.patient_a.code]))
    assert page.status_code == 200
    assert "needs a signed treatment plan" in text(page)
    assert 'name="scheduled_at"' not in page.content.decode()


def test_schedule_page_suggests_the_next_date_by_the_plans_spacing(world, login):
    first = book(world, at=now() + datetime.timedelta(hours=5))
    page = login(world.nurse).get(reverse("dosing:session_schedule", args=[world.patient_a.code]))
    suggested = first.scheduled_at + datetime.timedelta(days=3)  # the plan's spacing
    content = page.content.decode()
    assert f'value="{_local(suggested, world.clinic.time_zone)}"' in content
    assert 'value="Room 2"' in content


def test_schedule_page_books_and_lands_on_the_session(world, login):
    signed_plan(world.patient_a, world.prescriber)
    world.clinic.time_zone = "Asia/Tokyo"
    world.clinic.save()
    client = login(world.nurse)
    when = (timezone.localtime(timezone=zoneinfo.ZoneInfo("Asia/Tokyo")) + datetime.timedelta(days=2)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    response = client.post(
        reverse("dosing:session_schedule", args=[world.patient_a.code]),
        form_data(
            scheduled_at=when.strftime("%Y-%m-%dT%H:%M"),
            room="Chair 3",
            prescriber=str(world.prescriber.code),
            monitor=str(world.nurse.code),
        ),
    )
    session = DosingSession.objects.get()
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert session.scheduled_at == when  # read as the clinic's wall clock
    assert session.room == "Chair 3"


def test_schedule_page_keeps_what_was_typed_on_an_error(world, login):
    signed_plan(world.patient_a, world.prescriber)
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(world.nurse).post(
        reverse("dosing:session_schedule", args=[world.patient_a.code]),
        form_data(
            scheduled_at=past, room="Chair 9", prescriber=str(world.prescriber.code), monitor=str(world.nurse.code)
        ),
    )
    assert response.status_code == 200
    assert "has passed" in text(response)
    assert 'value="Chair 9"' in response.content.decode()
    assert not DosingSession.objects.exists()


def test_schedule_page_offers_only_the_clinics_prescribers_and_monitors(world, login):
    signed_plan(world.patient_a, world.prescriber)
    content = login(world.nurse).get(reverse("dosing:session_schedule", args=[world.patient_a.code])).content.decode()
    assert str(world.prescriber.code) in content and str(world.nurse.code) in content
    assert str(world.therapist.code) not in content and str(world.other_clinician.code) not in content


def test_schedule_page_of_another_clinics_patient_is_not_found(world, login):
    signed_plan(world.other_patient, world.other_clinician)
    response = login(world.nurse).get(reverse("dosing:session_schedule", args=[world.other_patient.code]))
    assert response.status_code == 404


def test_the_chart_lists_the_sessions_and_offers_scheduling(world, login):
    chart = reverse("intake:patient_chart", args=[world.patient_a.code])
    schedule = reverse("dosing:session_schedule", args=[world.patient_a.code])
    assert schedule not in login(world.nurse).get(chart).content.decode()  # no signed plan yet

    session = book(world)
    content = text(login(world.nurse).get(chart))
    assert "Dosing sessions" in content and schedule in content
    assert session.get_absolute_url() in content and "1 of 6" in content

    patient_view = login(world.patient_a.user).get(chart).content.decode()
    assert session.get_absolute_url() not in patient_view and schedule not in patient_view


# --- the patient's home ---------------------------------------------------------------------------


def test_patient_home_shows_the_next_session_with_prep_times_in_the_clinics_time_zone(world, login):
    world.clinic.time_zone = "Asia/Tokyo"
    world.clinic.save()
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    tomorrow = timezone.localdate(timezone=tokyo) + datetime.timedelta(days=1)
    at = datetime.datetime.combine(tomorrow, datetime.time(13, 0), tzinfo=tokyo)
    book(world, at=at)  # plan: no food 4 h, no fluids 2 h before; lorazepam held; escort required

    page = text(login(world.patient_a.user).get(reverse("intake:patient_home")))

    assert "Your next session" in page
    assert f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B %Y}, 13:00" in page
    assert "No food after 09:00." in page
    assert "No drinks, not even water, after 11:00." in page
    assert "Lorazepam: skip the morning dose" in page
    assert "Arrange a ride home" in page
    assert "Don't drive until the next day" in page


def test_fasting_that_starts_the_evening_before_names_the_day(world, login):
    tz = zoneinfo.ZoneInfo(world.clinic.time_zone)
    tomorrow = timezone.localdate(timezone=tz) + datetime.timedelta(days=1)
    at = datetime.datetime.combine(tomorrow, datetime.time(8, 0), tzinfo=tz)
    book(world, at=at, fasting_food_hours=10)

    page = text(login(world.patient_a.user).get(reverse("intake:patient_home")))
    evening = at - datetime.timedelta(hours=10)
    assert f"No food after 22:00 on {evening:%A}." in page


def test_patient_home_without_a_booked_session_shows_none(world, login):
    session = book(world, at=now() + datetime.timedelta(hours=1))
    services.session_cancel(session=session, reason="Unwell", by=world.nurse)
    page = text(login(world.patient_a.user).get(reverse("intake:patient_home")))
    assert "Your next session" not in page


def test_patient_home_does_not_show_another_patients_session(world, login):
    book(world, world.patient_b)
    page = text(login(world.patient_a.user).get(reverse("intake:patient_home")))
    assert "Your next session" not in page


def test_a_checked_in_session_is_no_longer_next(world, login):
    session = book(world, at=now())
    move(session, DosingSession.Status.CHECKED_IN, world.nurse)
    page = text(login(world.patient_a.user).get(reverse("intake:patient_home")))
    assert "Your next session" not in page
