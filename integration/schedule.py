"""The follow-up measure schedule (domain.md §7.2): which questionnaires each of the plan's time points asks
for, when each falls due, and keeping a patient's `MeasureDue` rows in step with the plan and the sessions.

The plan stores the chosen time-point keys (`TreatmentPlan.measure_schedule`, from `intake.measure_schedule`);
here they become dated rows, one per instrument and time point:

- "end_of_induction" (PHQ-9, GAD-7, PCL-5, risk screen): the date of the plan's last induction session once
  it has happened (the Nth discharged dosing session); until then projected from the sessions held or booked,
  each pushed on by the plan's spacing for the sessions still to come after it (with only the first session
  booked: first + (N−1) × spacing days).
- "month_1", "month_3", "month_6" (PHQ-9, GAD-7, PCL-5): 30, 91 and 182 days after the end of induction.
- "day_after" (optional, PHQ-9): the day after each dose, once the dose has happened.
- "pre_dose" is the pre-dose check's (the dosing session asks for it), so it makes no row here.

`measures_due_refresh(patient)` keeps the rows in step; it is idempotent and cheap (three queries when
nothing moved), so the reminder job runs it for every patient in the course and the patient's home and the
chart run it when they are shown.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Window
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import MeasureResponse, Patient
from intake.selectors import plan_current
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.instruments import INSTRUMENTS
from sessions import clinic_time
from sessions.models import DosingSession

from .models import MeasureDue

PHQ9, GAD7, PCL5, CSSRS = "phq9", "gad7", "pcl5", "cssrs"
INSTRUMENT_ORDER = (PHQ9, GAD7, PCL5, CSSRS)  # the order a time point's questionnaires are asked in

# The course is under way in these stages: only they get new or moved rows, reminders and a place on the
# overdue worklist. Once the course outcome ends it (discharged, completed), open items no longer remind.
ACTIVE_STAGES = (Patient.Stage.DOSING, Patient.Stage.INTEGRATION, Patient.Stage.FOLLOW_UP)


@dataclass(frozen=True)
class FollowUpPoint:
    key: str
    label: str  # as the patient and the care team read it
    instruments: tuple[str, ...]
    context: str  # the MeasureResponse context its answers are stored with
    days_after_induction: int | None  # None: not counted from the end of induction
    source: str


FOLLOW_UP_POINTS: dict[str, FollowUpPoint] = {
    point.key: point
    for point in (
        FollowUpPoint(
            "end_of_induction",
            gettext_lazy("End of induction"),
            (PHQ9, GAD7, PCL5, CSSRS),  # the full battery; decide whether to continue
            MeasureResponse.Context.END_OF_INDUCTION,
            None,
            "domain.md §7.2 [S59,S77]",
        ),
        # "1, 3 and 6 months after the course", counted in days from the end of induction: 30 days,
        # 13 weeks (91 days) and 26 weeks (182 days).
        FollowUpPoint(
            "month_1",
            gettext_lazy("1 month after the course"),
            (PHQ9, GAD7, PCL5),
            MeasureResponse.Context.FOLLOW_UP,
            30,
            "domain.md §7.2 [S80,S66]",
        ),
        FollowUpPoint(
            "month_3",
            gettext_lazy("3 months after the course"),
            (PHQ9, GAD7, PCL5),
            MeasureResponse.Context.FOLLOW_UP,
            91,
            "domain.md §7.2 [S80,S66]",
        ),
        FollowUpPoint(
            "month_6",
            gettext_lazy("6 months after the course"),
            (PHQ9, GAD7, PCL5),
            MeasureResponse.Context.FOLLOW_UP,
            182,
            "domain.md §7.2 [S80,S66]",
        ),
        # optional: PHQ-9 the day after each dose (MADRS in the source; PHQ-9 is what the clinic has)
        FollowUpPoint(
            "day_after",
            gettext_lazy("Day after each dose"),
            (PHQ9,),
            MeasureResponse.Context.FOLLOW_UP,
            None,
            "domain.md §7.2 [S66]",
        ),
    )
}
DAY_AFTER_PREFIX = "day_after_"  # + the dosing session's number: one time point per dose
DUE_SOON_DAYS = 7  # the patient's home lists what is due now or within a week

_NOT_HELD = (DosingSession.Status.CANCELLED, DosingSession.Status.NO_SHOW)


@dataclass(frozen=True)
class Due:
    instrument: str
    time_point: str
    due_on: datetime.date


def time_point_key(time_point: str) -> str:
    """The plan's key a stored time point comes from ("day_after_3" → "day_after")."""
    return "day_after" if time_point.startswith(DAY_AFTER_PREFIX) else time_point


