"""The protocol settings the dosing session uses: the clinic's observation interval and how long a weight
stays valid, and each route's minimum observation after the dose (Settings → Protocol)."""

import html

import pytest
from django.urls import reverse

from intake.models import RouteProtocol
from intake.protocol import ROUTE_DEFAULTS, route_protocol
from kap_clinic.audit.models import AuditEvent

from .predose_helpers import make_session

pytestmark = pytest.mark.django_db

PROTOCOL_URL = reverse("intake:protocol_settings")
FIELDS = (
    "fasting_food_hours",
    "fasting_fluids_hours",
    "dose_unit",
    "dose_min",
    "dose_max",
    "maximum_mg",
    "min_observation_minutes",
)


def protocol_form(**overrides) -> dict:
    data = {"pcl5_cutoff": 33, "observation_interval_minutes": "15", "weight_max_age_days": "30"}
    for route, defaults in ROUTE_DEFAULTS.items():
        for name in FIELDS:
            data[f"{route.value}_{name}"] = str(getattr(defaults, name))
    return data | overrides


def test_the_page_shows_the_dosing_settings_and_each_routes_observation(world, login):
    world.clinic.weight_max_age_days = 21
    world.clinic.save(update_fields=["weight_max_age_days"])

    response = login(world.admin).get(PROTOCOL_URL)

    form = response.context["form"]
    assert (form["observation_interval_minutes"].value(), form["weight_max_age_days"].value()) == (15, 21)
    assert form["iv_min_observation_minutes"].value() == 60
    assert form["in_min_observation_minutes"].value() == 120
    page = html.unescape(response.content.decode())
    assert "Weight valid for (days)" in page and "observe at least 120 min" in page


def test_saving_the_dosing_settings(world, login):
    response = login(world.admin).post(
        PROTOCOL_URL,
        protocol_form(observation_interval_minutes="10", weight_max_age_days="14", iv_min_observation_minutes="45"),
    )

    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert (world.clinic.observation_interval_minutes, world.clinic.weight_max_age_days) == (10, 14)
    assert route_protocol(world.clinic, "iv").min_observation_minutes == 45
    assert route_protocol(world.clinic, "in").min_observation_minutes == 120
    detail = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, clinic=world.clinic).detail
    assert "weight_max_age_days 30→14" in detail and "IV min_observation_minutes 60→45" in detail


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("observation_interval_minutes", "61", "between 5 and 60 minutes"),
        ("observation_interval_minutes", "4", "between 5 and 60 minutes"),
        ("weight_max_age_days", "0", "between 1 and 365 days"),
        ("weight_max_age_days", "400", "between 1 and 365 days"),
        ("iv_min_observation_minutes", "600", "between 15 and 480 minutes"),
        ("sl_min_observation_minutes", "2.5", "whole number"),
    ],
)
def test_out_of_range_values_are_refused_and_kept(world, login, field, value, message):
    response = login(world.admin).post(PROTOCOL_URL, protocol_form(**{field: value}))

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert form[field].value() == value
    world.clinic.refresh_from_db()
    assert (world.clinic.observation_interval_minutes, world.clinic.weight_max_age_days) == (15, 30)
    assert not RouteProtocol.objects.exists()


def test_left_empty_they_keep_their_current_values(world, login):
    world.clinic.observation_interval_minutes = 20
    world.clinic.save(update_fields=["observation_interval_minutes"])
    empty = {"observation_interval_minutes": "", "weight_max_age_days": ""}
    empty |= {f"{route.value}_min_observation_minutes": "" for route in ROUTE_DEFAULTS}

    response = login(world.admin).post(PROTOCOL_URL, protocol_form(**empty))

    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert (world.clinic.observation_interval_minutes, world.clinic.weight_max_age_days) == (20, 30)
    assert route_protocol(world.clinic, "iv").min_observation_minutes == 60


def test_the_weight_limit_decides_when_the_pre_dose_check_asks_for_a_weight(world, login):
    session = make_session(world, weight_days_ago=20)
    nurse = login(world.nurse)
    assert not nurse.get(reverse("dosing:predose_check", args=[session.code])).context["weight_needed"]

    login(world.admin).post(PROTOCOL_URL, protocol_form(weight_max_age_days="14"))

    response = login(world.nurse).get(reverse("dosing:predose_check", args=[session.code]))
    assert response.context["weight_needed"]
    assert "a weight is valid for 14 days" in html.unescape(response.content.decode())
