"""The clinical rules page shows every rule the services apply, each with its source, for the clinic to review."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from intake import screening_rules
from intake.models import RouteProtocol
from sessions import discharge_rules, dose_rules, observation_rules, predose_rules

pytestmark = pytest.mark.django_db


def test_every_rule_appears_with_its_source(world, login):
    page = login(world.prescriber).get(reverse("dashboards:clinical_rules")).content.decode()

    for module in (screening_rules.RULES, predose_rules.RULES, dose_rules.RULES, observation_rules.ALERT_RULES):
        for rule in module:
            assert escape(str(rule.title)) in page
            assert escape(str(rule.source)) in page
    for criterion in discharge_rules.CRITERIA:
        assert escape(str(criterion.title)) in page


def test_the_per_route_protocol_shown_is_the_clinics_own(world, login):
    RouteProtocol.objects.create(
        clinic=world.clinic,
        route="sl",
        fasting_food_hours=6,
        fasting_fluids_hours=2,
        dose_unit="mg",
        dose_min=50,
        dose_max=300,
        maximum_mg=300,
        min_observation_minutes=150,
        updated_by=world.admin,
    )
    mine = login(world.admin).get(reverse("dashboards:clinical_rules")).content.decode()
    assert "150 min" in mine
    theirs = login(world.other_admin).get(reverse("dashboards:clinical_rules")).content.decode()
    assert "150 min" not in theirs
