"""The session pages read in a fixed number of queries; the session list (today in the clinic's time zone,
upcoming, recent, filters, empty states); the clinician home's session worklists; the dosing landing page."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kap_clinic.access import Action, clinics_where
from kap_clinic.audit.models import AuditEvent
from sessions.models import AdverseEvent, DosingSession
from sessions.services import sessions as services
from tests.factories import PatientFactory

from .session_helpers import (
    administer,
    book,
    minutes,
    now,
    observe,
    session_in_observation,
    signed,
    signed_plan,
    text,
)

pytestmark = pytest.mark.django_db
Status = DosingSession.Status


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow_timeline(session, by, n: int) -> None:
    for i in range(n):
        observe(session, by, now() - minutes(60 - i), systolic=130 + i, diastolic=80, spo2=97, moaas=5, dissociation=0)
        AdverseEvent.objects.create(
            session=session,
            kind=AdverseEvent.Kind.NAUSEA_VOMITING,
            severity=AdverseEvent.Severity.MILD,
            onset_at=now() - minutes(50),
            action_taken="Ondansetron 4 mg",
            outcome=AdverseEvent.Outcome.RESOLVED,
            recorded_by=by,
        )
    for _ in range(min(n, 3)):
        administer(session, by, at=now() - minutes(100), mg=10)


def test_detail_page_query_count_does_not_grow_with_the_timeline(world, login):
    session = session_in_observation(world)
    client = login(world.nurse)
    url = session.get_absolute_url()
    _queries(client, url)  # the first request of a session caches the clinic's time zone
    few = _queries(client, url)

    _grow_timeline(session, world.nurse, 12)
    many = _queries(client, url)

    assert many == few, f"{few} queries with a short timeline, {many} with a long one"
    assert many <= 40, f"the session page runs {many} queries"


def test_detail_page_of_a_signed_session_query_count_does_not_grow_with_addenda(world, login):
    session = signed(world)
    client = login(world.prescriber)
    url = session.get_absolute_url()
    services.session_addendum_add(session=session, body="First addendum.", by=world.nurse)
    _queries(client, url)
    few = _queries(client, url)
    for n in range(10):
        services.session_addendum_add(session=session, body=f"Addendum {n}.", by=world.prescriber)
    assert _queries(client, url) == few


def test_detail_page_shows_the_record(world, login):
    session = session_in_observation(world)
    page = text(login(world.therapist).get(session.get_absolute_url()))
    assert session.patient.display_name in page
    assert "Session 1 of 6" in page
    assert "Racemic ketamine" in page and "Sublingual" in page and "100 mg planned" in page
    assert "Observing" in page
    assert "Pre-dose check" in page and "Observation timeline" in page
    assert "Monitoring note" in page and "Therapist's note" in page
    assert "Status history" in page


def test_detail_page_is_the_care_teams_not_the_patients(world, login):
    session = book(world)
    url = session.get_absolute_url()
    assert login(world.admin).get(url).status_code == 200
    assert login(world.patient_a.user).get(url).status_code == 404
    assert login(world.patient_b.user).get(url).status_code == 404
    assert login(world.other_clinician).get(url).status_code == 404
    assert AuditEvent.objects.filter(
        actor=world.admin, action=AuditEvent.Action.VIEW, object_id=str(session.code)
    ).exists()


# --- the session list ------------------------------------------------------------------------------


def test_session_list_shows_today_in_the_clinics_time_zone(world, login):
    world.clinic.time_zone = "Pacific/Auckland"
    world.clinic.save()
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    today = timezone.localdate(timezone=zone)
    start_of_day = datetime.datetime.combine(today, datetime.time(0, 0), tzinfo=zone)
    late_today = start_of_day + datetime.timedelta(hours=23, minutes=30)
    today_session = book(world, at=max(late_today, now() + minutes(5)))
    next_week = book(world, world.patient_b, at=now() + datetime.timedelta(days=7))

    page = login(world.nurse).get(reverse("dosing:session_list"))
    today_card = text(page).split("Upcoming")[0]

    assert today_session.get_absolute_url() in today_card
    assert next_week.get_absolute_url() not in today_card
    assert next_week.get_absolute_url() in text(page)  # in the upcoming list


def test_session_list_recent_and_filters(world, login):
    done = session_in_observation(world)
    DosingSession.objects.filter(pk=done.pk).update(scheduled_at=now() - datetime.timedelta(days=3))
    upcoming = book(world, world.patient_b, at=now() + datetime.timedelta(days=2))
    client = login(world.nurse)

    recent = text(client.get(reverse("dosing:session_list") + "?when=recent"))
    assert done.get_absolute_url() in recent and upcoming.get_absolute_url() not in recent

    observing = text(client.get(reverse("dosing:session_list") + "?when=all&status=observing"))
    assert done.get_absolute_url() in observing and upcoming.get_absolute_url() not in observing

    by_name = text(client.get(reverse("dosing:session_list") + f"?when=all&q={world.patient_b.legal_name[:5]}"))
    assert upcoming.get_absolute_url() in by_name


def test_session_list_empty_states(world, login):
    page = text(login(world.nurse).get(reverse("dosing:session_list")))
    assert "No sessions today." in page
    assert "No upcoming sessions are booked." in page
    filtered = text(login(world.nurse).get(reverse("dosing:session_list") + "?status=discharged&q=zzzz"))
    assert "No session matches these filters." in filtered


def test_session_list_is_paginated_and_its_queries_do_not_grow(world, login):
    client = login(world.nurse)
    url = reverse("dosing:session_list")
    book(world, at=now() + datetime.timedelta(days=1))
    _queries(client, url)
    few = _queries(client, url)
    for n, patient in enumerate(PatientFactory.create_batch(30, clinic=world.clinic)):
        book(world, patient, at=now() + datetime.timedelta(days=2, minutes=n))
    many = _queries(client, url)
    assert many == few
    page = text(client.get(url))
    assert "Page 1 of 2" in page


def test_session_list_shows_only_the_users_clinic(world, login):
    mine = book(world)
    signed_plan(world.other_patient, world.other_clinician)
    theirs = services.session_schedule(
        patient=world.other_patient,
        scheduled_at=now() + minutes(90),
        room="Suite B",
        prescriber=world.other_clinician,
        monitor=world.other_clinician,
        by=world.other_clinician,
    )
    page = text(login(world.other_clinician).get(reverse("dosing:session_list")))
    assert theirs.get_absolute_url() in page and mine.get_absolute_url() not in page


def test_session_list_is_for_clinicians(world, login):
    assert login(world.admin).get(reverse("dosing:session_list")).status_code == 403
    assert login(world.patient_a.user).get(reverse("dosing:session_list")).status_code == 403


# --- the clinician home and the landing page -------------------------------------------------------


def test_clinician_home_lists_todays_sessions_and_who_is_in_observation(world, login):
    observing = session_in_observation(world)
    DosingSession.objects.filter(pk=observing.pk).update(scheduled_at=now())
    later = book(world, world.patient_b, at=now() + minutes(30))
    page = text(login(world.nurse).get(reverse("dashboards:clinician_home")))

    today_card, observation_card = page.split("Today's sessions")[1].split("In observation now")
    assert observing.patient.display_name in today_card and later.patient.display_name in today_card
    assert observing.patient.display_name in observation_card.split("Patients by stage")[0]
    assert later.patient.display_name not in observation_card.split("Patients by stage")[0]


def test_clinician_home_empty_worklists(world, login):
    page = text(login(world.nurse).get(reverse("dashboards:clinician_home")))
    assert "No dosing sessions today." in page
    assert "Nobody is being dosed or observed right now." in page


def test_landing_leads_to_the_sessions_the_board_and_the_ledger(world, login):
    nurse_page = login(world.nurse).get(reverse("dosing:landing")).content.decode()
    for name in ("dosing:session_list", "dosing:board", "dosing:ledger"):
        assert reverse(name) in nurse_page
    therapist_page = login(world.therapist).get(reverse("dosing:landing")).content.decode()
    assert reverse("dosing:session_list") in therapist_page and reverse("dosing:ledger") not in therapist_page
    admin_page = login(world.admin).get(reverse("dosing:landing")).content.decode()
    assert reverse("dosing:ledger") in admin_page
    may_board = clinics_where(world.admin, Action.VIEW_BOARD).exists()  # the policy decides, not the page
    assert (reverse("dosing:board") in admin_page) == may_board