def time_point_label(time_point: str) -> str:
    if time_point.startswith(DAY_AFTER_PREFIX):
        return _("Day after session %(number)s") % {"number": time_point.removeprefix(DAY_AFTER_PREFIX)}
    point = FOLLOW_UP_POINTS.get(time_point)
    return str(point.label) if point is not None else time_point


def context_for(time_point: str) -> str:
    point = FOLLOW_UP_POINTS.get(time_point_key(time_point))
    return point.context if point is not None else MeasureResponse.Context.FOLLOW_UP


def instrument_name(key: str) -> str:
    definition = INSTRUMENTS.get(key)
    return str(definition.short_name) if definition is not None else key


def in_order(items):
    """MeasureDue rows by due date, then time point, then the order the instruments are asked in."""
    rank = {key: n for n, key in enumerate(INSTRUMENT_ORDER)}
    return sorted(items, key=lambda item: (item.due_on, item.time_point, rank.get(item.instrument, 99), item.pk or 0))


# --- generation -----------------------------------------------------------------------------------------


def _session_day(clinic, session) -> datetime.date:
    return clinic_time.clinic_date(clinic, session.dosed_at or session.scheduled_at)


def end_of_induction(plan, sessions, clinic) -> tuple[datetime.date, bool] | None:
    """The end of induction: (date, whether it has happened), or None before any session is booked.

    It has happened on the day of the Nth discharged session (N = the plan's induction sessions). Until
    then it is projected: each session held (in date order) or still booked, the i-th of them, is pushed
    on by (N − i) × spacing days, and the latest of these dates counts, so a delayed course moves the
    date later and a booked Nth session gives its own date.
    """
    n, spacing = plan.induction_sessions, datetime.timedelta(days=plan.spacing_days)
    live = [s for s in sessions if s.status not in _NOT_HELD]
    held = sorted(
        (s for s in live if s.status == DosingSession.Status.DISCHARGED),
        key=lambda s: (_session_day(clinic, s), s.number),
    )
    if len(held) >= n:
        return _session_day(clinic, held[n - 1]), True
    booked = sorted((s for s in live if s.status != DosingSession.Status.DISCHARGED), key=lambda s: s.scheduled_at)
    ordered = (held + booked)[:n]
    if not ordered:
        return None
    return max(_session_day(clinic, s) + spacing * (n - 1 - i) for i, s in enumerate(ordered)), False


def schedule_for(plan, sessions, clinic) -> list[Due]:
    """Every follow-up measure the plan's schedule asks for, with its due date (none before a session is
    booked: the course has not started)."""
    end = end_of_induction(plan, sessions, clinic)
    if end is None:
        return []
    end_day = end[0]
    held = [s for s in sessions if s.status == DosingSession.Status.DISCHARGED]
    dues: list[Due] = []
    for key in plan.measure_schedule or ():
        point = FOLLOW_UP_POINTS.get(key)
        if point is None:  # "pre_dose" (the pre-dose check's) or a key this version doesn't know
            continue
        if key == "day_after":
            for session in held:
                due_on = _session_day(clinic, session) + datetime.timedelta(days=1)
                dues += [Due(i, f"{DAY_AFTER_PREFIX}{session.number}", due_on) for i in point.instruments]
            continue
        due_on = end_day + datetime.timedelta(days=point.days_after_induction or 0)
        dues += [Due(i, key, due_on) for i in point.instruments]
    return dues


