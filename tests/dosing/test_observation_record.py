"""Recording an observation: bad input refused with plain messages (units, times), unusual values confirmed,
two clinicians at the same moment both saved, a signed session refused, a double submit recorded once,
alerts computed and shown."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kap_clinic.audit.models import AuditEvent
from sessions.models import DosingSession, ObservationEntry
from sessions.services.observation import observation_record

from .observation_helpers import make_session, minutes_ago, observation_post, pre_dose_check, sign

pytestmark = pytest.mark.django_db
Status = DosingSession.Status


def url(session, **query):
    base = reverse("dosing:observation_add", args=[session.code])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def record(session, by, at=None, **values):
    values = values or {"heart_rate": 80}
    return observation_record(session=session, observed_at=at or timezone.now(), by=by, **values)


# --- the form page -----------------------------------------------------------------------------


def test_nurse_records_an_entry_and_lands_on_the_session_page(world, login):
    session = make_session(world)
    client = login(world.nurse)

    page = client.get(url(session))
    assert page.status_code == 200
    assert "Record an observation" in page.content.decode()

    response = client.post(url(session), observation_post(world))

    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    entry = ObservationEntry.objects.get(session=session)
    assert (entry.systolic, entry.diastolic, entry.heart_rate, entry.spo2, entry.moaas) == (128, 78, 76, 97, 5)
    assert entry.recorded_by == world.nurse
    assert entry.news2 == 0
    assert entry.moaas_scale.startswith("MOAA/S 0-5")


def test_from_the_board_the_form_goes_back_to_the_board(world, login):
    session = make_session(world)
    client = login(world.prescriber)

    response = client.post(url(session, next="board"), observation_post(world))

    assert response["Location"] == reverse("dosing:board")


def test_next_sends_nowhere_but_the_board_or_the_session(world, login):
    session = make_session(world)
    response = login(world.nurse).post(url(session, next="https://evil.example"), observation_post(world))
    assert response["Location"] == session.get_absolute_url()


def test_the_form_shows_the_last_entry_and_the_time_since_the_dose(world, login):
    session = make_session(world, dosed_minutes_ago=42)
    record(session, world.nurse, minutes_ago(10), systolic=152, diastolic=91, spo2=95)

    page = login(world.nurse).get(url(session)).content.decode()

    assert "42 min since the dose" in page
    assert "152/91 mmHg" in page
    assert "Last entry" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("systolic", "350", "Systolic BP must be between 40 and 300 mmHg; 350 mmHg can&#x27;t be right."),
        ("heart_rate", "12", "Heart rate must be between 20 and 250 bpm"),
        ("spo2", "101", "SpO₂ must be between 50 and 100 %"),
        ("respiratory_rate", "70", "Respiratory rate must be between 4 and 60 /min"),
    ],
)
def test_values_outside_the_hard_bounds_are_refused_with_their_units(world, login, field, value, message):
    session = make_session(world)
    response = login(world.nurse).post(url(session), observation_post(world, **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ObservationEntry.objects.exists()
    # nothing typed is lost
    assert f'value="{value}"' in response.content.decode()


def test_a_fahrenheit_temperature_typed_as_celsius_is_refused(world, login):
    session = make_session(world)
    response = login(world.nurse).post(url(session), observation_post(world, temperature="98.6"))
    assert "looks like a Fahrenheit reading" in response.content.decode()
    assert not ObservationEntry.objects.exists()


def test_unusual_values_are_kept_only_once_confirmed(world, login):
    session = make_session(world)
    client = login(world.nurse)

    first = client.post(url(session), observation_post(world, spo2="84"))
    assert first.status_code == 200
    assert "Tick the box to keep these values" in first.content.decode()
    assert "SpO₂ 84 % is outside the usual 85–100 %" in first.content.decode()
    assert not ObservationEntry.objects.exists()

    confirmed = client.post(url(session), observation_post(world, spo2="84", confirmed="on"))
    assert confirmed.status_code == 302
    entry = ObservationEntry.objects.get()
    assert entry.spo2 == 84
    assert {a["code"] for a in entry.alerts} == {"hypoxemia"}


def test_a_time_in_the_future_is_refused(world, login):
    session = make_session(world)
    at = timezone.now() + datetime.timedelta(minutes=10)
    response = login(world.nurse).post(url(session), observation_post(world, at))
    assert "is in the future" in response.content.decode()
    assert not ObservationEntry.objects.exists()


def test_a_time_before_check_in_is_refused(world, login):
    session = make_session(world, checked_in_minutes_ago=60)
    response = login(world.nurse).post(url(session), observation_post(world, minutes_ago(75)))
    assert "is before the patient checked in" in response.content.decode()
    assert not ObservationEntry.objects.exists()


def test_the_check_in_minute_itself_is_accepted_from_the_form(world, login):
    """The form's default time is "now" to the minute; a patient checked in at 20:32:40 is observed at 20:32."""
    session = make_session(world, checked_in_minutes_ago=0)
    session.checked_in_at = timezone.now().replace(second=40, microsecond=0) - datetime.timedelta(minutes=1)
    session.save(update_fields=["checked_in_at"])
    same_minute = session.checked_in_at.replace(second=0)

    response = login(world.nurse).post(url(session), observation_post(world, same_minute))

    assert response.status_code == 302
    assert ObservationEntry.objects.get().observed_at == same_minute


def test_an_entry_with_nothing_in_it_is_refused(world, login):
    session = make_session(world)
    empty = observation_post(
        world,
        systolic="",
        diastolic="",
        heart_rate="",
        spo2="",
        respiratory_rate="",
        avpu="",
        moaas="",
        dissociation="",
    )
    response = login(world.nurse).post(url(session), empty)
    assert "Record at least one measurement or a note." in response.content.decode()
    assert not ObservationEntry.objects.exists()


