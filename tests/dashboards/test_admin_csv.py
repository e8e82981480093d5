"""Every table of the admin dashboard downloads as CSV (`?export=<table>&from=…&to=…`): a header row and the
page's numbers, a filename naming the clinic and the dates, audited as a download; the clinic's own data only."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.dashboards.exports import TABLES
from sessions import clinic_time
from tests.factories import StaffFactory

from .helpers import adverse_event, baseline, days_ago, discharged_after, measure, patients, plan_for

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:admin_home")


def dates(world, first_days_ago=30):
    today = clinic_time.clinic_today(world.clinic)
    return (today - datetime.timedelta(days=first_days_ago)).isoformat(), today.isoformat()


def download(client, table, first, last):
    response = client.get(URL, {"export": table, "from": first, "to": last})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def admin(world, login):
    return login(world.admin)


def test_outcomes_csv(world, admin):
    """PHQ-9 baselines 20 and 10, latest 8 and 6: changes −12 and −4 → mean −8.0; response 20→8 only (50.0 %);
    remission none (0.0 %). Both depression, IM, no dose recorded."""
    for patient, (start, latest) in zip(patients(world.clinic, 2), [(20, 8), (10, 6)], strict=True):
        plan_for(patient, world.prescriber, indication="depression", route="im")
        baseline(patient, "phq9", start, at=days_ago(40), by=world.prescriber)
        measure(patient, "phq9", latest, at=days_ago(5), by=world.prescriber)

    rows = download(admin, "outcomes", *dates(world))

    assert rows[0] == [
        "Instrument",
        "Breakdown",
        "Group",
        "Patients (n)",
        "Mean change from baseline (points)",
        "Responders",
        "Response rate (%)",
        "Patients above the remission line at baseline (n)",
        "Remitted",
        "Remission rate (%)",
    ]
    assert rows[1:] == [
        ["PHQ-9", "Overall", "All patients", "2", "-8.0", "1", "50.0", "2", "0", "0.0"],
        ["PHQ-9", "Indication", "Depression", "2", "-8.0", "1", "50.0", "2", "0", "0.0"],
        ["PHQ-9", "Route", "Intramuscular (IM)", "2", "-8.0", "1", "50.0", "2", "0", "0.0"],
        ["PHQ-9", "Dose band", "Not recorded", "2", "-8.0", "1", "50.0", "2", "0", "0.0"],
    ]


def test_stages_csv(world, admin):
    rows = download(admin, "stages", *dates(world))

    assert rows[0] == ["Stage", "Patients at this stage now", "Patients who reached this stage"]
    # the world's two patients, at intake, were invited today
    assert rows[1:3] == [["Invited", "0", "2"], ["Intake", "2", "2"]]
    assert rows[-2:] == [["Not eligible", "0", ""], ["Discharged from program", "0", ""]]
    assert len(rows) == 1 + 10


def test_sessions_per_week_csv(world, admin):
    discharged_after(world, world.patient_a, 90, dosed_at=days_ago(1))
    first, last = dates(world, first_days_ago=13)

    rows = download(admin, "sessions_per_week", first, last)

    assert rows[0] == ["ISO week", "Week starting (Monday)", "Sessions discharged", "Cancelled", "No-shows"]
    assert sum(int(row[2]) for row in rows[1:]) == 1
    assert all(datetime.date.fromisoformat(row[1]).weekday() == 0 for row in rows[1:])
    assert len(rows) - 1 in (2, 3)  # 14 days touch two or three ISO weeks


def test_adverse_events_csv(world, admin):
    """4 sessions, one mild nausea: 1 / 4 × 100 = 25.0 per 100 sessions."""
    sessions = [discharged_after(world, world.patient_a, 90, dosed_at=days_ago(n + 1)) for n in range(4)]
    adverse_event(sessions[0], world.nurse)

    rows = download(admin, "adverse_events", *dates(world))

    assert rows == [
        ["Kind", "Severity", "Events", "Sessions dosed", "Events per 100 sessions"],
        ["Nausea or vomiting", "All", "1", "4", "25.0"],
        ["Nausea or vomiting", "Mild", "1", "4", "25.0"],
        ["Any adverse event", "All", "1", "4", "25.0"],
    ]


def test_discharge_times_csv(world, admin):
    """SL sessions discharged 100 and 140 minutes after the dose: median 120.0, p90 100 + 0.9 × 40 = 136.0."""
    plan_for(world.patient_a, world.prescriber, route="sl")
    discharged_after(world, world.patient_a, 100)
    discharged_after(world, world.patient_a, 140)

    rows = download(admin, "discharge_times", *dates(world))

    assert rows == [
        ["Route", "Sessions discharged", "Median minutes from dose to discharge", "90th percentile (minutes)"],
        ["Sublingual / buccal (SL)", "2", "120.0", "136.0"],
        ["All routes", "2", "120.0", "136.0"],
    ]


def test_ledger_csv(world, admin):
    from sessions import services
    from tests.factories import receive_lot

    lot = receive_lot(clinic=world.clinic, by=world.nurse)
    entry = services.waste_record(
        lot=lot, quantity_mg=Decimal(5), reason="Left in the vial", method="Disposal container", wasted_by=world.nurse
    )

    rows = download(admin, "ledger", *dates(world))

    local = clinic_time.clinic_zone(world.clinic)
    assert rows == [
        ["Waiting in the ledger", "Open now", "Oldest since"],
        ["Unexplained count discrepancies", "0", ""],
        ["Waste awaiting a witness", "1", entry.occurred_at.astimezone(local).strftime("%Y-%m-%d %H:%M")],
    ]


def test_staff_activity_csv_quotes_what_a_spreadsheet_would_run(world, admin):
    sly = StaffFactory(clinic=world.clinic, full_name="=HYPERLINK(1)", clinician_kind="therapist")
    for action in ("view", "view", "sign"):
        audit_record(actor=sly, action=action, clinic=world.clinic)

    rows = download(admin, "staff_activity", *dates(world))

    assert rows[0] == [
        "Staff member",
        "Email",
        "Role",
        "Views",
        "Creates",
        "Updates",
        "Signs",
        "Downloads",
        "All actions",
    ]
    assert ["'=HYPERLINK(1)", sly.email, "Therapist", "2", "0", "0", "1", "0", "3"] in rows


def test_filename_names_the_clinic_and_the_dates_and_the_download_is_audited(world, admin):
    world.clinic.name = "Harbor Light Clinic"
    world.clinic.save(update_fields=["name"])
    first, last = dates(world)

    response = admin.get(URL, {"export": "outcomes", "from": first, "to": last})

    assert response["Content-Disposition"] == (
        f'attachment; filename="harbor-light-clinic_outcomes_{first}_to_{last}.csv"'
    )
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).get()
    assert (event.actor, event.clinic) == (world.admin, world.clinic)
    assert event.detail == f"admin dashboard CSV: clinic outcomes, {first} to {last}"


def test_every_table_exports(world, admin):
    for table in TABLES:
        rows = download(admin, table, *dates(world))
        assert rows and rows[0], table


def test_export_without_dates_uses_the_last_90_days(world, admin):
    response = admin.get(URL, {"export": "stages"})

    today = clinic_time.clinic_today(world.clinic)
    first = today - datetime.timedelta(days=89)
    assert f"_{first.isoformat()}_to_{today.isoformat()}.csv" in response["Content-Disposition"]


def test_unknown_table_is_not_found(admin):
    assert admin.get(URL, {"export": "patients"}).status_code == 404


def test_export_with_bad_dates_shows_the_page_and_its_message(admin):
    response = admin.get(URL, {"export": "outcomes", "from": "2025-05-01", "to": "2025-04-01"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "after the end date" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_another_clinics_admin_downloads_only_their_own_clinic(world, login):
    discharged_after(world, world.patient_a, 90, dosed_at=days_ago(1))
    client = login(world.other_admin)

    response = client.get(URL, {"export": "discharge_times"})

    assert world.other_clinic.code and "clinic" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == [["All routes", "0", "", ""]]


@pytest.mark.parametrize("persona", ["prescriber", "nurse", "therapist"])
def test_clinicians_cannot_export(world, login, persona):
    assert login(getattr(world, persona)).get(URL, {"export": "outcomes"}).status_code == 403
