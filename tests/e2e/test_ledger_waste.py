"""A nurse wastes what was left of a dose; it waits on the ledger until a prescriber witnesses it."""

import pytest

from kap_clinic.demo.clinic import DEMO_PASSWORD, seed
from sessions.models import LedgerEntry

pytestmark = pytest.mark.django_db(transaction=True)


def open_ledger(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ledger").click()


def test_unwitnessed_waste_waits_on_the_ledger_until_a_prescriber_witnesses_it(browser, live_server, log_in, page):
    seed()
    log_in("nurse@harbor.demo", DEMO_PASSWORD)
    open_ledger(page)
    page.get_by_role("link", name="Ketamine HCl (racemic) 50 mg/mL, 10 mL vial").click()
    page.get_by_role("link", name="Record waste").click()
    page.get_by_label("Amount wasted").fill("15")
    page.get_by_label("How it was wasted").fill("Expelled into a drug-disposal pouch")
    page.get_by_role("button", name="Record the waste").click()

    assert page.get_by_text("It stays on the worklist until a witness confirms it").is_visible()
    open_ledger(page)
    worklist = page.locator("li", has_text="Unwitnessed")
    assert worklist.count() == 1

    # The prescriber, at the same workstation, confirms with their own credentials.
    worklist.get_by_role("link", name="Witness").click()
    page.get_by_label("Witness: email").fill("prescriber@harbor.demo")
    page.get_by_label("Witness: password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="I witnessed this waste").click()

    assert page.get_by_text("witnessed the waste").is_visible()
    open_ledger(page)
    assert page.get_by_text("Every waste has been witnessed.").is_visible()
    waste = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.WASTE).latest("id")
    assert waste.change_mg == -15 and waste.waste.witness.witness.email == "prescriber@harbor.demo"


def test_the_waster_cannot_witness_their_own_waste(browser, live_server, log_in, page):
    seed()
    log_in("nurse@harbor.demo", DEMO_PASSWORD)
    open_ledger(page)
    page.get_by_role("link", name="Ketamine HCl (racemic) 50 mg/mL, 10 mL vial").click()
    page.get_by_role("link", name="Record waste").click()
    page.get_by_label("Amount wasted").fill("15")
    page.get_by_label("How it was wasted").fill("Expelled into a drug-disposal pouch")
    page.get_by_label("Witness: email").fill("nurse@harbor.demo")
    page.get_by_label("Witness: password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Record the waste").click()

    assert page.get_by_role("heading", name="Record waste").is_visible()  # still on the form
    assert page.get_by_label("How it was wasted").input_value() == "Expelled into a drug-disposal pouch"
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.WASTE, change_mg=-15).exists()
