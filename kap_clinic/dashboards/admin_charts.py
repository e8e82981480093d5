"""What static/js/charts.js draws on the admin home (its plain `data-chart` bar charts), built from the same
`outcomes` rows as the tables beside them. JSON for a data-* attribute: the CSP allows no inline script."""

import json

from django.utils.translation import gettext as _


def funnel_chart(funnel) -> str:
    """Patients invited in the period who reached each stage of the course, as horizontal bars."""
    return json.dumps(
        {
            "type": "bar",
            "horizontal": True,
            "labels": [str(row.label) for row in funnel.stages],
            "datasets": [{"label": _("Reached this stage"), "data": [row.reached for row in funnel.stages]}],
            "x_title": _("Patients"),
        }
    )


def weeks_chart(weeks) -> str:
    """Sessions per ISO week: discharged, cancelled and no-shows stacked."""
    return json.dumps(
        {
            "type": "bar",
            "stacked": True,
            "labels": [week.label for week in weeks],
            "datasets": [
                {"label": _("Discharged"), "data": [week.discharged for week in weeks]},
                {"label": _("Cancelled"), "data": [week.cancelled for week in weeks]},
                {"label": _("No-shows"), "data": [week.no_show for week in weeks]},
            ],
            "y_title": _("Sessions"),
        }
    )
