"""Helpers for the journal and self-care tests: sessions to write about (booked or dosed through the
dosing helpers), goals added through the real service, what the forms send, and moving the clinic's
"today" (every caller asks `sessions.clinic_time`)."""

import datetime
import uuid

from django.urls import reverse
from faker import Faker

from integration.services import journal as services
from sessions import clinic_time
from tests.dosing.session_helpers import book, now, session_in_observation

fake = Faker()

JOURNAL_URL = reverse("integration:reflection_list")
CHECKIN_URL = reverse("integration:self_care_checkin")


def upcoming_session(world, patient=None, *, days=2):
    """A session booked `days` from now: an intention may be written for it."""
    return book(world, patient, at=now() + datetime.timedelta(days=days))


def dosed_session(world, patient=None):
    """A session whose dose was given (in observation now): a reflection may be written about it."""
    return session_in_observation(world, patient)


def entry_data(**fields) -> dict:
    """What the journal form sends: a journal entry with Faker text and a fresh submission token."""
    data = {"submission": str(uuid.uuid4()), "kind": "journal", "dosing_session": "", "prompt": ""}
    data["body"] = fake.paragraph(nb_sentences=4)
    return data | {k: str(v) for k, v in fields.items()}


def goal(world, patient=None, *, by=None, category="movement", description=None):
    return services.self_care_goal_add(
        patient=patient or world.patient_a,
        category=category,
        description=description or fake.sentence(nb_words=6),
        by=by or world.therapist,
    )


def agreed_weeks_ago(g, weeks: int):
    """Move a goal's agreement `weeks` weeks back (it was just created through the service)."""
    from integration.models import SelfCareGoal

    SelfCareGoal.objects.filter(pk=g.pk).update(created_at=now() - datetime.timedelta(weeks=weeks))
    g.refresh_from_db()
    return g


def plan_url(patient) -> str:
    return reverse("integration:self_care_plan", args=[patient.code])


def reflections_url(patient) -> str:
    return reverse("integration:patient_reflections", args=[patient.code])


def this_monday(clinic) -> datetime.date:
    return services.this_week(clinic)


def set_today(monkeypatch, day: datetime.date) -> None:
    """Make `day` the clinic's today for every caller of sessions.clinic_time."""
    monkeypatch.setattr(clinic_time, "clinic_today", lambda clinic: day)


def checkin_data(ratings: dict, notes: dict | None = None, *, week="this") -> dict:
    """The check-in form: `ratings` and `notes` keyed by goal."""
    data = {"week": week}
    for g, rating in ratings.items():
        data[f"rating_{g.code}"] = "" if rating is None else str(rating)
    for g, note in (notes or {}).items():
        data[f"note_{g.code}"] = note
    return data
