"""The observation schedule: an entry every interval from the dose, and a BP at about 40 minutes."""

import datetime

import pytest
from django.utils import timezone

from sessions.models import DosingSession, ObservationEntry
from sessions.observation_schedule import next_check

from .observation_helpers import make_session

pytestmark = pytest.mark.django_db
Status = DosingSession.Status


def at(session, minutes):
    return session.dosed_at + datetime.timedelta(minutes=minutes)


def entry(session, minutes, **values):
    """An unsaved entry `minutes` after the dose (the schedule reads entries, it doesn't fetch them)."""
    return ObservationEntry(session=session, observed_at=at(session, minutes), **values)


def test_before_the_dose_nothing_is_due(world):
    session = make_session(world, status=Status.CHECKED_IN)
    check = next_check(session, [], timezone.now())
    assert check.active and not check.dosed
    assert check.due_at is None and not check.overdue and check.bp40 is None


def test_the_first_check_is_due_one_interval_after_the_dose(world):
    session = make_session(world, dosed_minutes_ago=5)
    check = next_check(session, [], at(session, 5))
    assert check.due_at == at(session, 15) and not check.overdue
    assert check.minutes_to_due == 10 and check.minutes_since_dose == 5


def test_a_check_not_taken_is_overdue(world):
    session = make_session(world)
    check = next_check(session, [entry(session, 15, heart_rate=80)], at(session, 33))
    assert check.due_at == at(session, 30)
    assert check.overdue and check.minutes_overdue == 3


def test_an_early_or_late_entry_counts_for_the_nearest_slot(world):
    session = make_session(world)
    # 13 minutes counts for the 15-minute check: the next is at 30, not 15
    assert next_check(session, [entry(session, 13, heart_rate=80)], at(session, 14)).due_at == at(session, 30)
    # 19 minutes too
    assert next_check(session, [entry(session, 19, heart_rate=80)], at(session, 20)).due_at == at(session, 30)


def test_the_interval_is_the_clinics(world):
    world.clinic.observation_interval_minutes = 10
    world.clinic.save()
    session = make_session(world, dosed_minutes_ago=1)
    session.refresh_from_db()
    assert next_check(session, [], at(session, 1)).due_at == at(session, 10)


def test_the_40_minute_bp_brings_the_next_check_forward(world):
    session = make_session(world)
    check = next_check(session, [entry(session, 29, systolic=140, diastolic=85)], at(session, 29))
    assert check.bp40.status == "upcoming"
    assert check.due_at == at(session, 40)  # not 45


def test_the_40_minute_bp_is_due_in_its_window_then_missing(world):
    session = make_session(world)
    entries = [entry(session, 15, systolic=140, diastolic=85), entry(session, 28, heart_rate=80)]
    assert next_check(session, entries, at(session, 29)).bp40.status == "upcoming"
    due = next_check(session, entries, at(session, 35))
    assert due.bp40.status == "due" and due.needs_bp
    # an entry without a BP in the window doesn't count
    entries.append(entry(session, 41, heart_rate=82))
    missing = next_check(session, entries, at(session, 52))
    assert missing.bp40.status == "missing" and missing.needs_bp


def test_a_bp_within_ten_minutes_of_40_counts(world):
    session = make_session(world)
    check = next_check(session, [entry(session, 48, systolic=150, diastolic=90)], at(session, 55))
    assert check.bp40.status == "done" and not check.needs_bp
    assert check.bp40.entry.systolic == 150


@pytest.mark.parametrize("status", [Status.DISCHARGED, Status.CANCELLED])
def test_nothing_is_due_once_the_session_has_ended(world, status):
    session = make_session(world, status=status)
    session.dosed_at = session.dosed_at or timezone.now()
    check = next_check(session, [], timezone.now() + datetime.timedelta(hours=3))
    assert not check.active and check.due_at is None and not check.overdue


def test_an_entry_without_the_bp_after_40_minutes_keeps_asking_for_it_without_being_overdue(world):
    session = make_session(world)
    check = next_check(session, [entry(session, 42, heart_rate=84)], at(session, 44))
    assert check.bp40.status == "due" and check.needs_bp
    assert check.due_at == at(session, 60) and not check.overdue
