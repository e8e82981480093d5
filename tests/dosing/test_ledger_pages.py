"""The ledger pages: bad input is refused with a plain message (with units) and nothing is written;
good input is recorded; irreversible steps (disposal, corrections) ask for confirmation first."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions import clinic_time, reports, services
from sessions.models import Disposal, LedgerEntry, Lot, Receipt
from tests.factories import PASSWORD, receive_lot

from .ledger_helpers import (
    administer,
    destroy_on_site,
    disposal_post,
    dispose,
    dose_post,
    form_data,
    receipt_post,
    waste_post,
)

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


# --- receiving stock -----------------------------------------------------------------------------


def test_receiving_stock_creates_the_lot_and_its_receipt(world, login):
    response = login(world.nurse).post(reverse("dosing:ledger_receive"), receipt_post(world))
    lot = Lot.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dosing:ledger_lot", args=[lot.code])
    assert lot.balance_mg == Decimal(5000)  # 5 vials × 10 mL × 100 mg/mL
    receipt = Receipt.objects.get()
    assert (receipt.containers, receipt.invoice_number, receipt.entry.performed_by) == (5, "INV-1", world.nurse)


def test_receiving_more_of_the_same_lot_adds_to_it(world, login):
    client = login(world.nurse)
    client.post(reverse("dosing:ledger_receive"), receipt_post(world))
    client.post(reverse("dosing:ledger_receive"), receipt_post(world, containers="2", invoice_number="INV-2"))
    lot = Lot.objects.get()
    assert lot.balance_mg == Decimal(7000)
    assert lot.entries.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"containers": "0"}, "Enter how many containers arrived (1 or more)."),
        ({"containers": "-3"}, "Enter how many containers arrived (1 or more)."),
        ({"strength_mg": "0"}, "The strength must be above zero (mg)."),
        ({"container_size": "-10"}, "The container size must be above zero"),
        ({"ndc": "12345"}, "The NDC should be 10 or 11 digits"),
        ({"supplier_dea_number": "AB1234560"}, "A DEA number is 2 letters and 7 digits"),
        ({"substance": "esketamine"}, "Esketamine (Spravato) is only stocked as: nasal spray device."),
        ({"form": "troche", "container_size": "2.5"}, "A package holds a whole number of troches or devices."),
        ({"received_on": "2999-01-01"}, "The date received can't be in the future."),
        ({"expires_on": "2001-01-01"}, "expired stock can't be received"),
        ({"supplier_name": ""}, "This field is required."),
    ],
)
def test_a_bad_receipt_is_refused_with_a_clear_message_and_writes_nothing(world, login, changes, message):
    response = login(world.nurse).post(reverse("dosing:ledger_receive"), receipt_post(world, **changes))
    assert response.status_code == 200
    assert message in _text(response)
    assert not Lot.objects.exists() and not LedgerEntry.objects.exists()


def test_a_receipt_whose_details_differ_from_the_lot_on_the_ledger_is_refused(world, login):
    client = login(world.nurse)
    client.post(reverse("dosing:ledger_receive"), receipt_post(world))
    response = client.post(reverse("dosing:ledger_receive"), receipt_post(world, strength_mg="50"))
    assert "already on the ledger with a different strength" in _text(response)
    assert LedgerEntry.objects.count() == 1


def test_receiving_for_a_person_of_another_clinic_is_refused(world, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_receive"), receipt_post(world, received_by=str(world.other_clinician.code))
    )
    assert "Select a valid choice" in _text(response)
    assert not Lot.objects.exists()


# --- administering -------------------------------------------------------------------------------


def test_recording_a_dose_in_ml_books_its_mg(world, lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_administer", args=[lot.code]), dose_post(world, quantity="0.7", unit="mL")
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="administration")
    assert (entry.change_mg, entry.patient, entry.performed_by) == (Decimal(-35), world.patient_a, world.nurse)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": "0"}, "Enter a quantity above zero."),
        ({"quantity": "-5"}, "Enter a quantity above zero."),
        ({"quantity": "abc"}, "Enter a number."),
        ({"quantity": "1.0001"}, "Ensure that there are no more than 3 decimal places."),
        ({"unit": "each"}, "A vial is recorded in mg or mL, not in units."),
        ({"quantity": "1000.001"}, "holds only 1000 mg (20 mL), less than the 1000.001 mg"),
        ({"quantity": "20.5", "unit": "mL"}, "holds only 1000 mg (20 mL), less than the 1025 mg (20.5 mL)"),
        ({"occurred_at": "2999-01-01T10:00"}, "That time is in the future."),
    ],
)
def test_a_bad_dose_is_refused_with_a_clear_message_and_writes_nothing(world, lot, login, changes, message):
    response = login(world.nurse).post(
        reverse("dosing:ledger_administer", args=[lot.code]), dose_post(world, **changes)
    )
    assert response.status_code == 200
    assert message in _text(response)
    assert not LedgerEntry.objects.filter(kind="administration").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit": "mL"}, "A troche is recorded in mg or troches, not in mL."),
        ({"quantity": "1.5", "unit": "each"}, "Troches are counted whole: enter a whole number."),
        ({"quantity": "150", "unit": "mg"}, "150 mg is not a whole number of 100 mg troches."),
    ],
)
def test_a_troche_dose_must_be_whole_troches(world, troche_lot, login, changes, message):
    response = login(world.nurse).post(
        reverse("dosing:ledger_administer", args=[troche_lot.code]), dose_post(world, **changes)
    )
    assert message in _text(response)
    assert not LedgerEntry.objects.filter(kind="administration").exists()


def test_two_troches_are_200_mg(world, troche_lot, login):
    login(world.nurse).post(
        reverse("dosing:ledger_administer", args=[troche_lot.code]), dose_post(world, quantity="2", unit="each")
    )
    assert LedgerEntry.objects.get(kind="administration").change_mg == Decimal(-200)


def test_a_dose_for_another_clinics_patient_is_refused(world, lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_administer", args=[lot.code]), dose_post(world, patient=world.other_patient)
    )
    assert "Select a valid choice" in _text(response)
    assert not LedgerEntry.objects.filter(kind="administration").exists()


@pytest.fixture
def expired_lot(world, monkeypatch):
    """A lot received a month ago that expired yesterday (receiving expired stock is refused)."""
    today = clinic_time.clinic_today(world.clinic)
    with monkeypatch.context() as patch:
        patch.setattr(clinic_time, "clinic_today", lambda clinic: today - datetime.timedelta(days=30))
        return receive_lot(
            clinic=world.clinic,
            by=world.nurse,
            received_on=today - datetime.timedelta(days=30),
            expires_on=today - datetime.timedelta(days=1),
        )


def test_a_lot_is_usable_through_its_expiry_date(world):
    lot = receive_lot(clinic=world.clinic, by=world.nurse, expires_on=clinic_time.clinic_today(world.clinic))
    administer(lot, world.patient_a, 10, world.nurse)
    assert lot.balance_mg == Decimal(990)


def test_a_dose_from_an_expired_lot_is_refused(world, expired_lot, login):
    with pytest.raises(ValidationError, match="expired on .* can't be used for a dose"):
        administer(expired_lot, world.patient_a, 10, world.nurse)
    client = login(world.nurse)
    assert "This lot has expired" in _text(client.get(reverse("dosing:ledger_administer", args=[expired_lot.code])))
    response = client.post(reverse("dosing:ledger_administer", args=[expired_lot.code]), dose_post(world))
    assert "can't be used for a dose. Record its disposal instead." in _text(response)
    assert not LedgerEntry.objects.filter(kind="administration").exists()
    # the ledger shows it on the worklist, and it can still be disposed of
    assert "record its disposal" in _text(client.get(reverse("dosing:ledger")))
    dispose(expired_lot, 1000, world.nurse)


# --- waste ---------------------------------------------------------------------------------------


def test_a_waste_witnessed_by_the_waster_themselves_is_refused(world, lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_waste", args=[lot.code]),
        waste_post(world, witness_email=world.nurse.email, witness_password=PASSWORD),
    )
    assert "The witness must be someone other than the person who wasted the drug." in _text(response)
    assert not LedgerEntry.objects.filter(kind="waste").exists()


def test_a_waste_with_no_reason_or_method_is_refused(world, lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_waste", args=[lot.code]),
        waste_post(world, reason="", method=""),
    )
    assert _text(response).count("This field is required.") == 2
    assert not LedgerEntry.objects.filter(kind="waste").exists()


def test_recording_waste_without_a_witness_flags_it(world, lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_waste", args=[lot.code]),
        waste_post(world, quantity="0.3", unit="mL"),
        follow=True,
    )
    assert "stays on the worklist until a witness confirms it" in _text(response)
    assert LedgerEntry.objects.get(kind="waste").change_mg == Decimal(-15)


# --- disposal: details, then a confirmation page -------------------------------------------------


def test_disposal_on_site_asks_for_confirmation_and_a_second_witness(world, lot, login):
    client = login(world.nurse)
    url = reverse("dosing:ledger_dispose", args=[lot.code])
    details = disposal_post(world)  # the confirmation page sends them again, with the same token
    confirm_page = client.post(url, details)
    assert "Confirm the disposal" in _text(confirm_page)
    assert "can't be undone" in _text(confirm_page)
    assert details["submission"] in _text(confirm_page)
    assert not Disposal.objects.exists()

    no_witness = client.post(url, {**details, "confirm": "1"})
    assert "The second witness enters their email and password." in _text(no_witness)
    assert not Disposal.objects.exists()

    same_person = client.post(
        url, {**details, "confirm": "1", "witness_email": world.nurse.email, "witness_password": PASSWORD}
    )
    assert "someone other than you" in _text(same_person)
    assert not Disposal.objects.exists()

    done = client.post(
        url, {**details, "confirm": "1", "witness_email": world.admin.email, "witness_password": PASSWORD}
    )
    assert done.status_code == 302
    disposal = Disposal.objects.get()
    assert (disposal.witness_1, disposal.witness_2) == (world.nurse, world.admin)
    lot.refresh_from_db()
    assert lot.balance_mg == 0


def test_disposal_to_a_reverse_distributor_needs_its_name_address_and_dea_number(world, lot, login):
    url = reverse("dosing:ledger_dispose", args=[lot.code])
    response = login(world.nurse).post(url, disposal_post(world, method="reverse_distributor"))
    text = _text(response)
    assert "Enter the reverse distributor's name." in text
    assert "Enter the reverse distributor's address." in text
    assert "A DEA number is 2 letters and 7 digits" in text
    good = disposal_post(
        world,
        method="reverse_distributor",
        quantity="5",
        unit="mL",
        reverse_distributor_name="Returns Co",
        reverse_distributor_address="9 Dock Road",
        reverse_distributor_dea_number="RC1234563",
    )
    assert login(world.nurse).post(url, {**good, "confirm": "1"}).status_code == 302
    assert LedgerEntry.objects.get(kind="disposal").change_mg == Decimal(-250)


def test_disposing_of_more_than_the_lot_holds_is_refused(world, lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_dispose", args=[lot.code]),
        {
            **disposal_post(world, quantity="21", unit="mL"),
            "confirm": "1",
            "witness_email": world.admin.email,
            "witness_password": PASSWORD,
        },
    )
    assert "holds only 1000 mg (20 mL), less than the 1050 mg (21 mL) to be disposed of" in _text(response)
    assert not Disposal.objects.exists()


# --- corrections: the corrected quantity and reason, then a confirmation page --------------------


def test_correcting_an_entry_asks_for_confirmation_then_books_the_difference(world, lot, login):
    dose = administer(lot, world.patient_a, 35, world.nurse)
    client = login(world.prescriber)
    url = reverse("dosing:ledger_entry_correct", args=[dose.code])
    details = form_data(quantity="0.8", unit="mL", reason="The dose was 40 mg")
    confirm_page = client.post(url, details)
    assert "will stand at 40 mg (0.8 mL) instead of 35 mg (0.7 mL)" in _text(confirm_page)
    assert details["submission"] in _text(confirm_page)
    assert not LedgerEntry.objects.filter(kind="correction").exists()
    done = client.post(url, {**details, "confirm": "1"})
    assert done.status_code == 302
    correction = LedgerEntry.objects.get(kind="correction")
    assert (correction.corrects, correction.change_mg, correction.reason) == (dose, Decimal(-5), "The dose was 40 mg")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "35", "unit": "mg", "reason": "same", "confirm": "1"}, "nothing to correct"),
        ({"quantity": "-1", "unit": "mg", "reason": "x", "confirm": "1"}, "Enter a quantity of zero or more."),
        ({"quantity": "30", "unit": "mg", "reason": "", "confirm": "1"}, "Say why the entry was wrong."),
        ({"quantity": "1001", "unit": "mg", "reason": "x", "confirm": "1"}, "would take the balance of lot"),
    ],
)
def test_a_bad_correction_is_refused_and_writes_nothing(world, lot, login, data, message):
    dose = administer(lot, world.patient_a, 35, world.nurse)
    response = login(world.prescriber).post(reverse("dosing:ledger_entry_correct", args=[dose.code]), form_data(**data))
    assert message in _text(response)
    assert not LedgerEntry.objects.filter(kind="correction").exists()


def test_a_correction_itself_cannot_be_corrected(world, lot, login):
    dose = administer(lot, world.patient_a, 35, world.nurse)
    correction = services.entry_correct(entry=dose, corrected_mg=Decimal(30), reason="x", by=world.admin)
    response = login(world.admin).get(reverse("dosing:ledger_entry_correct", args=[correction.code]), follow=True)
    assert "Only a receipt, administration, waste or disposal can be corrected." in _text(response)


def test_writes_to_another_clinics_records_are_not_found_and_write_nothing(world, lot, other_lot, login):
    dose = administer(other_lot, world.other_patient, 30, world.other_clinician)
    client = login(world.nurse)
    posts = [
        (reverse("dosing:ledger_administer", args=[other_lot.code]), dose_post(world, patient=world.other_patient)),
        (reverse("dosing:ledger_dispose", args=[other_lot.code]), {**disposal_post(world), "confirm": "1"}),
        (
            reverse("dosing:ledger_entry_correct", args=[dose.code]),
            {"quantity": "1", "unit": "mg", "reason": "x", "confirm": "1"},
        ),
    ]
    before = LedgerEntry.objects.count()
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert LedgerEntry.objects.count() == before


def test_the_ledger_nav_item_is_shown_to_those_who_keep_the_ledger(world, login):
    ledger_url = reverse("dosing:ledger")
    for who, shown in [("nurse", True), ("prescriber", True), ("admin", True), ("therapist", False)]:
        page = login(getattr(world, who)).get(reverse("intake:patient_list"))
        assert (f'href="{ledger_url}"' in _text(page)) is shown, who


def test_the_ledger_home_lists_lots_and_their_balances(world, lot, troche_lot, login):
    page = _text(login(world.admin).get(reverse("dosing:ledger")))
    assert "1000 mg (20 mL)" in page
    assert "3000 mg (30 troches)" in page
    assert "No inventory yet" in page


def test_empty_states(world, login):
    page = _text(login(world.admin).get(reverse("dosing:ledger")))
    assert "No lot has stock on hand." in page
    assert "Every waste has been witnessed." in page
    assert "No doses were recorded in these dates." in _text(
        login(world.admin).get(reverse("dosing:ledger_dispensing_log"))
    )
    assert "No inventory has been taken yet." in _text(login(world.admin).get(reverse("dosing:ledger_inventories")))


def test_an_on_site_destruction_shows_the_form_41_packages(world, lot, login):
    entry = destroy_on_site(lot, 675, world.nurse, world.admin)  # one 500 mg vial and 3.5 mL of another
    page = _text(login(world.admin).get(reverse("dosing:ledger_entry", args=[entry.code])))
    assert "10 mL per container; destroyed 1 full container + 3.5 mL, in total 675 mg (13.5 mL)" in page
    assert world.admin.full_name in page and "Denaturing kit" in page


def test_counts_of_containers_read_singular_for_one_and_plural_otherwise(world, lot, troche_lot, login):
    client = login(world.admin)
    assert ": 1 container from" in reports.entry_details(troche_lot.entries.get())  # the CSV's details
    lot_page = _text(client.get(reverse("dosing:ledger_lot", args=[troche_lot.code])))
    assert "1 container from" in lot_page and "· 1 container<" in lot_page  # the receipt, and the balance
    assert "1 containers" not in lot_page
    two_page = _text(client.get(reverse("dosing:ledger_lot", args=[lot.code])))
    assert "2 containers from" in two_page and "· 2 containers<" in two_page


def test_quantities_name_one_unit_in_the_singular(world, troche_lot):
    from sessions.templatetags.ledger_tags import containers_text, packages, unit_name_for

    assert containers_text(Decimal(1500), troche_lot) == "0.5 containers"
    assert packages(Decimal(3000), troche_lot) == "1 full container"
    assert packages(Decimal(6100), troche_lot) == "2 full containers + 1 troche"
    assert (unit_name_for(Decimal(1), troche_lot), unit_name_for(Decimal(30), troche_lot)) == ("troche", "troches")
