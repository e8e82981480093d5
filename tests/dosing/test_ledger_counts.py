"""Counts: a physical count per lot by two people against the balance the ledger expects. A discrepancy
is booked so the ledger matches the shelf; an unexplained one alerts the clinic admins, with the DEA
theft/loss deadlines (1 business day in writing; Form 106 within 45 days)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions import selectors, services
from sessions.models import Count, DiscrepancyExplanation, LedgerEntry

from .ledger_helpers import administer, count_post, form_data

pytestmark = pytest.mark.django_db


def _count(lot, world, mg, **kwargs):
    return services.count_record(
        lot=lot, counted_mg=Decimal(mg), counted_by=world.nurse, second_counter=world.prescriber, **kwargs
    )


def test_a_count_that_matches_books_nothing_and_alerts_nobody(
    world, lot, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        count = _count(lot, world, 1000, expected_mg=Decimal(1000))
    assert not count.has_discrepancy
    assert count.adjustment is None
    assert list(selectors.open_discrepancies(world.clinic)) == []
    assert mailoutbox == []


def test_an_unexplained_discrepancy_is_booked_and_alerts_the_clinic_admins(
    world, lot, mailoutbox, django_capture_on_commit_callbacks, login
):
    with django_capture_on_commit_callbacks(execute=True):
        count = _count(lot, world, 975)

    assert count.expected_mg == Decimal(1000)
    assert count.discrepancy_mg == Decimal(-25)
    assert count.adjustment.kind == LedgerEntry.Kind.ADJUSTMENT
    assert count.adjustment.change_mg == Decimal(-25)
    lot.refresh_from_db()
    assert lot.balance_mg == Decimal(975)  # the ledger now matches the shelf
    assert list(selectors.open_discrepancies(world.clinic)) == [count]

    [mail] = mailoutbox
    assert set(mail.to) == {world.clinic.contact_email, world.admin.email}
    assert "25 mg (0.5 mL)" in mail.body
    assert "within 1 business day" in mail.body
    assert "DEA Form 106" in mail.body and "45 days" in mail.body
    assert world.patient_a.legal_name not in mail.body

    page = login(world.admin).get(reverse("dosing:ledger")).content.decode()
    assert "Unexplained count discrepancy" in page
    assert "within 1 business day" in page
    assert reverse("dosing:ledger_discrepancy_explain", args=[count.code]) in page


def test_a_discrepancy_explained_at_the_count_is_not_an_alert(
    world, lot, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        count = _count(lot, world, 990, explanation="0.2 mL spilled while drawing up; seen by both")
    assert count.explanation.explanation.startswith("0.2 mL spilled")
    assert "0.2 mL spilled" in count.adjustment.reason
    assert list(selectors.open_discrepancies(world.clinic)) == []
    assert mailoutbox == []


def test_explaining_a_discrepancy_later_closes_its_alert(world, lot, login):
    count = _count(lot, world, 900)
    response = login(world.admin).post(
        reverse("dosing:ledger_discrepancy_explain", args=[count.code]),
        form_data(explanation="A dose of 100 mg was not recorded; corrected.", dea_notified_on=""),
    )
    assert response.status_code == 302
    assert list(selectors.open_discrepancies(world.clinic)) == []
    assert DiscrepancyExplanation.objects.get(count=count).explained_by == world.admin


def test_an_empty_explanation_is_refused(world, lot, login):
    count = _count(lot, world, 900)
    response = login(world.admin).post(
        reverse("dosing:ledger_discrepancy_explain", args=[count.code]), form_data(explanation="   ")
    )
    assert response.status_code == 200
    assert "Write what caused the difference" in response.content.decode()
    assert not DiscrepancyExplanation.objects.exists()


def test_a_count_against_a_balance_that_changed_meanwhile_is_refused(world, lot):
    administer(lot, world.patient_a, 50, world.nurse)
    with pytest.raises(ValidationError, match="changed while you counted"):
        _count(lot, world, 1000, expected_mg=Decimal(1000))
    assert not Count.objects.exists()


def test_a_count_needs_two_different_people(world, lot):
    with pytest.raises(ValidationError, match="second person"):
        services.count_record(lot=lot, counted_mg=Decimal(1000), counted_by=world.nurse, second_counter=world.nurse)
    assert not Count.objects.exists()


@pytest.mark.parametrize("second", ["therapist", "other_clinician"])
def test_the_second_counter_must_keep_this_clinics_ledger(world, lot, second):
    with pytest.raises(ValidationError, match="second counter"):
        services.count_record(
            lot=lot, counted_mg=Decimal(1000), counted_by=world.nurse, second_counter=getattr(world, second)
        )
    assert not Count.objects.exists()


def test_a_negative_count_is_refused_and_zero_is_allowed(world, lot):
    with pytest.raises(ValidationError, match="zero or more"):
        _count(lot, world, -1)
    assert not Count.objects.exists()
    count = _count(lot, world, 0, explanation="Vials broken in transit, reported")
    assert count.counted_mg == 0


def test_a_count_for_another_clinics_lot_is_refused_and_writes_nothing(world, other_lot, login):
    response = login(world.nurse).post(reverse("dosing:ledger_count", args=[other_lot.code]), count_post(world))
    assert response.status_code == 404
    with pytest.raises(ValidationError, match="not a prescriber, nurse or clinic admin"):
        services.count_record(
            lot=other_lot, counted_mg=Decimal(1000), counted_by=world.nurse, second_counter=world.prescriber
        )
    assert not Count.objects.exists()


def test_the_count_page_records_a_two_person_count(world, troche_lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_count", args=[troche_lot.code]),
        count_post(world, quantity="29", unit="each", expected_mg="3000", second_email=world.admin.email),
    )
    assert response.status_code == 302
    count = Count.objects.get()
    assert (count.counted_mg, count.counted_by, count.second_counter) == (Decimal(2900), world.nurse, world.admin)


def test_the_count_page_refuses_a_second_counter_who_is_you(world, lot, login):
    response = login(world.nurse).post(
        reverse("dosing:ledger_count", args=[lot.code]),
        count_post(world, quantity="20", unit="mL", second_email=world.nurse.email),
    )
    assert response.status_code == 200
    assert "The second counter must be someone other than you." in response.content.decode()
    assert not Count.objects.exists()
