"""The admin home: its reports for a period of the clinic's dates (default the last 90 days), the period form's
plain messages, empty states, the clinic's own data only, an audit entry, and a fixed number of queries
whatever the clinic's size."""

import datetime
import html

import pytest
from django.urls import reverse

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.dashboards.forms import DateRangeForm
from sessions import clinic_time
from tests.factories import PatientFactory

from .helpers import adverse_event, baseline, days_ago, discharged_after, give, measure, plan_for, stocked_lot

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:admin_home")
TODAY = datetime.date(2025, 6, 30)


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- the period ---------------------------------------------------------------------------------------


def test_default_period_is_the_last_90_days_today_included():
    form = DateRangeForm({}, today=TODAY)
    assert form.period() == (datetime.date(2025, 4, 2), TODAY)


def test_period_as_asked():
    form = DateRangeForm({"from": "2025-01-01", "to": "2025-03-31"}, today=TODAY)
    assert form.is_valid() and form.period() == (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))


def test_a_missing_date_takes_its_default():
    assert DateRangeForm({"to": "2025-03-31"}, today=TODAY).period() == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 3, 31),
    )
    assert DateRangeForm({"from": "2025-06-01"}, today=TODAY).period() == (datetime.date(2025, 6, 1), TODAY)


def test_start_after_end_is_refused_in_plain_words():
    form = DateRangeForm({"from": "2025-05-01", "to": "2025-04-01"}, today=TODAY)
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "The start date (2025-05-01) is after the end date (2025-04-01): swap them or pick new dates."
    ]
    assert form.period() == form.default_period()


def test_more_than_two_years_is_refused():
    assert DateRangeForm({"from": "2023-06-30", "to": "2025-06-30"}, today=TODAY).is_valid()
    form = DateRangeForm({"from": "2023-06-29", "to": "2025-06-30"}, today=TODAY)
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "That period is longer than 2 years: choose a start date on or after 2023-06-30."
    ]


def test_a_date_that_isnt_one(world, login):
    response = login(world.admin).get(URL, {"from": "31/03/2025", "to": "2025-04-30"})

    page = text(response)
    assert "Enter a valid date." in page
    assert 'value="31/03/2025"' in page  # what was typed stays in the field


# --- the page -----------------------------------------------------------------------------------------


def test_empty_clinic_says_so(world, login):
    page = text(login(world.admin).get(URL))

    for heading in (
        "Patients by stage",
        "Sessions per week",
        "Clinic outcomes",
        "Adverse events per 100 sessions",
        "Time from dose to discharge",
        "Staff activity",
    ):
        assert heading in page
    assert "No patient has a baseline and a later PHQ-9 in this period." in page
    assert "No doses were given in this period." in page
    assert "No sessions were discharged in this period." in page


def test_page_shows_the_numbers_and_csv_links(world, login):
    today = clinic_time.clinic_today(world.clinic)
    plan_for(world.patient_a, world.prescriber, route="sl")
    baseline(world.patient_a, "phq9", 20, at=days_ago(40), by=world.prescriber)
    measure(world.patient_a, "phq9", 8, at=days_ago(5), by=world.prescriber)
    adverse_event(discharged_after(world, world.patient_a, 100), world.nurse)

    page = text(login(world.admin).get(URL))

    assert "-12.0" in page  # PHQ-9 mean change
    assert "100.0 %" in page  # response, 1 of 1; and 1 event in 1 session
    assert "Nausea or vomiting" in page
    first = (today - datetime.timedelta(days=89)).isoformat()
    assert f"?export=outcomes&from={first}&to={today.isoformat()}" in page


def test_another_clinics_data_never_shows(world, login):
    world.other_clinic.name = "Faraway Clinic"
    world.other_clinic.save(update_fields=["name"])
    plan_for(world.other_patient, world.other_clinician, route="sl")
    baseline(world.other_patient, "phq9", 20, at=days_ago(40), by=world.other_clinician)
    measure(world.other_patient, "phq9", 2, at=days_ago(5), by=world.other_clinician)
    discharged_after(world, world.other_patient, 100)
    audit_record(actor=world.other_clinician, action="view", clinic=world.other_clinic)

    page = text(login(world.admin).get(URL))

    assert "No patient has a baseline and a later PHQ-9 in this period." in page
    assert "No sessions were discharged in this period." in page
    assert world.other_clinician.full_name not in page
    assert "Faraway Clinic" not in page


def test_viewing_the_dashboard_is_audited_with_its_period(world, login):
    login(world.admin).get(URL, {"from": "2025-01-01", "to": "2025-03-31"})

    event = AuditEvent.objects.filter(actor=world.admin, action=AuditEvent.Action.VIEW).get()
    assert (event.clinic, event.detail) == (world.clinic, "admin dashboard, 2025-01-01 to 2025-03-31")


# --- a fixed number of queries ------------------------------------------------------------------------


def busy_clinic(world, patients: int):
    """`patients` patients each with a plan, a baseline and two later PHQ-9s and GAD-7s, two dosed and
    discharged sessions with a dose, an adverse event; and staff activity."""
    lot = stocked_lot(world)
    for n in range(patients):
        patient = PatientFactory(clinic=world.clinic, stage="dosing")
        plan_for(patient, world.prescriber, route=("im", "sl", "iv", "in")[n % 4])
        for instrument in ("phq9", "gad7"):
            baseline(patient, instrument, 15, at=days_ago(50), by=world.prescriber)
            measure(patient, instrument, 10, at=days_ago(30), by=world.prescriber)
            measure(patient, instrument, 4 + n % 6, at=days_ago(10), by=world.prescriber)
        for day in (40, 20):
            session = discharged_after(world, patient, 90 + n, dosed_at=days_ago(day))
            give(session, lot, world.nurse, mg=40, mg_per_kg=0.5, weight_kg=80)
        adverse_event(session, world.nurse, severity=("mild", "moderate")[n % 2])
        audit_record(actor=(world.nurse, world.therapist, world.prescriber)[n % 3], action="view", clinic=world.clinic)


MAX_QUERIES = 19  # the same whatever the clinic's size (session, user, clinic, audit, each table's aggregate …)


@pytest.mark.parametrize("size", [1, 12])
def test_admin_home_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, size):
    busy_clinic(world, size)
    client = login(world.admin)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL)

    assert response.status_code == 200
    assert f'<td class="num">{size}</td>' in response.content.decode()  # PHQ-9 n for all patients


@pytest.mark.parametrize("size", [1, 12])
def test_each_export_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, size):
    busy_clinic(world, size)
    client = login(world.admin)
    client.get(URL)  # the first request also saves the new login's session

    for table in ("outcomes", "adverse_events", "discharge_times", "staff_activity", "sessions_per_week"):
        with django_assert_max_num_queries(6):
            assert client.get(URL, {"export": table}).status_code == 200
