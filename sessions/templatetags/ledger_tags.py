"""Quantities on ledger pages: mg and the product's own measure, e.g. "250 mg (2.5 mL)"."""

from decimal import Decimal

from django import template
from django.utils.translation import ngettext

from sessions import ledger_rules as rules
from sessions.quantities import fmt_measure, fmt_quantity, unit_name

register = template.Library()


@register.filter
def quantity(mg: Decimal, lot) -> str:
    """`{{ lot.balance_mg|quantity:lot }}` → "250 mg (2.5 mL)"."""
    if mg is None:
        return ""
    return fmt_quantity(lot, abs(mg))


@register.filter
def change(mg: Decimal, lot) -> str:
    """A signed change: "+1000 mg (10 mL)" or "−25 mg (0.25 mL)"."""
    if mg is None:
        return ""
    sign = "+" if mg > 0 else "−"
    return f"{sign}{fmt_quantity(lot, abs(mg))}"


@register.filter
def packages(mg: Decimal, lot) -> str:
    """Form 41's "full packages" and "partial count": "2 full containers + 3.5 mL"."""
    if mg is None:
        return ""
    full, rest = divmod(abs(mg), lot.container_mg)
    text = ngettext("%(n)s full container", "%(n)s full containers", int(full)) % {"n": int(full)}
    return f"{text} + {fmt_measure(lot, rest)}" if rest else text


@register.filter
def containers(mg: Decimal, lot) -> str:
    """How many full containers `mg` of this lot makes, to two places (an opened vial counts in part)."""
    if mg is None or not lot.container_mg:
        return ""
    return rules.plain_number((mg / lot.container_mg).quantize(Decimal("0.01")))


@register.filter
def containers_text(mg: Decimal, lot) -> str:
    """`containers` with its noun: "1 container", "0.5 containers", "2 containers"."""
    number = containers(mg, lot)
    if not number:
        return ""
    count = Decimal(number)
    # gettext picks the form by a whole number; a part of a container reads as plural ("0.5 containers")
    n = int(count) if count == count.to_integral_value() else 2
    return ngettext("%(n)s container", "%(n)s containers", n) % {"n": number}


@register.filter
def unit_name_for(amount: Decimal, lot) -> str:
    """The name of the lot's measure for `amount`: `{{ lot.container_size|unit_name_for:lot }}` → "troche"
    for exactly one, "troches" otherwise, "mL" for a solution."""
    if amount is None:
        return ""
    return unit_name(lot, amount)
