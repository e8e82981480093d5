from . import LOGIN, Rule, outcomes

RULES = {
    # the clinic admin's own clinic (from their membership: no id in the URL); everyone else's role is refused
    "dosing:dissociation_scale": Rule(outcomes(403, anonymous=LOGIN, admin=200, other_admin=200)),
}
