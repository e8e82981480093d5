"""The esketamine session summary in the shape of the Spravato REMS Patient Monitoring Form (domain.md §2)
with its 7-day deadline; racemic ketamine has no REMS form."""

import datetime

import pytest
from django.urls import reverse

from intake.models import IntakeQuestionnaire, Medication
from sessions import clinic_time

from .session_helpers import book, discharge, session_in_observation, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def esketamine_session(world):
    session = session_in_observation(world, drug="esketamine", mg=56, minutes_ago=150)
    questionnaire = IntakeQuestionnaire.objects.get(patient=session.patient)
    Medication.objects.create(questionnaire=questionnaire, name="Lorazepam", drug_class="benzodiazepine")
    discharge(session, world.nurse)
    session.refresh_from_db()
    return session


def _rems(client, session):
    return client.get(reverse("dosing:session_rems", args=[session.code]))


def test_the_summary_has_the_forms_fields(world, login, esketamine_session):
    session = esketamine_session
    dose = session.administrations.get()
    response = _rems(login(world.nurse), session)
    assert response.status_code == 200
    page = text(response)

    assert "Patient Monitoring Form" in page
    assert world.clinic.name in page and session.monitor.full_name in page and session.monitor.email in page
    assert session.patient.legal_name in page
    assert "56 mg (2 devices)" in page
    assert dose.lot.lot_number in page
    assert f"{clinic_time.clinic_date(world.clinic, dose.started_at):%Y-%m-%d}" in page
    assert "124/78 mmHg" in page  # before the dose (pre-dose check)
    assert "150/92 mmHg" in page  # about 40 minutes after
    assert "128/80 mmHg" in page  # before completion
    assert "150 min from the first device to the end of monitoring" in page
    assert 'Sedation</dt><dd class="col-sm-8">Yes: deepest MOAA/S 3' in response.content.decode()
    assert "Yes: peak rating 3 of 4" in page
    assert 'Respiratory depression</dt><dd class="col-sm-8">No' in response.content.decode()
    assert "Benzodiazepines: <strong>Yes</strong> (Lorazepam)" in page
    assert "MAOIs: <strong>No</strong>" in page
    assert "First treatment?" in page


def test_the_deadline_is_seven_days_after_the_dose(world, login, esketamine_session):
    dose_day = clinic_time.clinic_date(world.clinic, esketamine_session.administrations.get().started_at)
    deadline = dose_day + datetime.timedelta(days=7)

    page = text(_rems(login(world.nurse), esketamine_session))

    assert f"by {deadline:%A}, {deadline:%Y-%m-%d}: within 7 days of the dose" in page
    assert "Overdue" not in page


def test_a_passed_deadline_shows_as_overdue(world, login, esketamine_session, monkeypatch):
    dose_day = clinic_time.clinic_date(world.clinic, esketamine_session.administrations.get().started_at)
    monkeypatch.setattr(clinic_time, "clinic_today", lambda clinic: dose_day + datetime.timedelta(days=8))

    page = text(_rems(login(world.nurse), esketamine_session))

    assert "Overdue" in page


def test_a_short_monitoring_is_flagged(world, login):
    session = session_in_observation(world, drug="esketamine", mg=84, minutes_ago=90)
    discharge(session, world.prescriber, override_reason="Transport arrived early; stable for 45 min.")
    page = text(_rems(login(world.nurse), session))
    assert "84 mg (3 devices)" in page
    assert "under the 120-minute minimum" in page


def test_the_session_page_links_the_rems_form_for_esketamine_only(world, login, esketamine_session):
    client = login(world.nurse)
    url = reverse("dosing:session_rems", args=[esketamine_session.code])
    assert url in client.get(esketamine_session.get_absolute_url()).content.decode()

    racemic = session_in_observation(world, world.patient_b)
    assert (
        reverse("dosing:session_rems", args=[racemic.code])
        not in client.get(racemic.get_absolute_url()).content.decode()
    )


def test_racemic_sessions_have_no_rems_form(world, login):
    racemic = session_in_observation(world)
    assert _rems(login(world.prescriber), racemic).status_code == 404


def test_another_clinics_clinician_gets_404(world, login, esketamine_session):
    assert _rems(login(world.other_clinician), esketamine_session).status_code == 404


def test_before_the_dose_the_deadline_waits_for_it(world, login):
    session = book(world, drug="esketamine")
    page = text(_rems(login(world.nurse), session))
    assert "No esketamine dose is recorded yet" in page
