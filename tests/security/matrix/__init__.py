"""The authorization matrix: for every URL pattern the project resolves, what each persona gets.

Each stage app lists its URLs in its own module here (`core.py`, `intake.py`, `dosing.py`, …) as
`RULES = {url_name: Rule(...)}`. The test walks the URL resolver and fails on any pattern that no
module lists, so a new view can't ship without saying who may open it.

Outcomes: 200 (shown), 403 (role refused), 404 (out of scope: another patient's or clinic's),
405 (method refused), LOGIN (redirect to the login page), or REDIRECT (another redirect, e.g. a
logged-in user sent home from the login page).
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = (
    "anonymous",
    "patient_a",
    "patient_b",
    "prescriber",
    "therapist",
    "nurse",
    "admin",
    "other_clinician",
    "other_admin",
)
STAFF = ("prescriber", "therapist", "nurse", "admin")
CLINICIANS = ("prescriber", "therapist", "nurse")
OTHERS = ("other_clinician", "other_admin")
LOGIN = "login"
REDIRECT = "redirect"


def outcomes(default, **overrides) -> dict[str, object]:
    """Expected outcome per persona: `default` for all, then per-persona or per-group overrides.

    Group keywords: staff=, clinicians=, others= (other clinic's clinician and admin).
    """
    result = dict.fromkeys(PERSONAS, default)
    groups = {"staff": STAFF, "clinicians": CLINICIANS, "others": OTHERS}
    for key, value in overrides.items():
        for persona in groups.get(key, (key,)):
            assert persona in PERSONAS, f"unknown persona {persona}"
            result[persona] = value
    return result


@dataclass
class Rule:
    expected: dict[str, object]
    kwargs: Callable[[object], dict] = field(default=lambda world: {})


def patient_chart_rule(kwargs: Callable[[object], dict], *, clinicians=200, admin=200) -> Rule:
    """A page of patient A's data: A and A's care team see it; everyone else is told it doesn't exist."""
    return Rule(
        outcomes(404, anonymous=LOGIN, patient_a=200, clinicians=clinicians, admin=admin),
        kwargs,
    )


def all_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name, rule in getattr(module, "RULES", {}).items():
            assert name not in rules, f"{name} is listed twice"
            rules[name] = rule
    return rules
