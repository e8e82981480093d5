"""Booking integration sessions: after a dose of this patient, with a therapist or prescriber of the clinic,
not in the past; a time later than the clinic's cadence is allowed once the page's warning is confirmed.
Cancelling with a reason; the chart's card and the patient's home card; outsiders told nothing exists."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from integration.models import IntegrationSession
from integration.services import sessions as services
from kap_clinic.accounts.models import Membership, User
from kap_clinic.audit.models import AuditEvent
from sessions import clinic_time
from sessions.models import DosingSession
from tests.dosing.observation_helpers import make_session
from tests.factories import StaffFactory

from .sessions_helpers import book, dose, form_data, held, local_field, text

pytestmark = pytest.mark.django_db
Status = IntegrationSession.Status


def in_hours(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=n)


# --- the service's rules --------------------------------------------------------------------------


def test_an_integration_session_is_booked_after_a_dose_with_the_clinic_therapist(world):
    given = dose(world)

    session = book(world, after=given, at=in_hours(20))

    assert session.status == Status.SCHEDULED
    assert session.dosing_session == given and session.therapist == world.therapist
    assert session.created_by == world.nurse
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="integration.IntegrationSession")
    assert event.patient_code == world.patient_a.code and "dosing session" in event.detail


def test_a_prescriber_may_hold_an_integration_session(world):
    session = book(world, after=dose(world), therapist=world.prescriber)
    assert session.therapist == world.prescriber


@pytest.mark.parametrize("who", ["nurse", "admin", "other_clinician"])
def test_only_a_therapist_or_prescriber_of_the_clinic_holds_one(world, who):
    with pytest.raises(ValidationError) as refused:
        book(world, after=dose(world), therapist=getattr(world, who))
    assert "not an active therapist or prescriber" in refused.value.message_dict["therapist"][0]
    assert not IntegrationSession.objects.exists()


def test_a_therapist_who_left_the_clinic_is_refused(world):
    Membership.objects.filter(user=world.therapist, clinic=world.clinic).update(is_active=False)
    with pytest.raises(ValidationError, match="not an active therapist"):
        book(world, after=dose(world))


def test_the_session_comes_after_the_dose(world):
    given = dose(world, minutes_ago=1)
    with pytest.raises(ValidationError) as refused:
        book(world, after=given, at=timezone.now() - datetime.timedelta(minutes=3))
    assert "comes after the dose" in refused.value.message_dict["scheduled_at"][0]


def test_a_time_in_the_past_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        book(world, after=dose(world, days_ago=2), at=timezone.now() - datetime.timedelta(hours=1))
    assert "has passed" in refused.value.message_dict["scheduled_at"][0]


def test_a_time_a_few_minutes_ago_still_counts_as_now(world):
    given = dose(world, minutes_ago=60)
    session = book(world, after=given, at=timezone.now() - datetime.timedelta(minutes=2))
    assert session.pk


def test_another_patients_dose_is_refused(world):
    theirs = dose(world, world.patient_b)
    with pytest.raises(ValidationError) as refused:
        book(world, world.patient_a, after=theirs)
    assert "dosing_session" in refused.value.message_dict


def test_a_session_without_a_dose_given_is_refused(world):
    booked = make_session(world, status=DosingSession.Status.SCHEDULED)
    with pytest.raises(ValidationError, match="No dose was given"):
        book(world, after=booked)


def test_a_session_need_not_follow_a_dose(world):
    session = book(world, world.patient_a)
    assert session.dosing_session is None


def test_a_time_later_than_the_cadence_is_allowed_and_audited_as_such(world):
    given = dose(world)  # the clinic's cadence: within 2 days
    session = book(world, after=given, at=in_hours(24 * 5))
    assert session.pk
    assert "later than the cadence" in AuditEvent.objects.get(object_type="integration.IntegrationSession").detail


def test_people_outside_the_care_team_may_not_book(world):
    with pytest.raises(PermissionDenied):
        book(world, after=dose(world), by=world.other_clinician)
    with pytest.raises(PermissionDenied):
        book(world, after=dose(world), by=world.patient_a.user)


def test_an_admin_may_book(world):
    assert book(world, after=dose(world), by=world.admin).pk


# --- the booking page -----------------------------------------------------------------------------


def test_the_page_suggests_the_latest_dose_without_a_session_and_a_time(world, login):
    first = dose(world, days_ago=3)
    book(world, after=first)
    latest = dose(world, minutes_ago=90)
    client = login(world.therapist)

    response = client.get(reverse("integration:session_schedule", args=[world.patient_a.code]))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["dosing_session"] == latest.code
    assert form.initial["therapist"] == world.therapist.code
    assert form.initial["scheduled_at"] > timezone.localtime(latest.dosed_at).replace(tzinfo=None)
    page = text(response)
    assert "is due by" in page and "integration booked" in page


def test_the_worklist_link_names_the_dose(world, login):
    older = dose(world, days_ago=1)
    dose(world, minutes_ago=30)
    client = login(world.nurse)
    url = reverse("integration:session_schedule", args=[world.patient_a.code])

    response = client.get(f"{url}?dose={older.code}")

    assert response.context["form"].initial["dosing_session"] == older.code
    assert client.get(f"{url}?dose=not-a-code").status_code == 200


def test_booking_from_the_page(world, login):
    given = dose(world)
    client = login(world.nurse)
    url = reverse("integration:session_schedule", args=[world.patient_a.code])
    when = in_hours(22)

    response = client.post(
        url,
        form_data(
            dosing_session=str(given.code), scheduled_at=local_field(world, when), therapist=str(world.therapist.code)
        ),
    )

    session = IntegrationSession.objects.get()
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert session.dosing_session == given and session.scheduled_at.replace(second=0) == when.replace(
        second=0, microsecond=0
    )


def test_the_page_warns_before_booking_later_than_the_cadence(world, login):
    given = dose(world)
    client = login(world.nurse)
    url = reverse("integration:session_schedule", args=[world.patient_a.code])
    late = local_field(world, in_hours(24 * 6))
    data = form_data(dosing_session=str(given.code), scheduled_at=late, therapist=str(world.therapist.code))

    warned = client.post(url, data)

    assert warned.status_code == 200 and not IntegrationSession.objects.exists()
    page = text(warned)
    assert "later than the clinic's cadence" in page and "is due by" in page
    assert late in page  # what was typed is kept

    confirmed = client.post(url, data | {"confirm_late": "on"})

    assert confirmed.status_code == 302
    assert IntegrationSession.objects.count() == 1


def test_an_error_keeps_what_was_typed(world, login):
    given = dose(world)
    client = login(world.nurse)
    typed = local_field(world, in_hours(10))
    response = client.post(
        reverse("integration:session_schedule", args=[world.patient_a.code]),
        form_data(dosing_session=str(given.code), scheduled_at=typed, therapist=str(world.nurse.code)),
    )
    assert response.status_code == 200
    assert typed in text(response) and "Select a valid choice" in text(response)
    assert not IntegrationSession.objects.exists()


def test_the_same_form_sent_twice_books_once(world, login):
    given = dose(world)
    client = login(world.nurse)
    url = reverse("integration:session_schedule", args=[world.patient_a.code])
    data = form_data(
        dosing_session=str(given.code),
        scheduled_at=local_field(world, in_hours(5)),
        therapist=str(world.therapist.code),
    )

    client.post(url, data)
    again = client.post(url, data)

    assert IntegrationSession.objects.count() == 1
    assert again["Location"] == IntegrationSession.objects.get().get_absolute_url()


# --- cancelling -----------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_keeps_it(world, login):
    session = book(world, after=dose(world))
    client = login(world.admin)
    url = reverse("integration:session_cancel", args=[session.code])

    assert client.get(url).status_code == 200
    missing = client.post(url, form_data(reason=""))
    assert missing.status_code == 200 and "Give a reason." in text(missing)

    client.post(url, form_data(reason="Patient unwell"))

    session.refresh_from_db()
    assert session.status == Status.CANCELLED and session.cancel_reason == "Patient unwell"


def test_a_signed_or_cancelled_session_cannot_be_cancelled(world):
    session = book(world, after=dose(world))
    services.integration_cancel(session=session, reason="Moved", by=world.nurse)
    with pytest.raises(ValidationError, match="Only a booked session"):
        services.integration_cancel(session=session, reason="Again", by=world.nurse)


# --- the session page, the chart's card and the patient's home ---------------------------------------


def test_the_session_page_shows_when_with_whom_and_after_which_dose(world, login):
    given = dose(world)
    session = book(world, after=given)
    response = login(world.nurse).get(session.get_absolute_url())
    page = text(response)
    assert response.status_code == 200
    assert world.therapist.full_name in page and f"Session {given.number}" in page
    assert "Not written yet" in page
    assert reverse("integration:session_note", args=[session.code]) not in page  # a nurse doesn't write it


def test_the_chart_card_lists_the_sessions_and_offers_booking(world, login):
    given = dose(world, days_ago=4)
    session = book(world, after=dose(world))
    page = text(login(world.nurse).get(reverse("intake:patient_chart", args=[world.patient_a.code])))

    assert "Integration sessions" in page and session.get_absolute_url() in page
    assert reverse("integration:session_schedule", args=[world.patient_a.code]) in page
    assert f"Session {given.number}'s integration session was due by" in page
    assert "Record the course outcome" not in page  # prescribers only


def test_the_chart_card_offers_the_course_outcome_to_prescribers(world, login):
    page = text(login(world.prescriber).get(reverse("intake:patient_chart", args=[world.patient_a.code])))
    assert reverse("integration:course_outcome", args=[world.patient_a.code]) in page


def test_the_patient_sees_their_next_integration_session_at_home(world, login):
    session = book(world, after=dose(world), at=in_hours(30))
    client = login(world.patient_a.user)

    page = text(client.get(reverse("intake:patient_home")))

    assert "Your next integration session" in page and world.therapist.full_name in page
    assert f"{timezone.localtime(session.scheduled_at, clinic_time.clinic_zone(world.clinic)):%H:%M}" in page


def test_the_patient_home_card_is_absent_without_a_booking(world, login):
    held(world)
    page = text(login(world.patient_a.user).get(reverse("intake:patient_home")))
    assert "Your next integration session" not in page


def test_patient_b_does_not_see_patient_as_session(world, login):
    book(world, after=dose(world))
    page = text(login(world.patient_b.user).get(reverse("intake:patient_home")))
    assert "Your next integration session" not in page


# --- outsiders ------------------------------------------------------------------------------------


def test_outsiders_are_told_the_session_does_not_exist(world, login):
    session = book(world, after=dose(world))
    for user in (world.other_clinician, world.other_admin, world.patient_a.user, world.patient_b.user):
        client = login(user)
        assert client.get(session.get_absolute_url()).status_code == 404
        assert client.get(reverse("integration:session_cancel", args=[session.code])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, detail__contains=str(session.code)).exists()


def test_another_clinics_clinician_cannot_book_for_this_patient(world, login):
    dose(world)
    client = login(world.other_clinician)
    url = reverse("integration:session_schedule", args=[world.patient_a.code])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404


def test_a_therapist_of_two_clinics_is_offered_only_this_clinics_colleagues(world, login):
    StaffFactory(clinic=world.other_clinic, clinician_kind=User.ClinicianKind.THERAPIST, full_name="Other Therapist")
    response = login(world.nurse).get(reverse("integration:session_schedule", args=[world.patient_a.code]))
    names = [user.full_name for user in response.context["form"].fields["therapist"].queryset]
    assert "Other Therapist" not in names
    assert sorted(names) == sorted([world.therapist.full_name, world.prescriber.full_name])
