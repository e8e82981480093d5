"""Template helpers for the intake questionnaire's cards (the chart's intake section)."""

from django import template

from ..sections import SECTIONS

register = template.Library()


@register.simple_tag
def intake_step_total() -> int:
    """How many steps the intake questionnaire has."""
    return len(SECTIONS)
