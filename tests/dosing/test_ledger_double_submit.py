"""A ledger form sent twice (a double click, a resent POST, two copies at once) records once: the second
writes nothing and lands on what the first created, saying it was already recorded."""

import re
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from kap_clinic.submissions import services as submissions
from kap_clinic.submissions.models import Submission
from sessions import services
from sessions.models import (
    Count,
    DiscrepancyExplanation,
    Disposal,
    Inventory,
    LedgerEntry,
    Receipt,
    Waste,
    WasteWitness,
)
from tests.factories import PASSWORD, receive_lot

from .ledger_helpers import (
    administer,
    count_post,
    disposal_post,
    dose_post,
    form_data,
    receipt_post,
    record_waste,
    waste_post,
    witness_post,
)

ALREADY = "This was already recorded."


def _text(response) -> str:
    return response.content.decode()


def _token(response) -> str:
    return re.search(r'name="submission" value="([0-9a-f-]{36})"', _text(response)).group(1)


# Each write view, for the world and its 1000 mg lot: its URL, what its form sends, and the rows it adds to.


def _receive(world, lot):
    return reverse("dosing:ledger_receive"), receipt_post(world), Receipt.objects.all()


def _administer(world, lot):
    url = reverse("dosing:ledger_administer", args=[lot.code])
    return url, dose_post(world), LedgerEntry.objects.filter(kind="administration")


def _waste(world, lot):
    return reverse("dosing:ledger_waste", args=[lot.code]), waste_post(world), Waste.objects.all()


def _witness(world, lot):
    url = reverse("dosing:ledger_waste_witness", args=[record_waste(lot, 10, world.nurse).code])
    return url, witness_post(world.prescriber), WasteWitness.objects.all()


def _dispose(world, lot):
    """All of it: a second disposal would find nothing left."""
    data = disposal_post(world, confirm="1", witness_email=world.admin.email, witness_password=PASSWORD)
    return reverse("dosing:ledger_dispose", args=[lot.code]), data, Disposal.objects.all()


def _count(world, lot):
    """A discrepancy: a second count would find the balance changed by the first one's adjustment."""
    return reverse("dosing:ledger_count", args=[lot.code]), count_post(world, quantity="990"), Count.objects.all()


def _explain(world, lot):
    count = services.count_record(lot=lot, counted_mg=900, counted_by=world.nurse, second_counter=world.admin)
    data = form_data(explanation="A dose of 100 mg was not recorded.", dea_notified_on="")
    return reverse("dosing:ledger_discrepancy_explain", args=[count.code]), data, DiscrepancyExplanation.objects.all()


def _correct(world, lot):
    """A second correction to the same quantity would find nothing to correct."""
    dose = administer(lot, world.patient_a, 35, world.nurse)
    data = form_data(quantity="40", unit="mg", reason="The dose was 40 mg", confirm="1")
    return reverse("dosing:ledger_entry_correct", args=[dose.code]), data, LedgerEntry.objects.filter(kind="correction")


def _inventory(world, lot):
    """The initial inventory: a second initial one would be refused."""
    data = form_data(kind="initial", timing="close", note="")
    return reverse("dosing:ledger_inventory_take"), data, Inventory.objects.all()


