"""Panels that later stages add to the pages of earlier ones, so that dependencies keep pointing one way.

The chart and the patient's home belong to intake, but dosing (and integration) have something to show
there. Intake can't import them (core ◄ intake ◄ sessions ◄ integration); instead each later app
registers a panel in its `AppConfig.ready()`: a template and a function that returns the template's
context for this request and patient (or None to show nothing). The page asks for its panels.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

CHART = "chart"  # the clinician's patient chart
PATIENT_HOME = "patient_home"  # the patient's own home


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (request, patient) -> dict | None
    order: int = 100


_PANELS: dict[str, list[Panel]] = {CHART: [], PATIENT_HOME: []}


def register(page: str, panel: Panel) -> None:
    if panel not in _PANELS[page]:
        _PANELS[page].append(panel)
        _PANELS[page].sort(key=lambda p: p.order)


def panels_for(page: str, request, patient) -> list[str]:
    """The panels to show on `page` for this request, rendered (access was already checked by the page)."""
    rendered = []
    for panel in _PANELS[page]:
        context = panel.context(request, patient)
        if context is not None:
            rendered.append(mark_safe(render_to_string(panel.template, {"patient": patient, **context}, request)))  # noqa: S308 - a rendered template
    return rendered
