"""Helpers for the integration-session tests: a discharged dose made directly with the ORM (the dosing pages
are tested elsewhere), integration sessions booked through the real service, held sessions (moved into the
past with the ORM, as scheduling refuses past times), a complete note, and what the forms send."""

import datetime
import html
import uuid

from django.utils import timezone
from faker import Faker

from integration import note_fields
from integration.models import IntegrationSession
from integration.services import sessions as services
from sessions.models import DosingSession
from tests.dosing.observation_helpers import local_field, make_session

fake = Faker()

__all__ = ["local_field"]


def dose(world, patient=None, *, days_ago: float = 0, minutes_ago: float = 60) -> DosingSession:
    """A discharged dosing session of `patient` (default A), dosed `days_ago` days and `minutes_ago`
    minutes ago."""
    dosed = minutes_ago + days_ago * 24 * 60
    return make_session(
        world,
        patient,
        status=DosingSession.Status.DISCHARGED,
        checked_in_minutes_ago=dosed + 30,
        dosed_minutes_ago=dosed,
    )


def book(world, patient=None, *, after=None, at=None, therapist=None, by=None) -> IntegrationSession:
    """An integration session booked through the service: tomorrow unless told, with the world's
    therapist, after `after` (a dose) if given."""
    patient = patient or (after.patient if after is not None else world.patient_a)
    return services.integration_schedule(
        patient=patient,
        scheduled_at=at or timezone.now() + datetime.timedelta(days=1),
        therapist=therapist or world.therapist,
        dosing_session=after,
        by=by or world.nurse,
    )


def held(world, patient=None, *, after=None, therapist=None, hours_ago: float = 1) -> IntegrationSession:
    """An integration session that took place `hours_ago` hours ago (booked, then moved into the past)."""
    if after is None:
        after = dose(world, patient, days_ago=1)
    session = book(world, after=after, therapist=therapist)
    IntegrationSession.objects.filter(pk=session.pk).update(
        scheduled_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )
    session.refresh_from_db()
    return session


def complete_note() -> dict:
    """Every section of the note filled with Faker text."""
    return {
        "experience": fake.paragraph(),
        "insights": fake.paragraph(),
        "intentions_addressed": "partly",
        "intentions_note": fake.sentence(),
        "challenging_material": fake.paragraph(),
        "changes_since_dosing": fake.paragraph(),
        "action_plan": fake.paragraph(),
        "safety_check": "No suicidal thoughts since the last visit (C-SSRS screen negative).",
        "after_effects": ["nausea", "urinary"],
        "after_effects_details": fake.sentence(),
        "dose_intensity": "about_right",
        "plan": fake.paragraph(),
    }


def signed(world, patient=None, *, by=None) -> IntegrationSession:
    """A held session whose note the therapist wrote and signed: locked."""
    session = held(world, patient)
    services.integration_note_save(session=session, fields=complete_note(), by=by or world.therapist)
    return services.integration_note_sign(session=session, by=by or world.therapist)


def note_post(action: str = "save", **fields) -> dict:
    """What the note form sends: the given fields (after_effects a list), the rest empty."""
    data = {name: "" for name in note_fields.FIELD_NAMES if name != "after_effects"}
    data |= {"action": action}
    data |= fields
    return data


def form_data(**fields) -> dict:
    """What a create form sends, with a fresh submission token."""
    return {"submission": str(uuid.uuid4()), **fields}


def text(response) -> str:
    """A page's text as a reader sees it (entities such as &#x27; unescaped)."""
    return html.unescape(response.content.decode())
