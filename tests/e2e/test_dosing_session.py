"""A nurse runs a whole dosing session from check-in to discharge, recording the observation from the board."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import Patient, RouteProtocol
from intake.protocol import ROUTE_DEFAULTS
from kap_clinic.accounts.models import Clinic, User
from kap_clinic.demo.clinic import DEMO_PASSWORD, seed
from kap_clinic.demo.intake import seed_intake
from sessions.models import DosingSession, LedgerEntry
from sessions.services import session_schedule
from tests.factories import PatientFactory

from .filling import fill_form

pytestmark = pytest.mark.django_db(transaction=True)

VITALS = {
    "systolic": "126",
    "diastolic": "80",
    "heart_rate": "74",
    "spo2": "98",
    "respiratory_rate": "14",
}


def book_a_session_now() -> DosingSession:
    """A patient through intake and planning as the demo does it (IM, 0.5 mg/kg, 78 kg), booked for now.
    The clinic's IM protocol asks no minimum observation time here, so that the test doesn't wait the real
    90 minutes for discharge."""
    seed()
    clinic = Clinic.objects.get(name__startswith="Harbor")
    patient = PatientFactory(clinic=clinic, legal_name="Quinn Harper", stage=Patient.Stage.INVITED)
    prescriber = User.objects.get(email="prescriber@harbor.demo")
    seed_intake(patient, "planned", "e2e", prescriber=prescriber)
    nurse = User.objects.get(email="nurse@harbor.demo")
    defaults = ROUTE_DEFAULTS["im"]
    RouteProtocol.objects.create(
        clinic=patient.clinic,
        route="im",
        fasting_food_hours=defaults.fasting_food_hours,
        fasting_fluids_hours=defaults.fasting_fluids_hours,
        dose_unit=defaults.dose_unit,
        dose_min=defaults.dose_min,
        dose_max=defaults.dose_max,
        maximum_mg=defaults.maximum_mg,
        min_observation_minutes=0,
        updated_by=User.objects.get(email="admin@harbor.demo"),
    )
    return session_schedule(
        patient=patient,
        scheduled_at=timezone.now() + datetime.timedelta(minutes=1),
        room="Chair 2",
        prescriber=prescriber,
        monitor=nurse,
        by=nurse,
    )


def test_a_nurse_runs_a_session_from_check_in_to_discharge(browser, live_server, log_in, page):
    session = book_a_session_now()
    log_in("nurse@harbor.demo", DEMO_PASSWORD)

    page.goto("/dosing/sessions/")
    page.get_by_role("link", name=re.compile("Quinn Harper")).first.click()
    page.get_by_role("link", name="Check in").click()
    page.get_by_role("button", name="Confirm: Check in").click()

    page.get_by_role("link", name="Record the pre-dose check").click()
    fill_form(
        page,
        {
            "hours_since_food": "6",
            "hours_since_fluids": "3",
            "escort_name": "Chris Reyes",
            "escort_phone": "(555) 010-4545",
            "alcohol_last_24h": "no",
            "held_medications_last_24h": "no",
            "new_medications": "no",
            "pregnancy": "not_applicable",
            **{f"vitals-{name}": value for name, value in VITALS.items()},
            "vitals-temperature": "36.8",
            "risk_q1": "0",
            "risk_q2": "0",
            "risk_q6": "0",
        },
    )
    page.get_by_role("button", name="Record the pre-dose check").click()
    assert page.get_by_text("Passed").first.is_visible()

    page.get_by_role("link", name="Record the dose").click()
    page.get_by_label("Dose (mg)").fill("39")
    page.get_by_label("Lot").select_option(index=1)
    page.get_by_role("button", name="Record the dose").click()
    page.get_by_role("link", name="Start observation").click()
    page.get_by_role("button", name="Confirm: Start observation").click()

    # on the board, one click to record an entry for this patient
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Board").click()
    row = page.get_by_role("row", name=re.compile("Quinn Harper"))
    row.get_by_role("link", name="Record").click()
    fill_form(page, {**VITALS, "moaas": "5", "dissociation": "0"})
    page.get_by_role("button", name="Record the observation").click()
    assert page.get_by_role("heading", name="Observation board").is_visible()
    assert page.get_by_role("row", name=re.compile("Quinn Harper")).get_by_text("126/80").is_visible()

    board_row = page.get_by_role("row", name=re.compile("Quinn Harper"))
    board_row.get_by_role("link", name="Quinn Harper", exact=True).click()
    page.get_by_role("link", name="Discharge").first.click()
    page.get_by_label("Walks steadily (checked now, unaided)").check()
    page.get_by_label("The escort is here to take the patient home").check()
    page.get_by_role("button", name="Discharge the patient").click()
    page.wait_for_load_state()

    session.refresh_from_db()
    assert session.status == DosingSession.Status.DISCHARGED
    assert session.discharge.all_met and not session.discharge.override_reason
    dose = session.administrations.get()
    assert dose.dose_mg == Decimal("39") and dose.mg_per_kg == Decimal("0.5")
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ADMINISTRATION, administration=dose).exists()
