"""Quantities of a lot's product: mg, and the product's own measure (mL of a solution, troches or devices).

`quantity_to_mg` is the one place that turns what a person typed into mg; the `fmt_*` helpers show a
quantity the way the ledger pages and messages do, e.g. "250 mg (2.5 mL)".
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import ledger_rules as rules
from .models import Lot


def fmt_mg(value: Decimal) -> str:
    return f"{rules.plain_number(value)} mg"


def unit_name(lot: Lot, amount: Decimal) -> str:
    """The name of the lot's own measure for `amount` of it: "mL", "troche" (exactly one) or "troches"."""
    rule = lot.rule
    return rule.unit_name if amount == 1 else rule.unit_name_plural


def fmt_measure(lot: Lot, mg: Decimal) -> str:
    """`mg` of this lot in its own measure: "2.5 mL" or "3 troches"."""
    amount = lot.measure_of(mg)
    rule = lot.rule
    if rule.counted:
        name = unit_name(lot, amount)
        return f"{rules.plain_number(amount.quantize(Decimal('0.01')))} {name}"
    return f"{rules.plain_number(amount.quantize(Decimal('0.001')))} mL"


def fmt_quantity(lot: Lot, mg: Decimal) -> str:
    return f"{fmt_mg(mg)} ({fmt_measure(lot, mg)})"


def quantity_to_mg(lot: Lot, quantity: Decimal, unit: str, *, allow_zero: bool = False) -> Decimal:
    """A quantity entered in `unit` as mg of this lot, or a ValidationError that says what is wrong.

    A solution is entered in mg or mL (mg = mL × concentration); a troche or device in mg or whole
    units (mg = units × strength), since the form of a product decides how it is counted [S117].
    """
    rule = lot.rule
    if unit not in rule.units:
        label = rules.Unit(unit).label if unit in rules.Unit.values else unit
        raise ValidationError(
            _("A %(noun)s is recorded in mg or %(measure)s, not in %(unit)s.")
            % {"noun": rule.noun, "measure": rule.unit_name_plural, "unit": label},
            code="unit",
        )
    try:
        quantity = Decimal(quantity)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_("Enter the quantity as a number."), code="invalid") from None
    if not quantity.is_finite():
        raise ValidationError(_("Enter the quantity as a number."), code="invalid")
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValidationError(
            _("Enter a quantity of zero or more.") if allow_zero else _("Enter a quantity above zero."),
            code="not_positive",
        )
    if unit == rules.Unit.MG:
        mg = quantity
    else:
        if rule.counted and quantity != quantity.to_integral_value():
            raise ValidationError(
                _("%(units)s are counted whole: enter a whole number.") % {"units": rule.unit_name_plural.capitalize()},
                code="whole",
            )
        mg = (quantity * lot.strength_mg).quantize(rules.MG_QUANTUM, rounding=ROUND_HALF_EVEN)
    if mg != mg.quantize(rules.MG_QUANTUM):
        raise ValidationError(_("Enter mg with at most 3 decimal places."), code="precision")
    if rule.counted and (mg / lot.strength_mg) != (mg / lot.strength_mg).to_integral_value():
        raise ValidationError(
            _("%(mg)s is not a whole number of %(strength)s %(units)s.")
            % {"mg": fmt_mg(mg), "strength": fmt_mg(lot.strength_mg), "units": rule.unit_name_plural},
            code="whole",
        )
    if mg >= Decimal(10) ** (12 - rules.MG_PLACES):
        raise ValidationError(_("That quantity is too large to be right. Check it."), code="too_large")
    return mg