def test_a_note_alone_is_an_entry(world, login):
    session = make_session(world)
    note_only = observation_post(
        world,
        systolic="",
        diastolic="",
        heart_rate="",
        spo2="",
        respiratory_rate="",
        avpu="",
        moaas="",
        dissociation="",
        note="Resting with eyeshades, music on",
    )
    assert login(world.nurse).post(url(session), note_only).status_code == 302
    entry = ObservationEntry.objects.get()
    assert entry.note == "Resting with eyeshades, music on" and entry.news2 is None and entry.alerts == []


def test_a_double_submit_records_one_entry(world, login):
    session = make_session(world)
    client = login(world.nurse)
    data = observation_post(world)

    first = client.post(url(session), data)
    again = client.post(url(session), data)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == session.get_absolute_url()
    assert ObservationEntry.objects.count() == 1


def test_an_urgent_alert_is_shown_prominently(world, login):
    session = make_session(world)
    client = login(world.nurse)

    response = client.post(url(session, next="board"), observation_post(world, spo2="90", moaas="3"), follow=True)

    page = response.content.decode()
    assert "alert-danger" in page
    assert "Urgent — " in page and "SpO₂ 91% or less" in page and "MOAA/S 3 or less" in page


# --- who may record, and when ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["therapist", "admin", "other_clinician", "other_admin"])
def test_only_the_clinics_prescribers_and_nurses_may_record(world, login, persona):
    session = make_session(world)
    client = login(getattr(world, persona))
    assert client.get(url(session)).status_code == 404
    assert client.post(url(session), observation_post(world)).status_code == 404
    assert not ObservationEntry.objects.exists()


def test_a_patient_cannot_record_on_their_own_session(world, login):
    session = make_session(world)
    assert login(world.patient_a.user).post(url(session), observation_post(world)).status_code == 404
    assert not ObservationEntry.objects.exists()


def test_a_signed_session_cannot_be_changed_through_the_page(world, login):
    session = sign(make_session(world, status=Status.DISCHARGED), world.prescriber)
    client = login(world.nurse)

    shown = client.get(url(session))
    sent = client.post(url(session), observation_post(world, minutes_ago(5)))

    assert shown.status_code == sent.status_code == 302
    assert shown["Location"] == session.get_absolute_url()
    assert not ObservationEntry.objects.exists()


def test_the_service_refuses_a_signed_session(world):
    session = sign(make_session(world, status=Status.DISCHARGED), world.prescriber)
    with pytest.raises(ValidationError, match="signed"):
        record(session, world.nurse, minutes_ago(5))


@pytest.mark.parametrize("status", [Status.SCHEDULED, Status.DISCHARGED, Status.CANCELLED])
def test_entries_only_while_the_patient_is_in_clinic(world, status):
    session = make_session(world, status=status)
    with pytest.raises(ValidationError):
        record(session, world.nurse, minutes_ago(5))
    assert not ObservationEntry.objects.exists()


@pytest.mark.parametrize("status", [Status.CHECKED_IN, Status.DOSING, Status.OBSERVING])
def test_entries_in_each_in_clinic_status(world, status):
    session = make_session(world, status=status)
    assert record(session, world.nurse, minutes_ago(5)).pk


def test_two_clinicians_recording_at_the_same_moment_are_both_saved(world):
    session = make_session(world)
    at = minutes_ago(3).replace(second=0, microsecond=0)

    by_nurse = record(session, world.nurse, at, systolic=150, diastolic=90)
    by_prescriber = record(session, world.prescriber, at, heart_rate=88, moaas=4)

    entries = ObservationEntry.objects.filter(session=session, observed_at=at)
    assert {e.pk for e in entries} == {by_nurse.pk, by_prescriber.pk}
    assert {e.recorded_by for e in entries} == {world.nurse, world.prescriber}


# --- what the service stores --------------------------------------------------------------------


def test_the_entry_stores_its_news2_and_alerts(world):
    session = make_session(world)
    entry = record(session, world.nurse, minutes_ago(2), systolic=88, diastolic=55, heart_rate=112, spo2=95)
    entry.refresh_from_db()
    assert entry.news2 == 3 + 2 + 1
    assert {a["code"] for a in entry.alerts} == {"news2_urgent", "sbp_low"}
    assert all({"code", "level", "message", "source"} <= set(a) for a in entry.alerts)


def test_a_rise_is_measured_from_the_pre_dose_checks_bp(world):
    session = make_session(world)
    pre_dose_check(session, world.nurse, systolic=120, diastolic=80)
    entry = record(session, world.nurse, minutes_ago(1), systolic=162, diastolic=92)
    assert "sbp_rise" in {a["code"] for a in entry.alerts}


def test_a_sustained_heart_rate_is_judged_against_the_earlier_entry(world):
    session = make_session(world)
    record(session, world.nurse, minutes_ago(8), heart_rate=128)
    entry = record(session, world.nurse, minutes_ago(1), heart_rate=126)
    assert "hr_sustained" in {a["code"] for a in entry.alerts}


def test_recording_is_audited(world):
    session = make_session(world)
    entry = record(session, world.nurse, minutes_ago(1), spo2=90)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(entry.pk))
    assert event.actor == world.nurse
    assert event.patient_code == world.patient_a.code
    assert "spo2_low" in event.detail


def test_the_database_refuses_changing_an_entry_of_a_signed_session(world):
    from django.db import IntegrityError, transaction

    session = make_session(world)
    entry = record(session, world.nurse, minutes_ago(1))
    sign(session, world.prescriber)
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationEntry.objects.filter(pk=entry.pk).update(heart_rate=60)
