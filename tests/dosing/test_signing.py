"""Notes, signing and addenda. Signing the monitoring note signs the session: from then on the database
itself refuses any change to the session and its rows (an ORM save, QuerySet.update(), raw SQL), every
page that writes refuses it with a message, and corrections are addenda that keep the original."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from kap_clinic.audit.models import AuditEvent
from sessions.models import Addendum, Discharge, DosingSession, ObservationEntry, SessionNote
from sessions.services import sessions as services

from .session_helpers import book, discharged, form_data, session_in_observation, signed, text

pytestmark = pytest.mark.django_db
Status = DosingSession.Status


def _refused(change):
    """`change` fails in the database (the signed-session triggers), leaving the transaction usable."""
    with pytest.raises(DatabaseError, match="signed|protected|Cannot"), transaction.atomic():
        change()


# --- signing locks the session --------------------------------------------------------------------


def test_signing_the_monitoring_note_signs_the_session(world):
    session = discharged(world)
    services.session_note_save(session=session, kind="monitoring", body="Uneventful.", by=world.nurse)

    note = services.session_note_sign(session=session, kind="monitoring", by=world.nurse)

    session.refresh_from_db()
    assert note.signed_at is not None
    assert session.is_signed and session.signed_by == world.nurse and session.signed_at == note.signed_at
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN, object_type="dosing.DosingSession").exists()


def test_the_monitoring_note_is_signed_only_after_discharge(world):
    session = session_in_observation(world)
    services.session_note_save(session=session, kind="monitoring", body="Still observing.", by=world.nurse)
    with pytest.raises(ValidationError, match="after the patient is discharged"):
        services.session_note_sign(session=session, kind="monitoring", by=world.nurse)
    session.refresh_from_db()
    assert not session.is_signed


def test_a_cancelled_session_can_be_signed(world):
    session = book(world)
    services.session_cancel(session=session, reason="Patient unwell", by=world.nurse)
    services.session_note_save(session=session, kind="monitoring", body="Called to cancel.", by=world.nurse)
    services.session_note_sign(session=session, kind="monitoring", by=world.nurse)
    session.refresh_from_db()
    assert session.is_signed


def test_a_signed_session_refuses_an_orm_save(world):
    session = signed(world)
    session.room = "Room 9"
    _refused(session.save)


def test_a_signed_session_refuses_queryset_update_and_delete(world):
    session = signed(world)
    _refused(lambda: DosingSession.objects.filter(pk=session.pk).update(room="Room 9"))
    _refused(lambda: DosingSession.objects.filter(pk=session.pk).update(signed_at=None, signed_by=None))


def test_a_signed_session_refuses_raw_sql_update(world):
    session = signed(world)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE dosing_dosingsession SET room = 'Room 9' WHERE id = %s", [session.pk])

    _refused(raw)
    assert DosingSession.objects.get(pk=session.pk).room == "Room 2"


def test_a_signed_sessions_observation_refuses_save_update_and_raw_sql(world):
    session = signed(world)
    entry = session.observations.first()
    entry.systolic = 110
    _refused(entry.save)
    _refused(lambda: ObservationEntry.objects.filter(pk=entry.pk).update(systolic=110))

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE dosing_observationentry SET systolic = 110 WHERE id = %s", [entry.pk])

    _refused(raw)
    _refused(lambda: ObservationEntry.objects.filter(pk=entry.pk).delete())
    assert ObservationEntry.objects.get(pk=entry.pk).systolic == 150


def test_a_signed_sessions_other_rows_are_locked_too(world):
    session = signed(world)
    _refused(lambda: session.administrations.update(dose_mg=1))
    _refused(lambda: Discharge.objects.filter(session=session).update(escort_name="x"))
    _refused(lambda: SessionNote.objects.filter(session=session).update(body="rewritten"))


def test_services_refuse_a_signed_session(world):
    session = signed(world)
    with pytest.raises(ValidationError, match="signed"):
        services.session_note_save(session=session, kind="monitoring", body="Changed", by=world.nurse)
    with pytest.raises(ValidationError, match="signed"):
        services.session_transition(session=session, to=Status.CANCELLED, by=world.nurse, reason="x")


# --- notes: who writes and signs ------------------------------------------------------------------


def test_only_nurses_and_prescribers_write_the_monitoring_note(world):
    session = session_in_observation(world)
    with pytest.raises(ValidationError, match="written by a nurse or prescriber"):
        services.session_note_save(session=session, kind="monitoring", body="x", by=world.therapist)


def test_only_a_therapist_writes_the_therapist_note(world):
    session = session_in_observation(world)
    with pytest.raises(ValidationError, match="written by a therapist"):
        services.session_note_save(session=session, kind="therapist", body="x", by=world.nurse)


def test_only_the_author_changes_or_signs_a_note(world):
    session = discharged(world)
    services.session_note_save(session=session, kind="monitoring", body="Mine.", by=world.nurse)
    with pytest.raises(ValidationError, match="only they can change or sign it"):
        services.session_note_save(session=session, kind="monitoring", body="Yours.", by=world.prescriber)
    with pytest.raises(ValidationError, match="only they can change or sign it"):
        services.session_note_sign(session=session, kind="monitoring", by=world.prescriber)


def test_the_therapist_note_may_be_signed_after_the_session(world):
    session = discharged(world)
    services.session_note_save(session=session, kind="therapist", body="Processed grief themes.", by=world.therapist)
    services.session_note_save(session=session, kind="monitoring", body="Uneventful.", by=world.nurse)
    services.session_note_sign(session=session, kind="monitoring", by=world.nurse)
    session.refresh_from_db()

    note = services.session_note_sign(session=session, kind="therapist", by=world.therapist)

    assert note.signed_at is not None
    with pytest.raises(ValidationError, match="already signed"):
        services.session_note_sign(session=session, kind="therapist", by=world.therapist)


def test_a_signed_note_changes_no_more(world):
    session = discharged(world)
    services.session_note_save(session=session, kind="therapist", body="First.", by=world.therapist)
    services.session_note_sign(session=session, kind="therapist", by=world.therapist)
    with pytest.raises(ValidationError, match="signed"):
        services.session_note_save(session=session, kind="therapist", body="Second.", by=world.therapist)


# --- addenda --------------------------------------------------------------------------------------


def test_addendum_adds_and_keeps_the_original(world):
    session = signed(world)
    original = SessionNote.objects.get(session=session, kind="monitoring")

    addendum = services.session_addendum_add(
        session=session, body="Correction: BP at 40 min was 152/92.", by=world.prescriber
    )

    assert addendum.author == world.prescriber
    assert SessionNote.objects.get(pk=original.pk).body == "Uneventful session."
    assert ObservationEntry.objects.filter(session=session, systolic=150).exists()
    _refused(lambda: Addendum.objects.filter(pk=addendum.pk).update(body="changed"))


def test_addenda_are_for_signed_sessions(world):
    session = discharged(world)
    with pytest.raises(ValidationError, match="Addenda are for signed sessions"):
        services.session_addendum_add(session=session, body="x", by=world.nurse)


# --- the pages ------------------------------------------------------------------------------------


def test_note_pages_write_then_sign_with_a_confirmation(world, login):
    session = discharged(world)
    client = login(world.nurse)
    note_url = reverse("dosing:session_note", args=[session.code, "monitoring"])
    sign_url = reverse("dosing:session_note_sign", args=[session.code, "monitoring"])

    response = client.post(note_url, {"body": "Calm throughout. Left with escort.", "action": "sign"})
    assert response.status_code == 302 and response["Location"] == sign_url

    confirm = text(client.get(sign_url))
    assert "Signing locks the session" in confirm and "Calm throughout." in confirm
    session.refresh_from_db()
    assert not session.is_signed  # the confirmation page signs nothing

    client.post(sign_url, {"confirm": "1"})
    session.refresh_from_db()
    assert session.is_signed
    page = text(client.get(session.get_absolute_url()))
    assert "Signed and locked" in page and f"signed by {world.nurse.full_name}" in page


def test_the_sign_page_before_discharge_says_why_and_offers_no_button(world, login):
    session = session_in_observation(world)
    services.session_note_save(session=session, kind="monitoring", body="So far so good.", by=world.nurse)
    page = text(login(world.nurse).get(reverse("dosing:session_note_sign", args=[session.code, "monitoring"])))
    assert "after the patient is discharged" in page
    assert "Sign and lock the session" not in page


@pytest.mark.parametrize(
    "url_name, kwargs",
    [
        ("dosing:session_transition", {"to": "cancelled"}),
        ("dosing:session_discharge", {}),
        ("dosing:session_note", {"kind": "monitoring"}),
        ("dosing:session_note_sign", {"kind": "monitoring"}),
    ],
)
def test_every_write_page_refuses_a_signed_session_with_a_message(world, login, url_name, kwargs):
    session = signed(world)
    client = login(world.nurse)
    url = reverse(url_name, kwargs={"code": session.code, **kwargs})

    for response in (
        client.get(url, follow=True),
        client.post(url, form_data(reason="x", body="changed", confirm="1", walks_steadily="on"), follow=True),
    ):
        assert response.redirect_chain[-1][0] == session.get_absolute_url()
        assert "can no longer be changed" in text(response)
    session.refresh_from_db()
    assert session.status == Status.DISCHARGED
    assert SessionNote.objects.get(session=session, kind="monitoring").body == "Uneventful session."


def test_the_session_page_of_a_signed_session_offers_no_changes(world, login):
    session = signed(world)
    page = login(world.nurse).get(session.get_absolute_url()).content.decode()
    assert reverse("dosing:session_note", args=[session.code, "monitoring"]) not in page
    assert reverse("dosing:session_transition", args=[session.code, "cancelled"]) not in page
    assert reverse("dosing:session_addendum", args=[session.code]) in page


def test_addendum_page_adds_below_the_original(world, login):
    session = signed(world)
    client = login(world.therapist)
    url = reverse("dosing:session_addendum", args=[session.code])

    refused = client.post(url, form_data(body="   "))
    assert refused.status_code == 200 and "This field is required." in text(refused)

    response = client.post(url, form_data(body="Patient called next day: slept well."))
    assert response.status_code == 302
    page = text(client.get(session.get_absolute_url()))
    assert "Patient called next day: slept well." in page and "Uneventful session." in page
    assert Addendum.objects.get().author == world.therapist


def test_addendum_page_before_signing_sends_back_with_a_message(world, login):
    session = discharged(world)
    response = login(world.nurse).get(reverse("dosing:session_addendum", args=[session.code]), follow=True)
    assert "Addenda are for signed sessions" in text(response)


def test_a_therapist_cannot_open_the_monitoring_note(world, login):
    session = discharged(world)
    response = login(world.therapist).get(reverse("dosing:session_note", args=[session.code, "monitoring"]))
    assert response.status_code == 404


def test_another_clinics_clinician_cannot_sign(world, login):
    session = discharged(world)
    services.session_note_save(session=session, kind="monitoring", body="Mine.", by=world.nurse)
    response = login(world.other_clinician).post(
        reverse("dosing:session_note_sign", args=[session.code, "monitoring"]), {"confirm": "1"}
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert not session.is_signed
