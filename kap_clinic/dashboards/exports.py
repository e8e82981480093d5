"""The admin dashboard's tables as CSV: `?export=<table>&from=…&to=…` on the admin home.

Each table is (header, rows) built from the same `outcomes` functions the page shows, so a download holds
the page's numbers. Times are in the clinic's time zone; rates in per cent to 0.1; empty cells where the
page shows "—".
"""

import csv
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from sessions import clinic_time

from . import outcomes
from .outcomes import Period

# A text cell a spreadsheet would run as a formula (OWASP CSV injection) is prefixed with a quote. Numbers
# are written as numbers: a mean change of -4.5 stays a number.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, zone) -> str | int | Decimal:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def stages(period: Period):
    funnel = outcomes.patients_by_stage(period)
    header = ["Stage", "Patients at this stage now", "Patients who reached this stage"]
    rows = [[s.label, s.now, s.reached] for s in (*funnel.stages, *funnel.beside)]
    return header, rows


def sessions_per_week(period: Period):
    header = ["ISO week", "Week starting (Monday)", "Sessions discharged", "Cancelled", "No-shows"]
    rows = [[w.label, w.monday, w.discharged, w.cancelled, w.no_show] for w in outcomes.sessions_per_week(period)]
    return header, rows


def clinic_outcomes(period: Period):
    header = [
        "Instrument",
        "Breakdown",
        "Group",
        "Patients (n)",
        "Mean change from baseline (points)",
        "Responders",
        "Response rate (%)",
        "Patients above the remission line at baseline (n)",
        "Remitted",
        "Remission rate (%)",
    ]
    rows = [
        [
            g.instrument_name,
            g.breakdown_label,
            g.label,
            g.n,
            g.mean_change,
            g.responders,
            g.response_rate,
            g.remission_n,
            g.remitted,
            g.remission_rate,
        ]
        for instrument in outcomes.clinic_outcomes(period)
        for g in instrument.groups
    ]
    return header, rows


def adverse_events(period: Period):
    table = outcomes.adverse_events(period)
    header = ["Kind", "Severity", "Events", "Sessions dosed", "Events per 100 sessions"]
    rows = [[r.kind_label, r.severity_label, r.events, table.sessions, r.per_100] for r in (*table.rows, table.total)]
    return header, rows


def discharge_times(period: Period):
    header = ["Route", "Sessions discharged", "Median minutes from dose to discharge", "90th percentile (minutes)"]
    rows = [[t.label, t.sessions, t.median_minutes, t.p90_minutes] for t in outcomes.discharge_times(period)]
    return header, rows


def ledger(period: Period):
    header = ["Waiting in the ledger", "Open now", "Oldest since"]
    rows = [[item.label, item.open, item.oldest] for item in outcomes.ledger_status(period.clinic)]
    return header, rows


def staff_activity(period: Period):
    header = ["Staff member", "Email", "Role", "Views", "Creates", "Updates", "Signs", "Downloads", "All actions"]
    rows = [[s.name, s.email, s.role, *s.columns, s.total] for s in outcomes.staff_activity(period)]
    return header, rows


@dataclass(frozen=True)
class Table:
    title: str
    build: Callable[[Period], tuple[list[str], Iterable[list]]]


TABLES: dict[str, Table] = {
    "stages": Table("patients by stage", stages),
    "sessions_per_week": Table("sessions per week", sessions_per_week),
    "outcomes": Table("clinic outcomes", clinic_outcomes),
    "adverse_events": Table("adverse events", adverse_events),
    "discharge_times": Table("time from dose to discharge", discharge_times),
    "ledger": Table("ledger status", ledger),
    "staff_activity": Table("staff activity", staff_activity),
}


def filename(period: Period, table: str) -> str:
    clinic = slugify(period.clinic.name) or "clinic"
    return f"{clinic}_{table.replace('_', '-')}_{period.first.isoformat()}_to_{period.last.isoformat()}.csv"


def csv_response(period: Period, table: str) -> HttpResponse:
    """The table named `table` as a CSV download (KeyError for a name not in TABLES)."""
    header, rows = TABLES[table].build(period)
    zone = clinic_time.clinic_zone(period.clinic)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(period, table)}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value, zone) for value in row])
    return response
