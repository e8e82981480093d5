"""A clinic's own protocol settings: the PCL-5 cutoff, the dosing session's observation interval and how
long a weight stays valid, each route's fasting, dose limits and minimum observation (`RouteProtocol`,
defaults in `intake.protocol`) and its licensed risk-screen wording (`ScreenerWording`)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kap_clinic.accounts.models import Clinic
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.instruments.definitions import CSSRS_PLACEHOLDER_WORDING

from ..models import Route, RouteProtocol, ScreenerWording
from ..models.assessment import DoseUnit
from ..protocol import route_protocols

PCL5_CUTOFF_MIN, PCL5_CUTOFF_MAX = 20, 60  # Clinic.pcl5_cutoff's validators; NC-PTSD 31–33, some 38 (§1.4)
FASTING_MAX_HOURS = Decimal(24)  # RouteProtocol's constraint
# Upper limits that catch a slip of the keyboard (a dose typed in the wrong unit), not clinical limits:
# domain.md §3 reports at most 7 mg/kg (oral) and 400 mg (SL) [S67,S68,S69,S70].
DOSE_LIMIT = {DoseUnit.MG_PER_KG: Decimal(10), DoseUnit.MG: Decimal(1000)}
MAXIMUM_MG_LIMIT = Decimal(1000)
# Minimum observation after a dose before discharge: Spravato at least 2 h, IV racemic 30–60 min of
# recovery (domain.md §8 [S47,S63]); the bounds catch a slip (hours typed as minutes), not clinical limits.
OBSERVATION_MINUTES_MIN, OBSERVATION_MINUTES_MAX = 15, 480
# The Clinic fields' validators: the board prompts every 5–60 min (e.g. every 15 min [S82]); a weight
# stays valid for a per-kg dose for 1–365 days (domain.md §8, weight row [S145]).
OBSERVATION_INTERVAL_MIN, OBSERVATION_INTERVAL_MAX = 5, 60
WEIGHT_MAX_AGE_MIN, WEIGHT_MAX_AGE_MAX = 1, 365
ROUTE_FIELDS = (
    "fasting_food_hours",
    "fasting_fluids_hours",
    "dose_unit",
    "dose_min",
    "dose_max",
    "maximum_mg",
    "min_observation_minutes",
)
CLINIC_FIELDS = {  # name → (lowest, highest, the unit in messages)
    "observation_interval_minutes": (OBSERVATION_INTERVAL_MIN, OBSERVATION_INTERVAL_MAX, "minutes"),
    "weight_max_age_days": (WEIGHT_MAX_AGE_MIN, WEIGHT_MAX_AGE_MAX, "days"),
}
SCREENER_FIELDS = ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")


def route_protocol_errors(values: dict) -> dict[str, str]:
    """Plain-language problems with one route's settings, by field (empty when they are consistent)."""
    errors: dict[str, str] = {}
    unit = values.get("dose_unit")
    unit_label = DoseUnit(unit).label if unit in DoseUnit.values else ""
    for name in ("fasting_food_hours", "fasting_fluids_hours"):
        hours = values.get(name)
        if hours is not None and not Decimal(0) <= hours <= FASTING_MAX_HOURS:
            errors[name] = _("Enter between 0 and 24 hours.")
    observation = values.get("min_observation_minutes")
    if observation is not None and not OBSERVATION_MINUTES_MIN <= observation <= OBSERVATION_MINUTES_MAX:
        errors["min_observation_minutes"] = _("Enter between %(low)s and %(high)s minutes.") % {
            "low": OBSERVATION_MINUTES_MIN,
            "high": OBSERVATION_MINUTES_MAX,
        }
    dose_min, dose_max, maximum = values.get("dose_min"), values.get("dose_max"), values.get("maximum_mg")
    if dose_min is not None and dose_min <= 0:
        errors["dose_min"] = _("The lowest dose must be more than 0 %(unit)s.") % {"unit": unit_label}
    limit = DOSE_LIMIT.get(unit)
    if limit is not None and dose_max is not None and dose_max > limit:
        errors["dose_max"] = _("%(dose)s %(unit)s is more than %(limit)s %(unit)s: check the unit.") % {
            "dose": dose_max,
            "unit": unit_label,
            "limit": limit,
        }
    elif dose_min is not None and dose_max is not None and dose_max < dose_min and "dose_min" not in errors:
        errors["dose_max"] = _("The highest dose (%(max)s %(unit)s) can't be below the lowest (%(min)s %(unit)s).") % {
            "max": dose_max,
            "min": dose_min,
            "unit": unit_label,
        }
    if maximum is not None and not Decimal(0) < maximum <= MAXIMUM_MG_LIMIT:
        errors["maximum_mg"] = _("Enter a maximum single dose between 0 and %(limit)s mg.") % {
            "limit": MAXIMUM_MG_LIMIT
        }
    elif unit == DoseUnit.MG and maximum is not None and dose_max is not None and dose_max > maximum:
        errors.setdefault(
            "dose_max",
            _("The highest dose (%(max)s mg) can't be above the maximum single dose (%(maximum)s mg).")
            % {"max": dose_max, "maximum": maximum},
        )
    return errors


def _fmt(value) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


