"""Two clinicians recording observations of the same session at the same moment, in two real concurrent
transactions: both entries are saved (plain inserts, no unique time; the session lock only orders them)."""

import threading

import pytest
from django.db import connection

from sessions.models import DosingSession, ObservationEntry
from sessions.services.observation import observation_record

from .observation_helpers import make_session, minutes_ago

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_entries_at_the_same_time_are_both_saved(world):
    session = make_session(world)
    at = minutes_ago(2).replace(second=0, microsecond=0)
    clinicians = [world.nurse, world.prescriber]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def run(i):
        try:
            barrier.wait(timeout=10)
            observation_record(
                session=DosingSession.objects.get(pk=session.pk),  # each its own instance, as two requests
                observed_at=at,
                by=clinicians[i],
                heart_rate=80 + i,
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    entries = ObservationEntry.objects.filter(session=session, observed_at=at)
    assert sorted(entries.values_list("heart_rate", flat=True)) == [80, 81]
    assert {entry.recorded_by for entry in entries} == set(clinicians)
