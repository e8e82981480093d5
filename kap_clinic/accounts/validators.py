import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def dea_number_is_valid(value: str) -> bool:
    """A DEA registration number: two letters (or a letter and 9) and seven digits whose last is a check digit.

    The check digit is DEA's published one (not from domain.md): (d1 + d3 + d5) + 2 × (d2 + d4 + d6),
    last digit. It catches most typing slips.
    """
    value = value.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z9]\d{7}", value):
        return False
    digits = [int(c) for c in value[2:]]
    total = digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])
    return total % 10 == digits[6]


def validate_dea_number(value: str) -> None:
    if value and not dea_number_is_valid(value):
        raise ValidationError(
            _("That isn't a valid DEA number: two letters and seven digits (e.g. AB1234563), the last a check digit.")
        )