@transaction.atomic
def protocol_settings_save(
    *,
    clinic,
    pcl5_cutoff: int,
    routes: dict[str, dict],
    by,
    observation_interval_minutes: int | None = None,
    weight_max_age_days: int | None = None,
) -> list[str]:
    """Save the clinic's PCL-5 cutoff, its dosing-session settings (observation interval, how long a weight
    stays valid; None keeps the current value) and every route's settings (one `RouteProtocol` row per
    route: the clinic's reviewed values from now on; a route's `min_observation_minutes` left out keeps
    its current value). Returns what changed, in words, for the message."""
    clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
    if not PCL5_CUTOFF_MIN <= pcl5_cutoff <= PCL5_CUTOFF_MAX:
        raise ValidationError(
            {
                "pcl5_cutoff": _("Enter a cutoff between %(low)s and %(high)s.")
                % {"low": PCL5_CUTOFF_MIN, "high": PCL5_CUTOFF_MAX}
            }
        )
    clinic_values = {
        name: value
        for name, value in (
            ("observation_interval_minutes", observation_interval_minutes),
            ("weight_max_age_days", weight_max_age_days),
        )
        if value is not None
    }
    errors = clinic_settings_errors(clinic_values)
    before = route_protocols(clinic)
    routes = {  # a route's minimum observation, if not given, stays as it is
        route: {"min_observation_minutes": before[route].min_observation_minutes, **values}
        if route in before
        else values
        for route, values in routes.items()
    }
    errors |= {
        f"{route}_{name}": message
        for route, values in routes.items()
        for name, message in route_protocol_errors(values).items()
    }
    if set(routes) != set(Route.values):
        errors["__all__"] = _("Every route needs its settings.")
    if errors:
        raise ValidationError(errors)
    changes = []
    fields = []
    if clinic.pcl5_cutoff != pcl5_cutoff:
        changes.append(f"PCL-5 cutoff {clinic.pcl5_cutoff}→{pcl5_cutoff}")
        clinic.pcl5_cutoff = pcl5_cutoff
        fields.append("pcl5_cutoff")
    for name, value in clinic_values.items():
        if getattr(clinic, name) != value:
            changes.append(f"{name} {getattr(clinic, name)}→{value}")
            setattr(clinic, name, value)
            fields.append(name)
    if fields:
        clinic.save(update_fields=fields)
    for route, values in routes.items():
        old = before[route]
        saved = isinstance(old, RouteProtocol)
        for name in ROUTE_FIELDS:
            if getattr(old, name) != values[name]:
                changes.append(f"{route.upper()} {name} {_fmt(getattr(old, name))}→{_fmt(values[name])}")
        if not saved and not any(c.startswith(f"{route.upper()} ") for c in changes):
            changes.append(f"{route.upper()} defaults adopted")
        RouteProtocol.objects.update_or_create(
            clinic=clinic, route=route, defaults={**{n: values[n] for n in ROUTE_FIELDS}, "updated_by": by}
        )
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        clinic=clinic,
        obj=clinic,
        detail=("protocol settings: " + ("; ".join(changes) or "no change"))[:255],
    )
    return changes


def clinic_settings_errors(values: dict) -> dict[str, str]:
    """Plain-language problems with the clinic's dosing-session settings, by field."""
    errors = {}
    for name, value in values.items():
        low, high, unit = CLINIC_FIELDS[name]
        if value is not None and not low <= value <= high:
            errors[name] = _("Enter between %(low)s and %(high)s %(unit)s.") % {
                "low": low,
                "high": high,
                "unit": _(unit),
            }
    return errors


# --- the risk screen's wording -------------------------------------------------------------------


def screener_wording_for(clinic) -> tuple[dict[str, str], bool]:
    """The risk screen's question texts for `clinic` and whether they are its licensed wording
    (False: the neutral placeholder wording, which is not the C-SSRS text)."""
    saved = ScreenerWording.objects.filter(clinic=clinic).first()
    if saved is not None:
        return saved.as_dict(), True
    return {key: str(text) for key, text in CSSRS_PLACEHOLDER_WORDING.items()}, False


@transaction.atomic
def screener_wording_save(*, clinic, texts: dict[str, str], licence_reference: str, by) -> ScreenerWording:
    """Store the clinic's licensed wording of the risk screen's seven texts."""
    texts = {key: (texts.get(key) or "").strip() for key in SCREENER_FIELDS}
    errors = {key: _("Enter the wording of this question.") for key, text in texts.items() if not text}
    if not licence_reference.strip():
        errors["licence_reference"] = _("Say under which licence your clinic uses this wording.")
    if errors:
        raise ValidationError(errors)
    wording, created = ScreenerWording.objects.update_or_create(
        clinic=clinic, defaults={**texts, "licence_reference": licence_reference.strip(), "updated_by": by}
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        clinic=clinic,
        obj=wording,
        detail=f"risk-screen wording saved (licence: {wording.licence_reference})"[:255],
    )
    return wording


@transaction.atomic
def screener_wording_revert(*, clinic, by) -> bool:
    """Remove the clinic's wording: the placeholder wording applies again. False if there was none."""
    deleted, _rows = ScreenerWording.objects.filter(clinic=clinic).delete()
    if deleted:
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            clinic=clinic,
            detail="risk-screen wording removed: placeholder wording applies",
        )
    return bool(deleted)
