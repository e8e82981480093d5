"""The session's status pipeline: every allowed move, the guards, a refused move with its message, and the
history of who moved it when — through the service and through the session page's confirmation step."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sessions.models import Discharge, DosingSession, StatusChange
from sessions.pipeline import TRANSITIONS
from sessions.services import sessions as services

from .session_helpers import (
    administer,
    book,
    discharge,
    form_data,
    minutes,
    move,
    now,
    predose_check,
    session_in_observation,
    signed,
    text,
)

pytestmark = pytest.mark.django_db
Status = DosingSession.Status


def _at(world, status) -> DosingSession:
    """A session brought to `status` with what each guard asks for on the way."""
    session = book(world, at=now())
    if status == Status.SCHEDULED:
        return session
    move(session, Status.CHECKED_IN, world.nurse)
    if status == Status.CHECKED_IN:
        return session
    predose_check(session, world.nurse)
    move(session, Status.DOSING, world.nurse)
    if status == Status.DOSING:
        administer(session, world.nurse, at=now() - minutes(1))
        return session
    raise AssertionError(status)


ALLOWED = [(start, to) for start, targets in TRANSITIONS.items() for to in targets]


def test_the_pipeline_lists_every_move_of_the_issue():
    assert set(ALLOWED) == {
        (Status.SCHEDULED, Status.CHECKED_IN),
        (Status.SCHEDULED, Status.CANCELLED),
        (Status.SCHEDULED, Status.NO_SHOW),
        (Status.CHECKED_IN, Status.DOSING),
        (Status.CHECKED_IN, Status.CANCELLED),
        (Status.DOSING, Status.OBSERVING),
        (Status.OBSERVING, Status.DISCHARGED),
    }


@pytest.mark.parametrize(("start", "to"), [m for m in ALLOWED if m[0] != Status.OBSERVING])
def test_every_allowed_move_is_made_and_recorded_with_who_and_when(world, start, to):
    session = _at(world, start)
    if to == Status.DOSING:
        predose_check(session, world.nurse)  # the move's guard
    before = timezone.now()

    moved = move(session, to, world.prescriber, reason="Patient unwell" if to in ("cancelled", "no_show") else "")

    assert moved.status == to
    change = StatusChange.objects.filter(session=session).latest("at", "pk")
    assert (change.from_status, change.to_status, change.by) == (start, to, world.prescriber)
    assert before <= change.at <= timezone.now()


def test_observing_to_discharged_is_made_through_the_discharge(world):
    session = session_in_observation(world)

    discharge(session, world.nurse)

    session.refresh_from_db()
    assert session.status == Status.DISCHARGED and session.discharged_at is not None
    change = session.status_changes.latest("at", "pk")
    assert (change.from_status, change.to_status, change.by) == ("observing", "discharged", world.nurse)


def test_a_move_the_pipeline_does_not_list_is_refused_with_a_message(world):
    session = book(world)

    with pytest.raises(ValidationError, match="A session that is “Scheduled” can't become “Observing”."):
        move(session, Status.OBSERVING, world.nurse)

    session.refresh_from_db()
    assert session.status == Status.SCHEDULED and not session.status_changes.exists()


def test_a_finished_session_moves_nowhere(world):
    session = book(world)
    services.session_cancel(session=session, reason="Patient has flu", by=world.nurse)

    with pytest.raises(ValidationError, match="can't become “Checked in”"):
        move(session, Status.CHECKED_IN, world.nurse)


def test_dosing_needs_a_cleared_pre_dose_check(world):
    session = _at(world, Status.CHECKED_IN)
    with pytest.raises(ValidationError, match="pre-dose check must pass"):
        move(session, Status.DOSING, world.nurse)

    predose_check(session, world.nurse, systolic=185, outcome="hold")
    with pytest.raises(ValidationError, match="pre-dose check must pass"):
        move(session, Status.DOSING, world.nurse)


def test_observation_needs_an_administration(world):
    session = _at(world, Status.CHECKED_IN)
    predose_check(session, world.nurse)
    move(session, Status.DOSING, world.nurse)

    with pytest.raises(ValidationError, match="Record the administration"):
        move(session, Status.OBSERVING, world.nurse)


def test_discharge_needs_the_checklist(world):
    session = session_in_observation(world)

    with pytest.raises(ValidationError, match="Discharge through the discharge checklist"):
        move(session, Status.DISCHARGED, world.nurse)
    with pytest.raises(ValidationError, match="Discharge through the discharge checklist"):
        services.session_transition(session=session, to=Status.DISCHARGED, by=world.nurse)
    assert not Discharge.objects.exists()


def test_cancel_and_no_show_need_a_reason(world):
    session = book(world, at=now())
    with pytest.raises(ValidationError, match="Give a reason"):
        services.session_cancel(session=session, reason="  ", by=world.nurse)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.session_no_show(session=session, reason="", by=world.nurse)


def test_no_show_only_after_the_booked_time(world):
    session = book(world, at=now() + datetime.timedelta(hours=3))

    with pytest.raises(ValidationError, match="a no-show can be recorded only after that"):
        services.session_no_show(session=session, reason="Did not come", by=world.nurse)


def test_check_in_not_before_the_day_of_the_session(world):
    session = book(world, at=now() + datetime.timedelta(days=3))

    with pytest.raises(ValidationError, match="check the patient in on the day"):
        services.session_check_in(session=session, by=world.nurse)


def test_a_therapist_schedules_but_does_not_run_a_session(world):
    session = book(world, at=now())
    with pytest.raises(Exception, match="Only a nurse or prescriber"):
        services.session_check_in(session=session, by=world.therapist)

    services.session_cancel(session=session, reason="Rebooked for next week", by=world.therapist)
    assert DosingSession.objects.get(pk=session.pk).status == Status.CANCELLED


def test_a_signed_session_changes_status_no_more(world):
    session = signed(world)
    with pytest.raises(ValidationError, match="signed"):
        move(session, Status.CANCELLED, world.nurse, reason="x")


# --- through the pages ----------------------------------------------------------------------------


def test_check_in_page_asks_then_moves_and_the_history_shows_who_and_when(world, login):
    session = book(world, at=now())
    client = login(world.nurse)
    url = reverse("dosing:session_transition", args=[session.code, "checked_in"])

    page = client.get(url)
    assert page.status_code == 200
    assert "Confirm: Check in" in page.content.decode()
    assert DosingSession.objects.get(pk=session.pk).status == Status.SCHEDULED  # a GET changes nothing

    response = client.post(url, form_data())
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN and session.checked_in_at is not None

    detail = client.get(session.get_absolute_url()).content.decode()
    assert f"Scheduled → Checked in by {world.nurse.full_name}" in detail
    assert f"{timezone.localtime(session.checked_in_at):%Y-%m-%d %H:%M}" in detail


def test_the_session_page_offers_the_pipelines_next_moves(world, login):
    session = book(world, at=now())
    page = login(world.nurse).get(session.get_absolute_url()).content.decode()

    for to in ("checked_in", "cancelled", "no_show"):
        assert reverse("dosing:session_transition", args=[session.code, to]) in page
    assert reverse("dosing:session_transition", args=[session.code, "dosing"]) not in page


def test_cancel_page_keeps_the_reason_and_asks_for_one(world, login):
    session = book(world)
    client = login(world.therapist)
    url = reverse("dosing:session_transition", args=[session.code, "cancelled"])

    refused = client.post(url, form_data(reason=""))
    assert refused.status_code == 200 and "Give a reason." in refused.content.decode()

    client.post(url, form_data(reason="Patient asked to move it"))
    session.refresh_from_db()
    assert session.status == Status.CANCELLED
    assert session.status_changes.get().reason == "Patient asked to move it"


def test_an_invalid_move_shows_the_pipelines_message(world, login):
    session = book(world)
    client = login(world.nurse)
    url = reverse("dosing:session_transition", args=[session.code, "observing"])

    page = text(client.get(url))
    assert "A session that is “Scheduled” can't become “Observing”." in page
    assert "Confirm:" not in page

    refused = client.post(url, form_data())
    assert refused.status_code == 200
    assert "can't become “Observing”" in text(refused)
    assert DosingSession.objects.get(pk=session.pk).status == Status.SCHEDULED


def test_a_double_sent_check_in_moves_once(world, login):
    session = book(world, at=now())
    client = login(world.nurse)
    url = reverse("dosing:session_transition", args=[session.code, "checked_in"])
    data = form_data()

    client.post(url, data)
    again = client.post(url, data, follow=True)

    assert "This was already recorded." in again.content.decode()
    assert session.status_changes.count() == 1


def test_unknown_status_in_the_url_is_not_found(world, login):
    session = book(world)
    assert (
        login(world.nurse).get(reverse("dosing:session_transition", args=[session.code, "flying"])).status_code == 404
    )


def test_other_clinics_clinician_cannot_move_the_session(world, login):
    session = book(world, at=now())
    response = login(world.other_clinician).post(
        reverse("dosing:session_transition", args=[session.code, "checked_in"]), form_data()
    )
    assert response.status_code == 404
    assert DosingSession.objects.get(pk=session.pk).status == Status.SCHEDULED
