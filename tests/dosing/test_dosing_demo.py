"""seed_demo gives Harbor Light dosing sessions run through the real services: signed, in observation now,
booked for tomorrow, and an esketamine session with its REMS form due; every dose is on the ledger."""

import pytest
from django.urls import reverse

from kap_clinic.accounts.models import User
from kap_clinic.demo.clinic import seed
from sessions.models import Administration, DosingSession, LedgerEntry

pytestmark = pytest.mark.django_db

Status = DosingSession.Status


def test_the_demo_has_completed_in_progress_and_booked_sessions(client):
    seed()
    seed()  # idempotent

    sessions = DosingSession.objects.filter(patient__clinic__name__startswith="Harbor")
    signed = sessions.filter(status=Status.DISCHARGED, signed_at__isnull=False)
    assert signed.count() == 4 + 6  # + the six of the follow-up patient
    observing = sessions.get(status=Status.OBSERVING)
    assert observing.observations.exists() and observing.administrations.exists()
    assert sessions.filter(status=Status.SCHEDULED).count() == 1
    esketamine = sessions.get(plan__drug="esketamine")
    assert esketamine.administrations.count() == 2 and not esketamine.is_signed  # REMS form still due
    assert not DosingSession.objects.filter(patient__clinic__name__startswith="Desert").exists()

    doses = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ADMINISTRATION)
    assert doses.count() == Administration.objects.count() == 7 + 6
    assert not doses.filter(administration__isnull=True).exists()

    client.force_login(User.objects.get(email="nurse@harbor.demo"))
    board = client.get(reverse("dosing:board")).content.decode()
    assert observing.patient.legal_name in board