WRITES = {
    "receive": _receive,
    "administer": _administer,
    "waste": _waste,
    "witness": _witness,
    "dispose": _dispose,
    "count": _count,
    "explain": _explain,
    "correct": _correct,
    "inventory": _inventory,
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_same_form_sent_twice_records_once_and_lands_on_the_first_record(world, lot, login, write):
    url, data, rows = WRITES[write](world, lot)
    before = rows.count()
    client = login(world.nurse)

    first = client.post(url, data)
    assert first.status_code == 302, _text(first)
    record = Submission.objects.get(token=data["submission"]).record
    again = client.post(url, data)

    assert rows.count() == before + 1
    assert Submission.objects.count() == 1
    assert again.status_code == 302
    assert again["Location"] == record.get_absolute_url()
    assert ALREADY in _text(client.get(again["Location"]))


@pytest.mark.django_db
def test_a_form_shown_again_with_its_errors_keeps_its_token(world, login):
    client = login(world.nurse)
    url = reverse("dosing:ledger_receive")
    token = _token(client.get(url))

    refused = client.post(url, receipt_post(world, containers="0", submission=token))
    assert "Enter how many containers arrived" in _text(refused)
    assert _token(refused) == token
    assert not Receipt.objects.exists()

    assert client.post(url, receipt_post(world, submission=token)).status_code == 302
    assert client.post(url, receipt_post(world, submission=token))["Location"] == (
        LedgerEntry.objects.get().get_absolute_url()
    )
    assert Receipt.objects.count() == 1


@pytest.mark.django_db
def test_each_time_a_form_is_shown_it_has_a_new_token(world, lot, login):
    client = login(world.nurse)
    url = reverse("dosing:ledger_administer", args=[lot.code])
    assert _token(client.get(url)) != _token(client.get(url))


@pytest.mark.django_db
def test_a_form_without_its_token_is_refused_and_writes_nothing(world, login):
    data = receipt_post(world)
    del data["submission"]
    response = login(world.nurse).post(reverse("dosing:ledger_receive"), data)
    assert response.status_code == 200
    assert "This form is out of date: open it again and fill it in." in _text(response)
    assert not Receipt.objects.exists()


@pytest.mark.django_db
def test_every_page_loads_the_script_that_sends_a_form_once(world, login):
    assert 'src="/static/js/forms.js"' in _text(login(world.nurse).get(reverse("dosing:ledger_receive")))


# --- a copy of the request that loses the race -----------------------------------------------------


@pytest.fixture
def first_copy_unseen(monkeypatch):
    """The first look for the token misses, as when the first copy has not committed yet."""
    calls = []
    look = submissions.submission_earlier

    def late(token):
        calls.append(token)
        return None if len(calls) == 1 else look(token)

    monkeypatch.setattr(submissions, "submission_earlier", late)


def _take_inventory(world):
    return services.inventory_take(clinic=world.clinic, kind="biennial", timing="close", by=world.admin)


@pytest.mark.django_db
def test_a_copy_refused_by_the_unique_token_writes_nothing_and_finds_the_first(world, lot, first_copy_unseen):
    token = uuid.uuid4()
    first = _take_inventory(world)
    Submission.objects.create(token=token, created_by=world.admin, record=first)

    with pytest.raises(submissions.AlreadyRecorded) as already:
        submissions.submission_record(token=token, by=world.admin, write=lambda: _take_inventory(world))

    assert already.value.record == first
    assert Inventory.objects.count() == 1  # the copy's inventory was rolled back with its token


@pytest.mark.django_db
def test_a_copy_refused_by_its_service_after_the_first_committed_finds_the_first(world, lot, first_copy_unseen):
    token = uuid.uuid4()
    first = administer(lot, world.patient_a, 1000, world.nurse)  # the whole lot
    Submission.objects.create(token=token, created_by=world.nurse, record=first)

    with pytest.raises(submissions.AlreadyRecorded) as already:
        submissions.submission_record(
            token=token, by=world.nurse, write=lambda: administer(lot, world.patient_a, 1000, world.nurse)
        )

    assert already.value.record == first


@pytest.mark.django_db
def test_a_refusal_of_a_form_never_recorded_is_the_services_own(world, lot):
    with pytest.raises(ValidationError, match="holds only 1000 mg"):
        submissions.submission_record(
            token=uuid.uuid4(), by=world.nurse, write=lambda: administer(lot, world.patient_a, 2000, world.nurse)
        )
    assert not Submission.objects.exists()


# --- two copies at once, each on its own connection ------------------------------------------------


def _send_together(user, url, data, n: int = 2) -> list:
    """POST `data` to `url` from `n` threads released together, each with its own client and connection."""
    barrier = threading.Barrier(n)
    responses = []
    lock = threading.Lock()

    def send():
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            response = client.post(url, data)
        finally:
            connection.close()
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=send) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["administer", "count", "inventory"])
def test_two_copies_sent_at_once_record_once(world, write):
    lot = receive_lot(clinic=world.clinic, by=world.nurse)
    url, data, rows = WRITES[write](world, lot)
    before = rows.count()

    responses = _send_together(world.nurse, url, data)

    assert [response.status_code for response in responses] == [302, 302]
    assert rows.count() == before + 1
    record = Submission.objects.get().record
    # one lands where a recorded form goes; the other on the record, told it was already recorded
    assert record.get_absolute_url() in [response["Location"] for response in responses]
    lot.refresh_from_db()
    assert lot.balance_mg == sum(lot.entries.values_list("change_mg", flat=True))
