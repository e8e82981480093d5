"""The administration's guardrails, as data: which doses need a prescriber's written override, and
which are refused outright.

Each rule has a code, a title, its threshold in words, its source in `shared/domain.md`, and whether a
prescriber may override it with a written reason. `evaluate` applies them to one administration
(`DoseFacts`); `sessions.services.predose.administration_record` refuses a dose whose guardrails are
not overridable, and asks for a prescriber's reason for the others.

Doses are compared as this session's running total (this administration plus the earlier ones of the
same session), so a booster or a second esketamine device counts towards the plan's range and the
route's maximum. A dose below the plan's range is flagged only for a session's first administration
(a booster is meant to be small), and never for esketamine, whose 28 mg devices are recorded one by one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import DoseUnit, Drug, Route
from intake.protocol import ESKETAMINE_LABELLED_DOSES_MG

from .ledger_rules import ProductForm, Substance

MG_PER_KG_QUANTUM = Decimal("0.001")
ESKETAMINE_DEVICE_MG = Decimal(28)  # one Spravato device: 28 mg in 2 sprays [S59,S60]

# Which ledger substance each drug is drawn from.
SUBSTANCE_FOR_DRUG = {Drug.RACEMIC: Substance.KETAMINE_HCL, Drug.ESKETAMINE: Substance.ESKETAMINE}

# Which finished forms can be given by each route (domain.md §3): injections from vials; sublingual
# troches/RDTs (or a solution held in the mouth); intranasal devices (or a compounded solution) [S68,S72].
ROUTE_FORMS = {
    Route.IV: (ProductForm.VIAL,),
    Route.IM: (ProductForm.VIAL,),
    Route.SL: (ProductForm.TROCHE, ProductForm.VIAL),
    Route.IN: (ProductForm.NASAL_DEVICE, ProductForm.VIAL),
}


def mg_per_kg(dose_mg: Decimal, weight_kg: Decimal | None) -> Decimal | None:
    """The dose per kg of body weight, to 3 decimal places (None without a weight)."""
    if not weight_kg:
        return None
    return (Decimal(dose_mg) / Decimal(weight_kg)).quantize(MG_PER_KG_QUANTUM, rounding=ROUND_HALF_UP)


def _n(value) -> str:
    return f"{Decimal(value).normalize():f}"


@dataclass(frozen=True)
class DoseFacts:
    """One administration and what it is compared with."""

    drug: str
    route: str
    dose_mg: Decimal
    session_total_mg: Decimal  # this dose plus the session's earlier ones
    first_of_session: bool
    weight_kg: Decimal | None
    plan_drug: str
    plan_route: str
    plan_unit: str  # DoseUnit
    plan_min: Decimal
    plan_max: Decimal
    route_maximum_mg: Decimal  # the clinic's protocol for the route given

    @property
    def session_total_per_kg(self) -> Decimal | None:
        return mg_per_kg(self.session_total_mg, self.weight_kg)

    def in_plan_unit(self, mg: Decimal) -> Decimal | None:
        return mg if self.plan_unit == DoseUnit.MG else mg_per_kg(mg, self.weight_kg)

    @property
    def unit_label(self) -> str:
        return "mg" if self.plan_unit == DoseUnit.MG else "mg/kg"


@dataclass(frozen=True)
class DoseRule:
    code: str
    title: str
    threshold: str
    source: str
    overridable: bool
    fires: Callable[[DoseFacts], str | None]


def _esketamine_route(f: DoseFacts) -> str | None:
    if f.drug == Drug.ESKETAMINE and f.route != Route.IN:
        return _("Esketamine (Spravato) is given only intranasally, by the patient, from its nasal devices.")
    return None


def _esketamine_dose(f: DoseFacts) -> str | None:
    if f.drug != Drug.ESKETAMINE:
        return None
    labelled = ", ".join(_n(d) for d in ESKETAMINE_LABELLED_DOSES_MG)
    if f.dose_mg % ESKETAMINE_DEVICE_MG:
        return _("%(mg)s mg is not a whole number of 28 mg devices: esketamine doses are %(labelled)s mg.") % {
            "mg": _n(f.dose_mg),
            "labelled": labelled,
        }
    if f.session_total_mg not in ESKETAMINE_LABELLED_DOSES_MG:
        return _("This would make %(total)s mg in this session: esketamine doses are %(labelled)s mg.") % {
            "total": _n(f.session_total_mg),
            "labelled": labelled,
        }
    return None


def _drug_differs(f: DoseFacts) -> str | None:
    if f.drug != f.plan_drug:
        return _("The plan prescribes %(plan)s, not %(drug)s.") % {
            "plan": Drug(f.plan_drug).label,
            "drug": Drug(f.drug).label,
        }
    return None


def _route_differs(f: DoseFacts) -> str | None:
    if f.route != f.plan_route:
        return _("The plan's route is %(plan)s, not %(route)s.") % {
            "plan": Route(f.plan_route).label,
            "route": Route(f.route).label,
        }
    return None


def _total_words(f: DoseFacts, value: Decimal) -> str:
    if f.first_of_session:
        return _("%(value)s %(unit)s") % {"value": _n(value), "unit": f.unit_label}
    return _("%(value)s %(unit)s in this session so far, with this dose") % {"value": _n(value), "unit": f.unit_label}


def _above_plan(f: DoseFacts) -> str | None:
    total = f.in_plan_unit(f.session_total_mg)
    if total is not None and total > f.plan_max:
        return _("%(total)s is above the plan's range of %(low)s–%(high)s %(unit)s.") % {
            "total": _total_words(f, total),
            "low": _n(f.plan_min),
            "high": _n(f.plan_max),
            "unit": f.unit_label,
        }
    return None


def _below_plan(f: DoseFacts) -> str | None:
    if not f.first_of_session or f.drug == Drug.ESKETAMINE:
        return None
    dose = f.in_plan_unit(f.dose_mg)
    if dose is not None and dose < f.plan_min:
        return _("%(dose)s %(unit)s is below the plan's range of %(low)s–%(high)s %(unit)s.") % {
            "dose": _n(dose),
            "low": _n(f.plan_min),
            "high": _n(f.plan_max),
            "unit": f.unit_label,
        }
    return None


def _above_route_maximum(f: DoseFacts) -> str | None:
    if f.session_total_mg > f.route_maximum_mg:
        return _("%(total)s mg is above the clinic's maximum of %(max)s mg for %(route)s.") % {
            "total": _n(f.session_total_mg),
            "max": _n(f.route_maximum_mg),
            "route": Route(f.route).label,
        }
    return None


L = gettext_lazy
RULES: tuple[DoseRule, ...] = (
    # --- refused: no override ------------------------------------------------------------------------
    DoseRule(
        "esketamine_route",
        L("Esketamine only intranasally"),
        L("Spravato is a nasal spray, self-administered under direct observation"),
        "domain.md §2 [S43,S44,S59]",
        False,
        _esketamine_route,
    ),
    DoseRule(
        "esketamine_labelled_dose",
        L("Esketamine only in its labelled doses"),
        L("28, 56 or 84 mg a session: one, two or three 28 mg devices"),
        "domain.md §2 [S59,S60]",
        False,
        _esketamine_dose,
    ),
    # --- a prescriber's written override ------------------------------------------------------------
    DoseRule(
        "drug_differs",
        L("Not the plan's drug"),
        L("The drug the signed treatment plan prescribes"),
        "the signed treatment plan",
        True,
        _drug_differs,
    ),
    DoseRule(
        "route_differs",
        L("Not the plan's route"),
        L("The route the signed treatment plan prescribes"),
        "the signed treatment plan",
        True,
        _route_differs,
    ),
    DoseRule(
        "above_plan_range",
        L("Above the plan's dose range"),
        L("The session's dose (mg, or mg/kg from the latest weight) within the plan's range"),
        "the signed treatment plan; ranges domain.md §3 [S62,S64,S65,S66]",
        True,
        _above_plan,
    ),
    DoseRule(
        "below_plan_range",
        L("Below the plan's dose range"),
        L("The first dose of a session within the plan's range"),
        "the signed treatment plan; ranges domain.md §3 [S62,S64,S65,S66]",
        True,
        _below_plan,
    ),
    DoseRule(
        "above_route_maximum",
        L("Above the route's maximum"),
        L("The session's total mg at most the clinic's maximum for the route (Protocol settings)"),
        "clinic protocol; domain.md §3",
        True,
        _above_route_maximum,
    ),
)


def evaluate(facts: DoseFacts) -> list[dict]:
    """The guardrails that fire: dicts of code, title, detail, source, overridable (what
    `Administration.guardrails` stores)."""
    found = []
    for rule in RULES:
        detail = rule.fires(facts)
        if detail:
            found.append(
                {
                    "code": rule.code,
                    "title": str(rule.title),
                    "detail": str(detail),
                    "source": rule.source,
                    "overridable": rule.overridable,
                }
            )
    return found


def refused(guardrails: list[dict]) -> list[dict]:
    return [g for g in guardrails if not g["overridable"]]


def needs_override(guardrails: list[dict]) -> list[dict]:
    return [g for g in guardrails if g["overridable"]]
