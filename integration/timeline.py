"""The course timeline on the chart, newest first in one list: the intake sent, each signed assessment (its
decision) and plan (route, dose), every dose (route, mg, mg/kg) with its observation summary (pre-dose, peak
and discharge BP, lowest SpO₂, deepest sedation), adverse events, integration sessions that took place, and
the measures (totals, bands, and against baseline).

`course_timeline(patient)` runs a fixed ten queries whatever the length of the course: one per kind of record,
the doses' administrations and observations prefetched, and `progress_for` for the markers. The observation
summary is `sessions.board.observation_summary` on the prefetched entries (no query of its own).
"""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.models import Assessment, IntakeQuestionnaire, MeasureResponse, TreatmentPlan
from kap_clinic.instruments import INSTRUMENTS
from sessions import clinic_time
from sessions.board import ObservationSummary, observation_summary
from sessions.models import Administration, AdverseEvent, DosingSession, ObservationEntry

from .models import IntegrationSession
from .progress import progress_for

INTAKE, MEASURES, ASSESSMENT, PLAN, DOSE, ADVERSE_EVENT, INTEGRATION = (
    "intake",
    "measures",
    "assessment",
    "plan",
    "dose",
    "adverse_event",
    "integration",
)
# Events at the same moment are listed in the course's own order, latest step first.
COURSE_ORDER = (INTAKE, MEASURES, ASSESSMENT, PLAN, DOSE, ADVERSE_EVENT, INTEGRATION)
KIND_LABELS = {
    INTAKE: _("Intake"),
    MEASURES: _("Measures"),
    ASSESSMENT: _("Assessment"),
    PLAN: _("Treatment plan"),
    DOSE: _("Dose"),
    ADVERSE_EVENT: _("Adverse event"),
    INTEGRATION: _("Integration session"),
}
KIND_ICONS = {
    INTAKE: "clipboard-check",
    MEASURES: "bar-chart-line",
    ASSESSMENT: "person-check",
    PLAN: "journal-medical",
    DOSE: "capsule",
    ADVERSE_EVENT: "exclamation-triangle",
    INTEGRATION: "chat-heart",
}


@dataclass
class Event:
    kind: str
    at: datetime.datetime
    record: object = None  # the questionnaire, assessment, plan, dosing session, adverse event or integration session
    administrations: list = field(default_factory=list)
    summary: ObservationSummary | None = None
    adverse_events: int = 0
    measures: list = field(default_factory=list)  # [MeasureRow]

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def icon(self) -> str:
        return KIND_ICONS[self.kind]

    @property
    def sort_key(self):
        return (self.at, COURSE_ORDER.index(self.kind), getattr(self.record, "pk", 0) or 0)


def plain(value) -> str:
    """A decimal without its trailing zeros: 0.500 → "0.5", 100.00 → "100"."""
    return "" if value is None else f"{value.normalize():f}"


@dataclass
class MeasureRow:
    measure: MeasureResponse
    markers: object = None  # progress.Markers against baseline (PHQ-9, GAD-7, PCL-5 after the baseline)

    @property
    def name(self) -> str:
        return str(INSTRUMENTS[self.measure.instrument].short_name)


def _doses(patient) -> list[DosingSession]:
    """The dosed sessions with their administrations, observations (oldest first) and pre-dose vitals."""
    observations = ObservationEntry.objects.only(
        "session", "observed_at", "systolic", "diastolic", "spo2", "moaas", "dissociation", "news2", "alerts"
    ).order_by("observed_at", "pk")
    return list(
        DosingSession.objects.filter(patient=patient, dosed_at__isnull=False)
        .select_related("pre_dose_check__vitals")
        .prefetch_related(
            Prefetch("administrations", queryset=Administration.objects.order_by("started_at", "pk")),
            Prefetch("observations", queryset=observations, to_attr="timeline_observations"),
        )
        .order_by("dosed_at", "pk")
    )


def _measure_events(patient, measures) -> list[Event]:
    """The measures grouped by day and context (an intake's set is one event), each with its markers."""
    markers = {c.measure.pk: c.markers for p in progress_for(patient) for c in p.later}
    zone = clinic_time.clinic_zone(patient.clinic)

    def group(measure):
        return timezone.localtime(measure.completed_at, zone).date(), measure.context

    events = []
    for _key, rows in groupby(sorted(measures, key=lambda m: (group(m), m.completed_at, m.pk)), key=group):
        rows = list(rows)
        order = {key: n for n, key in enumerate(INSTRUMENTS)}
        rows.sort(key=lambda m: (order.get(m.instrument, 99), m.completed_at, m.pk))
        events.append(
            Event(
                kind=MEASURES,
                at=max(m.completed_at for m in rows),
                record=rows[0],
                measures=[MeasureRow(m, markers.get(m.pk)) for m in rows],
            )
        )
    return events


def course_timeline(patient) -> list[Event]:
    """Every step of the course, newest first. Ten queries; `patient.clinic` should already be loaded."""
    events: list[Event] = []
    questionnaire = (
        IntakeQuestionnaire.objects.filter(patient=patient, submitted_at__isnull=False)
        .only("patient_id", "status", "submitted_at", "reviewed_at")
        .first()
    )
    if questionnaire is not None:
        events.append(Event(INTAKE, questionnaire.submitted_at, questionnaire))
    for assessment in Assessment.objects.filter(patient=patient, signed_at__isnull=False).select_related("signed_by"):
        events.append(Event(ASSESSMENT, assessment.signed_at, assessment))
    for plan in TreatmentPlan.objects.filter(patient=patient, signed_at__isnull=False).select_related("signed_by"):
        plan.planned_dose_text = plain(plan.planned_dose)
        events.append(Event(PLAN, plan.signed_at, plan))

    adverse = list(
        AdverseEvent.objects.filter(session__patient=patient).select_related("session").order_by("onset_at", "pk")
    )
    per_session: dict[int, int] = {}
    for event in adverse:
        per_session[event.session_id] = per_session.get(event.session_id, 0) + 1
        events.append(Event(ADVERSE_EVENT, event.onset_at, event))
    for session in _doses(patient):
        for administration in session.administrations.all():
            administration.dose_text, administration.mg_per_kg_text = (
                plain(administration.dose_mg),
                plain(administration.mg_per_kg),
            )
        events.append(
            Event(
                DOSE,
                session.dosed_at,
                session,
                administrations=list(session.administrations.all()),
                summary=observation_summary(session, session.timeline_observations),
                adverse_events=per_session.get(session.pk, 0),
            )
        )

    held = Q(status=IntegrationSession.Status.COMPLETED) | Q(
        status=IntegrationSession.Status.SCHEDULED, scheduled_at__lte=timezone.now()
    )
    for session in (
        IntegrationSession.objects.filter(held, patient=patient)
        .select_related("therapist", "dosing_session")
        .order_by("scheduled_at", "pk")
    ):
        events.append(Event(INTEGRATION, session.scheduled_at, session))

    measures = MeasureResponse.objects.filter(patient=patient).only(
        "patient_id", "instrument", "total", "band", "risk", "context", "completed_at"
    )
    events += _measure_events(patient, measures)
    events.sort(key=lambda event: event.sort_key, reverse=True)
    return events
