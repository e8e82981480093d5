"""Adverse events of a session: kind, severity, onset, action taken and outcome; from check-in until the
session is signed; "Other" needs a description; times checked like observations'."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kap_clinic.audit.models import AuditEvent
from sessions.models import AdverseEvent, DosingSession
from sessions.services.observation import adverse_event_record

from .observation_helpers import adverse_event_post, make_session, minutes_ago, sign

pytestmark = pytest.mark.django_db
Status = DosingSession.Status


def url(session, query=""):
    return reverse("dosing:adverse_event_add", args=[session.code]) + query


def record(session, by, **changes):
    details = {
        "kind": "hypertension",
        "severity": "moderate",
        "onset_at": minutes_ago(5),
        "action_taken": "Rechecked BP after 5 minutes; prescriber informed",
        "outcome": "resolving",
    } | changes
    return adverse_event_record(session=session, by=by, **details)


def test_a_nurse_records_an_adverse_event(world, login):
    session = make_session(world)
    client = login(world.nurse)
    assert "Record an adverse event" in client.get(url(session)).content.decode()

    response = client.post(url(session), adverse_event_post(world, minutes_ago(3)))

    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    event = AdverseEvent.objects.get(session=session)
    assert (event.kind, event.severity, event.outcome) == ("nausea_vomiting", "mild", "resolved")
    assert event.action_taken == "Ondansetron 4 mg SL" and event.recorded_by == world.nurse


def test_from_the_board_it_goes_back_to_the_board(world, login):
    session = make_session(world)
    response = login(world.prescriber).post(url(session, "?next=board"), adverse_event_post(world))
    assert response["Location"] == reverse("dosing:board")


def test_other_needs_a_description(world, login):
    session = make_session(world)
    client = login(world.nurse)

    response = client.post(url(session), adverse_event_post(world, kind="other", kind_other=""))
    assert "Describe the adverse event" in response.content.decode()
    assert not AdverseEvent.objects.exists()

    client.post(url(session), adverse_event_post(world, kind="other", kind_other="Headache"))
    assert AdverseEvent.objects.get().kind_other == "Headache"


def test_a_description_is_dropped_for_a_named_kind(world):
    event = record(make_session(world), world.nurse, kind="desaturation", kind_other="left over")
    assert event.kind_other == ""


def test_an_onset_in_the_future_or_before_check_in_is_refused(world, login):
    session = make_session(world, checked_in_minutes_ago=60)
    client = login(world.nurse)

    future = client.post(url(session), adverse_event_post(world, timezone.now() + datetime.timedelta(minutes=15)))
    assert "is in the future" in future.content.decode()
    early = client.post(url(session), adverse_event_post(world, minutes_ago(80)))
    assert "is before the patient checked in" in early.content.decode()
    assert not AdverseEvent.objects.exists()


def test_missing_fields_are_asked_for_and_nothing_typed_is_lost(world, login):
    session = make_session(world)
    response = login(world.nurse).post(
        url(session), adverse_event_post(world, severity="", action_taken="Stayed with the patient")
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "Stayed with the patient" in response.content.decode()
    assert not AdverseEvent.objects.exists()


def test_a_double_submit_records_one_event(world, login):
    session = make_session(world)
    client = login(world.nurse)
    data = adverse_event_post(world)
    client.post(url(session), data)
    again = client.post(url(session), data)
    assert again.status_code == 302
    assert AdverseEvent.objects.count() == 1


def test_after_discharge_until_signing(world):
    session = make_session(world, status=Status.DISCHARGED)
    assert record(session, world.nurse).pk
    sign(session, world.prescriber)
    with pytest.raises(ValidationError, match="signed"):
        record(session, world.nurse)
    assert AdverseEvent.objects.count() == 1


@pytest.mark.parametrize("status", [Status.SCHEDULED, Status.CANCELLED, Status.NO_SHOW])
def test_not_before_check_in_or_on_a_session_that_did_not_happen(world, status):
    session = make_session(world, status=status)
    with pytest.raises(ValidationError):
        record(session, world.nurse)


def test_a_signed_session_cannot_be_changed_through_the_page(world, login):
    session = sign(make_session(world, status=Status.DISCHARGED), world.prescriber)
    client = login(world.nurse)
    assert client.get(url(session))["Location"] == session.get_absolute_url()
    client.post(url(session), adverse_event_post(world, minutes_ago(10)))
    assert not AdverseEvent.objects.exists()


@pytest.mark.parametrize("persona", ["therapist", "admin", "other_clinician", "other_admin"])
def test_only_the_clinics_prescribers_and_nurses_may_record(world, login, persona):
    session = make_session(world)
    client = login(getattr(world, persona))
    assert client.get(url(session)).status_code == 404
    assert client.post(url(session), adverse_event_post(world)).status_code == 404
    assert not AdverseEvent.objects.exists()


def test_recording_is_audited(world):
    event = record(make_session(world), world.prescriber, kind="emergence", severity="severe")
    audit = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(event.pk))
    assert audit.actor == world.prescriber and audit.patient_code == world.patient_a.code
    assert "emergence" in audit.detail
