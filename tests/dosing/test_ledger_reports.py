"""Reports: running balance per lot, initial and biennial inventory, dispensing log by date range;
each as a page, a CSV export and a printable view, for one clinic only."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from sessions import clinic_time, services
from sessions.models import Inventory
from tests.factories import PatientFactory, receive_lot

from .ledger_helpers import administer, dispose, form_data

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _at(world, day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=clinic_time.clinic_zone(world.clinic))


def test_balances_csv_lists_each_lot_with_its_balance_in_mg_and_ml(world, lot, other_lot, login):
    administer(lot, world.patient_a, 35, world.nurse)
    rows = _csv(login(world.nurse).get(reverse("dosing:ledger"), {"format": "csv"}))
    assert len(rows) == 1  # the other clinic's lot is not there
    row = rows[0]
    assert row["Lot"] == lot.lot_number
    assert row["NDC"] == lot.ndc
    assert row["Balance (mg)"] == "965"
    assert row["Balance"] == "19.3"
    assert row["Unit"] == "mL"
    assert row["Containers (equivalent)"] == "1.93"


def test_lot_csv_has_every_entry_with_its_running_balance(world, lot, login):
    administer(lot, world.patient_a, 35, world.nurse)
    services.waste_record(
        lot=lot, quantity_mg=Decimal(15), reason="left over", method="container", wasted_by=world.nurse
    )
    rows = _csv(login(world.admin).get(reverse("dosing:ledger_lot", args=[lot.code]), {"format": "csv"}))
    assert [(r["Kind"], r["Change (mg)"], r["Balance after (mg)"]) for r in rows] == [
        ("Receipt", "1000", "1000"),
        ("Administration", "-35", "965"),
        ("Waste", "-15", "950"),
    ]
    assert rows[1]["Patient"] == world.patient_a.legal_name
    assert "NOT YET WITNESSED" in rows[2]["Details"]
    assert "invoice" in rows[0]["Details"]


def test_dispensing_log_filters_by_date_range_in_the_clinics_time_zone(world, lot, login):
    today = clinic_time.clinic_today(world.clinic)
    monday = today - datetime.timedelta(days=10)
    administer(lot, world.patient_a, 30, world.nurse, at=_at(world, monday - datetime.timedelta(days=1), 23))
    inside = administer(lot, world.patient_b, 40, world.prescriber, at=_at(world, monday, 0))
    administer(lot, world.patient_a, 50, world.nurse, at=_at(world, monday + datetime.timedelta(days=2), 9))

    url = reverse("dosing:ledger_dispensing_log")
    query = {"start": monday.isoformat(), "end": (monday + datetime.timedelta(days=1)).isoformat()}
    rows = _csv(login(world.nurse).get(url, {**query, "format": "csv"}))
    assert [r["Entry"] for r in rows] == [str(inside.code)]
    assert rows[0]["Patient"] == world.patient_b.legal_name
    assert rows[0]["Quantity (mg)"] == "40"
    assert rows[0]["Quantity"] == "0.8"
    assert rows[0]["Administered by"] == world.prescriber.full_name

    page = login(world.nurse).get(url, query).content.decode()
    assert world.patient_b.legal_name in page
    assert world.patient_a.legal_name not in page


def test_dispensing_log_shows_only_this_clinics_doses(world, lot, other_lot, login):
    administer(lot, world.patient_a, 30, world.nurse)
    administer(other_lot, world.other_patient, 30, world.other_clinician)
    rows = _csv(login(world.other_admin).get(reverse("dosing:ledger_dispensing_log"), {"format": "csv"}))
    assert [r["Patient"] for r in rows] == [world.other_patient.legal_name]
    page = login(world.admin).get(reverse("dosing:ledger_dispensing_log")).content.decode()
    assert world.patient_a.legal_name in page
    assert world.other_patient.legal_name not in page


def test_dispensing_log_shows_a_dose_as_corrected(world, lot, login):
    dose = administer(lot, world.patient_a, 30, world.nurse)
    services.entry_correct(entry=dose, corrected_mg=Decimal(45), reason="Gave 45 mg", by=world.nurse)
    [row] = _csv(login(world.nurse).get(reverse("dosing:ledger_dispensing_log"), {"format": "csv"}))
    assert row["Quantity (mg)"] == "45"
    assert row["Corrected"] == "yes, recorded as 30 mg"


def test_dispensing_log_refuses_an_end_before_the_start(world, login):
    response = login(world.nurse).get(
        reverse("dosing:ledger_dispensing_log"), {"start": "2026-03-10", "end": "2026-03-01"}
    )
    assert "The end date is before the start date." in response.content.decode()


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(world, lot, login):
    patient = PatientFactory(clinic=world.clinic, legal_name='=HYPERLINK("http://x")', address="@evil")
    administer(lot, patient, 30, world.nurse)
    [row] = _csv(login(world.nurse).get(reverse("dosing:ledger_dispensing_log"), {"format": "csv"}))
    assert row["Patient"].startswith("'=")
    assert row["Patient address"] == "'@evil"


def test_initial_inventory_of_zero_stock_is_recorded_as_zero(world, login):
    inventory = services.inventory_take(clinic=world.clinic, kind="initial", timing="opening", by=world.admin)
    assert inventory.lines.count() == 0
    page = login(world.admin).get(reverse("dosing:ledger_inventory", args=[inventory.code])).content.decode()
    assert "zero stock" in page
    [row] = _csv(login(world.admin).get(reverse("dosing:ledger_inventory", args=[inventory.code]), {"format": "csv"}))
    assert "zero" in row["Substance"]


def test_biennial_inventory_records_every_lot_with_stock_and_its_last_count(world, lot, troche_lot, login):
    empty = receive_lot(clinic=world.clinic, by=world.nurse, containers=1)
    dispose(empty, 500, world.nurse)
    count = services.count_record(lot=lot, counted_mg=Decimal(1000), counted_by=world.nurse, second_counter=world.admin)
    services.inventory_take(clinic=world.clinic, kind="initial", timing="opening", by=world.admin)
    response = login(world.admin).post(
        reverse("dosing:ledger_inventory_take"), form_data(kind="biennial", timing="close", note="")
    )
    assert response.status_code == 302
    inventory = Inventory.objects.get(kind="biennial")
    lines = {line.lot: line for line in inventory.lines.all()}
    assert set(lines) == {lot, troche_lot}  # the empty lot is not listed
    assert lines[lot].balance_mg == Decimal(1000) and lines[lot].last_count == count
    assert lines[troche_lot].balance_mg == Decimal(3000) and lines[troche_lot].last_count is None

    rows = _csv(login(world.admin).get(reverse("dosing:ledger_inventory", args=[inventory.code]), {"format": "csv"}))
    assert {r["Lot"]: r["Balance"] for r in rows} == {lot.lot_number: "20", troche_lot.lot_number: "30"}
    assert {r["At"] for r in rows} == {"Close of business"}


def test_only_one_initial_inventory(world):
    services.inventory_take(clinic=world.clinic, kind="initial", timing="opening", by=world.admin)
    with pytest.raises(Exception, match="already has its initial inventory"):
        services.inventory_take(clinic=world.clinic, kind="initial", timing="opening", by=world.admin)


@pytest.mark.parametrize(
    "name", ["dosing:ledger", "dosing:ledger_dispensing_log", "dosing:ledger_lot", "dosing:ledger_inventory"]
)
def test_printable_views_show_everything_on_one_page(world, lot, login, name):
    for _ in range(30):
        administer(lot, world.patient_a, 1, world.nurse)
    inventory = services.inventory_take(clinic=world.clinic, kind="initial", timing="opening", by=world.admin)
    kwargs = {"dosing:ledger_lot": {"code": lot.code}, "dosing:ledger_inventory": {"code": inventory.code}}
    response = login(world.nurse).get(reverse(name, kwargs=kwargs.get(name)), {"format": "print"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Printed" in html and "DEA CS code 7285" in html
    assert 'class="pagination"' not in html
    assert "js/print.js" in html
    assert "<script>" not in html and 'style="' not in html  # strict CSP later: no inline script or style
    if name == "dosing:ledger_lot":
        assert html.count("Administration") == 30


@pytest.mark.parametrize("name", ["dosing:ledger", "dosing:ledger_dispensing_log", "dosing:ledger_lot"])
def test_report_pages_do_not_grow_their_query_count_with_the_data(
    world, lot, troche_lot, login, name, django_assert_max_num_queries
):
    for i in range(12):
        administer(lot, world.patient_a if i % 2 else world.patient_b, 5, world.nurse)
        services.waste_record(lot=lot, quantity_mg=Decimal(1), reason="x", method="y", wasted_by=world.nurse)
        receive_lot(clinic=world.clinic, by=world.nurse, containers=1)
    client = login(world.nurse)
    url = reverse(name, kwargs={"code": lot.code} if name == "dosing:ledger_lot" else None)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(url, {"format": "csv"}).status_code == 200
