from . import LOGIN, Rule, outcomes

_staff_page = Rule(outcomes(403, anonymous=LOGIN, staff=200, others=200))

RULES = {
    "dosing:landing": _staff_page,
}
