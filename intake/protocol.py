"""Per-route protocol defaults (fasting, dose range, maximum single dose) with their sources, and the
clinic's own settings where it has saved them (`RouteProtocol`). Facts: `shared/domain.md` §2, §3, §5.

These are starting points a clinic's medical director reviews (Settings → Protocol), not clinical advice.
"""

from dataclasses import dataclass
from decimal import Decimal

from .models import DoseUnit, Route, RouteProtocol


@dataclass(frozen=True)
class RouteDefaults:
    route: str
    fasting_food_hours: Decimal
    fasting_fluids_hours: Decimal
    dose_unit: str
    dose_min: Decimal
    dose_max: Decimal
    typical_dose: Decimal
    maximum_mg: Decimal
    min_observation_minutes: int  # after the last dose ended (or started), before discharge (§8)
    source: str


D = Decimal
KAP_FASTING = {"fasting_food_hours": D(4), "fasting_fluids_hours": D(2)}  # KAP clinics, §5 [S97,S101]
ROUTE_DEFAULTS = {
    Route.IV: RouteDefaults(
        Route.IV,
        **KAP_FASTING,
        dose_unit=DoseUnit.MG_PER_KG,
        dose_min=D("0.1"),
        dose_max=D("0.75"),
        typical_dose=D("0.5"),  # 0.5 mg/kg over 40 min is the standard
        maximum_mg=D(100),
        min_observation_minutes=60,  # 30–60 min recovery after the infusion [S63] (M)
        source="§3 [S62,S63,S64]; fasting §5 [S97,S101]",
    ),
    Route.IM: RouteDefaults(
        Route.IM,
        **KAP_FASTING,
        dose_unit=DoseUnit.MG_PER_KG,
        dose_min=D("0.3"),
        dose_max=D("1.0"),  # KAP RCT: 0.3–1.0 mg/kg individualised
        typical_dose=D("0.5"),
        maximum_mg=D(120),
        min_observation_minutes=90,  # onset ~5 min, lasts ~60 min; KAP sessions 120–180 min [S65,S67] (L)
        source="§3 [S65,S66,S67]; fasting §5 [S97,S101]",
    ),
    Route.SL: RouteDefaults(
        Route.SL,
        **KAP_FASTING,
        dose_unit=DoseUnit.MG,
        dose_min=D(50),
        dose_max=D(200),  # clinic ranges 50–200 mg; 100–400 mg in one KAP group
        typical_dose=D(100),
        maximum_mg=D(400),
        min_observation_minutes=120,  # peak ~40 min, wears off over 1–2 h [S68,S69,S70] (M)
        source="§3 [S68,S69,S70,S71]; fasting §5 [S97,S101]",
    ),
    Route.IN: RouteDefaults(
        Route.IN,
        fasting_food_hours=D(2),  # Spravato: no food 2 h, no liquids 30 min [S53]
        fasting_fluids_hours=D("0.5"),
        dose_unit=DoseUnit.MG,
        dose_min=D(28),  # 28 mg from age 65
        dose_max=D(84),
        typical_dose=D(56),
        maximum_mg=D(84),
        min_observation_minutes=120,  # Spravato REMS: at least 2 h [S43,S46,S47] (H)
        source="§2 [S53,S59,S60]; §3 [S72]",
    ),
}
# The maximum single doses above are engineering defaults for the demo (domain.md gives typical ranges, not
# ceilings): a clinic's medical director sets its own on the Protocol page.

# Esketamine comes only in 28 mg devices: labelled doses 28, 56 or 84 mg (domain.md §2 [S59,S60]).
ESKETAMINE_LABELLED_DOSES_MG = (D(28), D(56), D(84))


def route_protocol(clinic, route: str) -> RouteProtocol | RouteDefaults:
    """The clinic's saved settings for `route`, else the defaults above (both have the same fields)."""
    saved = RouteProtocol.objects.filter(clinic=clinic, route=route).first()
    return saved or ROUTE_DEFAULTS[Route(route)]


def route_protocols(clinic) -> dict[str, RouteProtocol | RouteDefaults]:
    """Every route's settings for `clinic`, in one query."""
    saved = {p.route: p for p in RouteProtocol.objects.filter(clinic=clinic)}
    return {route.value: saved.get(route.value) or ROUTE_DEFAULTS[route] for route in Route}