@transaction.atomic
def measures_due_refresh(patient: Patient) -> list[MeasureDue]:
    """Bring the patient's follow-up rows in step with the current signed plan and the sessions, and return
    all of them (completed too), in order.

    Idempotent: rows are created once (the unique constraint answers a concurrent double), a due date that
    moved is updated on rows not yet completed (a reminder already sent is sent again when the new date is
    still to come), rows the plan no longer asks for are removed unless completed, and completed rows are
    never touched. Only for patients whose course is under way (`ACTIVE_STAGES`); others keep their rows.
    """
    rows = list(MeasureDue.objects.filter(patient=patient).select_related("completed_by"))
    if patient.stage not in ACTIVE_STAGES:
        return in_order(rows)
    plan = plan_current(patient)
    if plan is None:
        return in_order(rows)
    clinic = patient.clinic
    sessions = list(DosingSession.objects.filter(patient=patient).only("number", "status", "scheduled_at", "dosed_at"))
    wanted = {(due.instrument, due.time_point): due.due_on for due in schedule_for(plan, sessions, clinic)}
    existing = {(row.instrument, row.time_point): row for row in rows}
    today = clinic_time.clinic_today(clinic)
    new = [
        MeasureDue(patient=patient, instrument=instrument, time_point=time_point, due_on=due_on)
        for (instrument, time_point), due_on in wanted.items()
        if (instrument, time_point) not in existing
    ]
    moved = 0
    for key, row in existing.items():
        if row.is_completed or key not in wanted or row.due_on == wanted[key]:
            continue
        changes = {"due_on": wanted[key]}
        if row.reminded_at is not None and wanted[key] > today:
            changes["reminded_at"] = None  # reminded too early: remind again when it is due
        moved += MeasureDue.objects.filter(pk=row.pk, completed_by__isnull=True).update(**changes)
    dropped = [row.pk for key, row in existing.items() if not row.is_completed and key not in wanted]
    if new:
        MeasureDue.objects.bulk_create(new, ignore_conflicts=True)
    if dropped:
        MeasureDue.objects.filter(pk__in=dropped, completed_by__isnull=True).delete()
    if not (new or moved or dropped):
        return in_order(rows)
    audit_record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        patient=patient,
        detail=f"follow-up schedule: {len(new)} added, {moved} moved, {len(dropped)} removed",
    )
    return in_order(MeasureDue.objects.filter(patient=patient).select_related("completed_by"))


# --- reads ------------------------------------------------------------------------------------------------


def open_rows(rows) -> list[MeasureDue]:
    return [row for row in rows if not row.is_completed]


def due_soon(rows, today: datetime.date, *, within_days: int = DUE_SOON_DAYS) -> list[MeasureDue]:
    """Open rows due now or within `within_days` days."""
    return [row for row in open_rows(rows) if row.due_on <= today + datetime.timedelta(days=within_days)]


@dataclass
class TimePointGroup:
    """One time point's questionnaires of a patient (what the patient fills in at one visit)."""

    time_point: str
    label: str
    due_on: datetime.date
    items: list

    @property
    def first_open(self):
        return next((item for item in self.items if not item.is_completed), None)

    @property
    def instruments(self) -> list[str]:
        return [instrument_name(item.instrument) for item in self.items]


def grouped(rows) -> list[TimePointGroup]:
    """Rows grouped by time point, earliest first; each group's items in the order they are asked."""
    groups: dict[str, TimePointGroup] = {}
    for row in in_order(rows):
        group = groups.get(row.time_point)
        if group is None:
            group = groups[row.time_point] = TimePointGroup(
                row.time_point, time_point_label(row.time_point), row.due_on, []
            )
        group.items.append(row)
        group.due_on = min(group.due_on, row.due_on)
    for group in groups.values():
        group.items = in_order(group.items)
    return sorted(groups.values(), key=lambda g: (g.due_on, g.time_point))


def clinic_todays(clinics) -> dict[int, datetime.date]:
    """Today's date in each clinic's own time zone, by clinic id."""
    return {clinic.pk: clinic_time.clinic_today(clinic) for clinic in clinics}


def overdue_measures(clinics, todays: dict[int, datetime.date] | None = None):
    """Open follow-up measures of `clinics`' patients whose course is under way, past their due date (in each
    clinic's own calendar), oldest first, with the patient and clinic."""
    todays = todays if todays is not None else clinic_todays(clinics)
    if not todays:
        return MeasureDue.objects.none()
    past_due = Q()
    for clinic_id, today in todays.items():
        past_due |= Q(patient__clinic_id=clinic_id, due_on__lt=today)
    return (
        MeasureDue.objects.filter(past_due, completed_by__isnull=True, patient__stage__in=ACTIVE_STAGES)
        .select_related("patient__clinic")
        .order_by("due_on", "pk")
    )


def with_days_overdue(items, todays: dict[int, datetime.date]) -> list[MeasureDue]:
    """Give each overdue row `days_overdue` (days since its due date, in its clinic's calendar)."""
    items = list(items)
    for item in items:
        item.days_overdue = (todays[item.patient.clinic_id] - item.due_on).days
    return items


def overdue_worklist(clinics, size: int) -> tuple[list[MeasureDue], int]:
    """The first `size` overdue rows (with `days_overdue`, `label`, `instrument_name`) and how many there are
    in all, in one query (the clinician's home card)."""
    todays = clinic_todays(clinics)
    rows = list(overdue_measures(clinics, todays).annotate(overdue_total=Window(Count("pk")))[:size])
    for row in with_days_overdue(rows, todays):
        row.label = time_point_label(row.time_point)
        row.instrument_name = instrument_name(row.instrument)
    return rows, (rows[0].overdue_total if rows else 0)
