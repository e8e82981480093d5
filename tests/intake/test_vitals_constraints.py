"""The database itself keeps vitals inside their hard bounds (domain.md §8), whatever page or script writes them."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from intake.models import VitalSigns

pytestmark = pytest.mark.django_db


def vitals(world, **values):
    return VitalSigns.objects.create(
        patient=world.patient_a, measured_at=timezone.now(), recorded_by=world.nurse, **values
    )


def test_plausible_vitals_are_stored(world):
    row = vitals(
        world,
        systolic=128,
        diastolic=84,
        heart_rate=72,
        spo2=98,
        respiratory_rate=14,
        temperature_c=Decimal("36.8"),
        weight_kg=Decimal("71.5"),
    )
    assert row.blood_pressure == "128/84"


@pytest.mark.parametrize(
    "values",
    [
        {"systolic": 39},
        {"systolic": 301},
        {"diastolic": 19},
        {"systolic": 120, "diastolic": 120},  # diastolic must be below systolic
        {"heart_rate": 251},
        {"spo2": 101},
        {"respiratory_rate": 3},
        {"temperature_c": Decimal("98.6")},  # °F typed as °C
        {"weight_kg": Decimal("29.9")},
    ],
)
def test_impossible_vitals_are_refused_by_the_database(world, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        vitals(world, **values)
