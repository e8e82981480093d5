"""Observation timeline and board display: NEWS2 bands and alert levels with their colours, durations."""

from django import template
from django.utils.translation import gettext as _

from sessions import observation_rules as rules

register = template.Library()


@register.filter
def news2_score(entry):
    """The entry's NEWS2 (total, band with its css, partial), or None when nothing scored.
    `{% with score=entry|news2_score %}<span class="badge {{ score.band.css }}">…`"""
    return rules.news2(entry)


@register.filter
def level_css(level: str) -> str:
    return rules.LEVEL_CSS.get(level, "text-bg-secondary")


@register.filter
def level_label(level: str) -> str:
    label = rules.LEVEL_LABELS.get(level)
    return str(label) if label else ""


@register.filter
def top_level(alerts) -> str:
    return rules.top_level(alerts or []) or ""


@register.filter
def duration(minutes) -> str:
    """42 → "42 min"; 65 → "1 h 05 min"."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    sign = "−" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours:
        return _("%(sign)s%(h)s h %(m)02d min") % {"sign": sign, "h": hours, "m": rest}
    return _("%(sign)s%(m)s min") % {"sign": sign, "m": rest}


@register.filter
def blood_pressure(entry) -> str:
    if entry is None or getattr(entry, "systolic", None) is None:
        return ""
    return f"{entry.systolic}/{entry.diastolic}" if entry.diastolic is not None else str(entry.systolic)


@register.filter
def after(at, start) -> str:
    """How long after `start` the moment `at` was: `{{ entry.observed_at|after:session.dosed_at }}` → "40 min"."""
    if at is None or start is None:
        return ""
    return duration(int((at - start).total_seconds() // 60))
