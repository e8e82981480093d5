"""A clinic adds its licensed dissociation scale: observations then ask for its total beside the 0–4 rating."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions.models import DissociationScale, ObservationEntry
from sessions.services.observation import observation_record

from .observation_helpers import make_session, minutes_ago, observation_post

pytestmark = pytest.mark.django_db

SCALE = {"name": "CADSS-6", "max_score": "24", "licence_reference": "Permission of the author, 2026-03"}


def test_an_admin_adds_the_scale_and_the_observation_form_asks_for_its_total(world, login):
    client = login(world.admin)
    response = client.post(reverse("dosing:dissociation_scale"), SCALE, follow=True)
    assert "Saved" in response.content.decode()
    scale = DissociationScale.objects.get(clinic=world.clinic)
    assert (scale.name, scale.max_score) == ("CADSS-6", 24)

    session = make_session(world)
    form_page = login(world.nurse).get(reverse("dosing:observation_add", args=[session.code])).content.decode()
    assert "CADSS-6 total (0–24)" in form_page
    assert "Permission of the author" in form_page

    login(world.nurse).post(
        reverse("dosing:observation_add", args=[session.code]),
        observation_post(world, dissociation="2", dissociation_scale_score="9"),
    )
    entry = ObservationEntry.objects.get()
    assert (entry.dissociation, entry.dissociation_scale, entry.dissociation_scale_score) == (2, "CADSS-6", 9)


def test_without_a_scale_the_form_asks_only_the_global_rating(world, login):
    session = make_session(world)
    page = login(world.nurse).get(reverse("dosing:observation_add", args=[session.code])).content.decode()
    assert "dissociation_scale_score" not in page


def test_a_total_out_of_the_scales_range_is_refused(world):
    DissociationScale.objects.create(
        clinic=world.clinic, name="CADSS-6", max_score=24, licence_reference="x", updated_by=world.admin
    )
    session = make_session(world)
    with pytest.raises(ValidationError, match="between 0 and 24"):
        observation_record(session=session, observed_at=minutes_ago(1), by=world.nurse, dissociation_scale_score=25)
    assert not ObservationEntry.objects.exists()


def test_a_scale_total_needs_a_scale(world):
    session = make_session(world)
    with pytest.raises(ValidationError, match="no licensed dissociation scale"):
        observation_record(session=session, observed_at=minutes_ago(1), by=world.nurse, dissociation_scale_score=3)


def test_removing_the_scale_needs_the_confirmation_and_keeps_recorded_totals(world, login):
    DissociationScale.objects.create(
        clinic=world.clinic, name="CADSS-6", max_score=24, licence_reference="x", updated_by=world.admin
    )
    session = make_session(world)
    observation_record(session=session, observed_at=minutes_ago(1), by=world.nurse, dissociation_scale_score=4)
    client = login(world.admin)

    client.post(reverse("dosing:dissociation_scale"), {"remove": "1"})
    assert DissociationScale.objects.exists()
    client.post(reverse("dosing:dissociation_scale"), {"remove": "1", "confirm_remove": "1"})
    assert not DissociationScale.objects.exists()
    assert ObservationEntry.objects.get().dissociation_scale == "CADSS-6"


def test_another_clinics_admin_edits_only_their_own_clinics_scale(world, login):
    login(world.other_admin).post(reverse("dosing:dissociation_scale"), SCALE)
    assert DissociationScale.objects.get().clinic == world.other_clinic
