"""Vital signs: units, hard input bounds (reject), soft bounds (ask to confirm) — domain.md §8.

Hard bounds also become database CHECK constraints on every table with vitals columns. Clinical
alert and hold thresholds are separate rules (pre-dose and in-session rule modules).
Temperature in °F typed into a °C field is the commonest vital-sign entry error [S138]: temperatures
are stored in °C, and forms take the unit explicitly.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class VitalBounds:
    field: str
    label: str
    unit: str
    hard: tuple[Decimal, Decimal]
    soft: tuple[Decimal, Decimal]
    source: str


def _d(value) -> Decimal:
    return Decimal(str(value))


VITALS = {
    v.field: v
    for v in (
        VitalBounds("systolic", _("Systolic BP"), "mmHg", (_d(40), _d(300)), (_d(80), _d(220)), "[S139,S145]"),
        VitalBounds("diastolic", _("Diastolic BP"), "mmHg", (_d(20), _d(200)), (_d(40), _d(130)), "[S139,S145]"),
        VitalBounds("heart_rate", _("Heart rate"), "bpm", (_d(20), _d(250)), (_d(40), _d(150)), "[S141,S145]"),
        VitalBounds("spo2", _("SpO₂"), "%", (_d(50), _d(100)), (_d(85), _d(100)), "[S144,S145,S146]"),
        VitalBounds("respiratory_rate", _("Respiratory rate"), "/min", (_d(4), _d(60)), (_d(8), _d(35)), "[S141,S145]"),
        VitalBounds("temperature_c", _("Temperature"), "°C", (_d(30), _d(43)), (_d(35), _d(39)), "[S144,S145]"),
        # adults only; the app's bounds are an engineering choice (domain.md §8, L)
        VitalBounds("weight_kg", _("Weight"), "kg", (_d(30), _d(300)), (_d(40), _d(200)), "[S145]"),
    )
}
# The columns of a set of vitals (intake.VitalSigns), in display order.
VITAL_COLUMNS = (*VITALS, "height_cm")
WEIGHT_CHANGE_CONFIRM_PERCENT = Decimal(5)  # a change >5% since the last visit asks to confirm [S145]


def fahrenheit_to_celsius(value: Decimal) -> Decimal:
    return ((value - 32) * 5 / 9).quantize(Decimal("0.1"))


def pounds_to_kg(value: Decimal) -> Decimal:
    return (value * Decimal("0.45359237")).quantize(Decimal("0.1"))


def hard_bound_constraints(prefix: str, fields=VITALS):
    """CHECK constraints keeping each present vital inside its hard bounds, and diastolic below systolic."""
    from django.db import models

    constraints = [
        models.CheckConstraint(
            condition=models.Q(**{f"{name}__isnull": True})
            | models.Q(**{f"{name}__gte": bounds.hard[0], f"{name}__lte": bounds.hard[1]}),
            name=f"{prefix}_{name}_bounds",
        )
        for name, bounds in fields.items()
    ]
    constraints.append(
        models.CheckConstraint(
            condition=models.Q(systolic__isnull=True)
            | models.Q(diastolic__isnull=True)
            | models.Q(diastolic__lt=models.F("systolic")),
            name=f"{prefix}_diastolic_below_systolic",
        )
    )
    return constraints
