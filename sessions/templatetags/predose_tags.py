"""The pre-dose check and the doses on the session's pages: may the findings be overridden, may a dose
be recorded now, how long an infusion ran."""

from decimal import Decimal

from django import template

from sessions import predose_rules
from sessions.services import predose as services

register = template.Library()


@register.filter
def overridable(findings) -> bool:
    """`{% if check.findings|overridable %}`: a prescriber may clear them with a reason (no hard hold)."""
    return predose_rules.overridable(findings or [])


@register.filter
def may_administer(session) -> bool:
    """`{% if session|may_administer %}`: checked in with a cleared check, or dosing; not signed."""
    return services.may_administer(session)


@register.filter
def minutes(administration) -> int | None:
    """How many whole minutes an administration ran (None without an end time)."""
    if administration.ended_at is None:
        return None
    return int((administration.ended_at - administration.started_at).total_seconds() // 60)


@register.filter
def plain(value) -> str:
    """`{{ plan.dose_min|plain }}`: a number without trailing zeros (0.3, 1, 0.75)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}"
