"""The structured integration note: drafts keep what was typed (also on a validation error), signing needs
the experience, the safety check, the after-effects (even "None") and the plan, only the session's
therapist or a prescriber writes and signs it, and once signed the database refuses any change (ORM save,
QuerySet.update, raw SQL); corrections are addenda that leave the note as it was."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from integration import note_fields
from integration.models import IntegrationAddendum, IntegrationSession
from integration.services import sessions as services
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from tests.factories import StaffFactory

from .sessions_helpers import book, complete_note, dose, form_data, held, note_post, signed, text

pytestmark = pytest.mark.django_db
Status = IntegrationSession.Status


def _refused(change):
    """`change` fails in the database (the signed-note trigger), leaving the transaction usable."""
    with pytest.raises(DatabaseError, match="protected|Cannot|signed"), transaction.atomic():
        change()


def note_url(session, name="session_note"):
    return reverse(f"integration:{name}", args=[session.code])


# --- the structure as data ------------------------------------------------------------------------


def test_the_note_structure_covers_domain_7_1():
    assert set(note_fields.FIELD_NAMES) == {
        "experience",
        "insights",
        "intentions_addressed",
        "intentions_note",
        "challenging_material",
        "changes_since_dosing",
        "action_plan",
        "safety_check",
        "after_effects",
        "after_effects_details",
        "dose_intensity",
        "plan",
    }
    assert note_fields.REQUIRED_TO_SIGN == ("experience", "safety_check", "after_effects", "plan")
    keys = [effect.key for effect in note_fields.AFTER_EFFECTS]
    assert keys == ["nausea", "headache", "dissociation", "urinary", "cravings", "sleep", "other"]
    assert "S94" in str(note_fields.URINARY_NOTE)


def test_the_cadence_counts_days_in_the_clinics_calendar(world):
    world.clinic.integration_within_days = 1
    dosed_at = datetime.datetime(2025, 3, 10, 23, 30, tzinfo=datetime.UTC)  # 19:30 in New York
    assert note_fields.integration_due_by(world.clinic, dosed_at) == datetime.date(2025, 3, 11)
    on_time = datetime.datetime(2025, 3, 12, 3, 59, tzinfo=datetime.UTC)  # 23:59 on the 11th in New York
    assert note_fields.is_within_cadence(world.clinic, dosed_at, on_time)
    assert not note_fields.is_within_cadence(world.clinic, dosed_at, on_time + datetime.timedelta(minutes=2))


# --- drafts ---------------------------------------------------------------------------------------


def test_a_draft_keeps_every_section_and_stays_unsigned(world, login):
    session = held(world)
    client = login(world.therapist)
    response = client.post(
        note_url(session), note_post(experience="Saw my grandmother's garden.", after_effects=["none"])
    )

    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    session.refresh_from_db()
    assert session.experience == "Saw my grandmother's garden." and session.after_effects == ["none"]
    assert session.status == Status.SCHEDULED and not session.is_signed
    page = text(client.get(session.get_absolute_url()))
    assert "Saw my grandmother's garden." in page and "Draft" in page


def test_a_note_that_fails_validation_keeps_its_text(world, login):
    session = held(world)
    client = login(world.therapist)
    typed = "Felt held by the music; a long conversation with my younger self."

    response = client.post(
        note_url(session), note_post(experience=typed, plan="Next dose in a week", after_effects=["none", "nausea"])
    )

    assert response.status_code == 200
    page = text(response)
    assert typed in page and "Next dose in a week" in page
    assert "“None” can't go with an after-effect" in page
    session.refresh_from_db()
    assert session.experience == ""


def test_an_unknown_choice_is_refused_with_the_text_kept(world, login):
    session = held(world)
    response = login(world.therapist).post(
        note_url(session), note_post(experience="Kept text", dose_intensity="enormous")
    )
    assert response.status_code == 200 and "Kept text" in text(response)


def test_the_note_page_lays_out_the_groups_and_the_urinary_reminder(world, login):
    session = held(world)
    page = text(login(world.therapist).get(note_url(session)))
    for group in note_fields.GROUPS:
        assert str(group.title) in page
    assert "Urinary symptoms" in page and "every integration visit" in page
    assert "Save draft" in page and "Save and sign…" in page


def test_save_and_sign_goes_to_the_confirmation(world, login):
    session = held(world)
    response = login(world.therapist).post(note_url(session), note_post("sign", **complete_note()))
    assert response["Location"] == note_url(session, "session_sign")
    session.refresh_from_db()
    assert not session.is_signed  # confirmed on the next page


def test_save_and_sign_with_sections_missing_saves_and_marks_them(world, login):
    session = held(world)
    typed = "Saw light over water; felt forgiven."
    response = login(world.therapist).post(
        note_url(session), note_post("sign", experience=typed, after_effects=["headache"])
    )

    assert response.status_code == 200
    page = text(response)
    assert typed in page and "The draft is saved" in page
    assert page.count("Needed to sign the note.") == 2  # the safety check and the plan
    session.refresh_from_db()
    assert session.experience == typed and not session.is_signed


# --- signing --------------------------------------------------------------------------------------


def test_signing_needs_the_required_sections(world):
    session = held(world)
    services.integration_note_save(session=session, fields={"insights": "Some insight"}, by=world.therapist)

    with pytest.raises(ValidationError) as refused:
        services.integration_note_sign(session=session, by=world.therapist)

    message = refused.value.messages[0]
    for label in ("account of the experience", "Safety check", "After-effects", "Plan"):
        assert label in message
    session.refresh_from_db()
    assert not session.is_signed


def test_none_counts_as_answering_the_after_effects(world):
    session = held(world)
    fields = complete_note() | {"after_effects": ["none"], "after_effects_details": ""}
    services.integration_note_save(session=session, fields=fields, by=world.therapist)
    assert services.integration_note_sign(session=session, by=world.therapist).is_signed


def test_other_after_effect_needs_saying_what(world):
    session = held(world)
    fields = complete_note() | {"after_effects": ["other"], "after_effects_details": ""}
    services.integration_note_save(session=session, fields=fields, by=world.therapist)
    with pytest.raises(ValidationError, match="other"):
        services.integration_note_sign(session=session, by=world.therapist)


def test_the_sign_page_lists_what_is_missing_and_offers_no_button(world, login):
    session = held(world)
    services.integration_note_save(session=session, fields={"experience": "Calm"}, by=world.therapist)
    client = login(world.therapist)

    page = text(client.get(note_url(session, "session_sign")))
    assert "Fill in these sections before signing" in page and "Safety check" in page
    assert "Sign and lock the note" not in page

    client.post(note_url(session, "session_sign"), {"confirm": "1"})
    session.refresh_from_db()
    assert not session.is_signed


def test_confirming_signs_completes_and_audits(world, login):
    session = held(world)
    services.integration_note_save(session=session, fields=complete_note(), by=world.therapist)
    client = login(world.therapist)
    assert "Sign and lock the note" in text(client.get(note_url(session, "session_sign")))

    response = client.post(note_url(session, "session_sign"), {"confirm": "1"})

    assert response["Location"] == session.get_absolute_url()
    session.refresh_from_db()
    assert session.status == Status.COMPLETED and session.is_signed and session.signed_by == world.therapist
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN, object_type="integration.IntegrationSession"
    ).exists()
    page = text(client.get(session.get_absolute_url()))
    assert "Locked" in page and "Add an addendum" in page and "Edit the note" not in page


def test_a_session_booked_for_a_later_day_cannot_be_signed_yet(world):
    session = book(world, after=dose(world), at=timezone.now() + datetime.timedelta(days=3))
    services.integration_note_save(session=session, fields=complete_note(), by=world.therapist)
    with pytest.raises(ValidationError, match="once the session has taken place"):
        services.integration_note_sign(session=session, by=world.therapist)


def test_a_cancelled_session_takes_no_note(world):
    session = book(world, after=dose(world))
    services.integration_cancel(session=session, reason="Unwell", by=world.nurse)
    with pytest.raises(ValidationError, match="cancelled"):
        services.integration_note_save(session=session, fields={"experience": "x"}, by=world.therapist)


# --- who writes and signs -------------------------------------------------------------------------


def test_only_the_sessions_therapist_or_a_prescriber_writes_and_signs(world, login):
    session = held(world)
    colleague = StaffFactory(clinic=world.clinic, clinician_kind=User.ClinicianKind.THERAPIST)

    with pytest.raises(ValidationError, match="the session's therapist, or by a prescriber"):
        services.integration_note_save(session=session, fields=complete_note(), by=colleague)
    services.integration_note_save(session=session, fields=complete_note(), by=world.therapist)
    with pytest.raises(ValidationError, match="the session's therapist"):
        services.integration_note_sign(session=session, by=colleague)
    with pytest.raises(PermissionDenied):
        services.integration_note_sign(session=session, by=world.nurse)
    with pytest.raises(PermissionDenied):
        services.integration_note_sign(session=session, by=world.other_clinician)

    client = login(colleague)
    response = client.get(note_url(session))
    assert response.status_code == 302
    assert "the session's therapist, or by a prescriber" in text(client.get(response["Location"]))

    signed_by_prescriber = services.integration_note_sign(session=session, by=world.prescriber)
    assert signed_by_prescriber.signed_by == world.prescriber


def test_nurses_and_admins_are_told_the_note_page_does_not_exist(world, login):
    session = held(world)
    for user in (world.nurse, world.admin, world.other_clinician):
        client = login(user)
        assert client.get(note_url(session)).status_code == 404
        assert client.post(note_url(session, "session_sign"), {"confirm": "1"}).status_code == 404
    session.refresh_from_db()
    assert not session.is_signed


# --- locked once signed ---------------------------------------------------------------------------


def test_a_signed_note_refuses_an_orm_save(world):
    session = signed(world)
    session.plan = "Changed afterwards"
    _refused(session.save)


def test_a_signed_note_refuses_queryset_update_and_delete(world):
    session = signed(world)
    _refused(lambda: IntegrationSession.objects.filter(pk=session.pk).update(plan="Changed"))
    _refused(lambda: IntegrationSession.objects.filter(pk=session.pk).update(signed_at=None, signed_by=None))
    _refused(lambda: IntegrationSession.objects.filter(pk=session.pk).delete())


def test_a_signed_note_refuses_raw_sql_update(world):
    session = signed(world)
    plan = session.plan

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE integration_integrationsession SET plan = 'Changed' WHERE id = %s", [session.pk])

    _refused(raw)
    assert IntegrationSession.objects.get(pk=session.pk).plan == plan


def test_the_services_and_pages_refuse_changing_a_signed_note(world, login):
    session = signed(world)
    with pytest.raises(ValidationError, match="signed"):
        services.integration_note_save(session=session, fields={"plan": "x"}, by=world.therapist)
    with pytest.raises(ValidationError, match="Only a booked session"):
        services.integration_cancel(session=session, reason="x", by=world.nurse)
    client = login(world.therapist)
    response = client.post(note_url(session), note_post(plan="Changed"))
    assert response.status_code == 302
    assert "add an addendum" in text(client.get(response["Location"]))


# --- addenda --------------------------------------------------------------------------------------


def test_an_addendum_keeps_the_original(world, login):
    session = signed(world)
    original = {name: getattr(session, name) for name in note_fields.FIELD_NAMES}
    client = login(world.prescriber)

    response = client.post(
        note_url(session, "session_addendum"), form_data(body="Patient called: the nausea settled the next day.")
    )

    assert response["Location"] == session.get_absolute_url()
    session.refresh_from_db()
    assert {name: getattr(session, name) for name in note_fields.FIELD_NAMES} == original
    addendum = IntegrationAddendum.objects.get()
    assert addendum.author == world.prescriber
    page = text(client.get(session.get_absolute_url()))
    assert "the nausea settled the next day" in page and original["plan"] in page
    _refused(lambda: IntegrationAddendum.objects.filter(pk=addendum.pk).update(body="Changed"))


def test_an_addendum_needs_a_signed_note_and_some_text(world, login):
    session = held(world)
    with pytest.raises(ValidationError, match="Addenda are for signed notes"):
        services.integration_addendum_add(session=session, body="Early", by=world.therapist)
    client = login(world.therapist)
    assert client.get(note_url(session, "session_addendum")).status_code == 302
    locked = signed(world, world.patient_b)
    response = client.post(note_url(locked, "session_addendum"), form_data(body="   "))
    assert response.status_code == 200 and "Write the addendum." in text(response)
    assert not IntegrationAddendum.objects.exists()


def test_the_same_addendum_sent_twice_is_added_once(world, login):
    session = signed(world)
    client = login(world.therapist)
    data = form_data(body="One addition.")
    client.post(note_url(session, "session_addendum"), data)
    client.post(note_url(session, "session_addendum"), data)
    assert IntegrationAddendum.objects.count() == 1
