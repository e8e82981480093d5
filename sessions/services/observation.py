"""Writes of the observation timeline: an observation entry (vitals, sedation, dissociation, symptoms, a
note) with its NEWS2 and alerts computed when it is recorded, and an adverse event."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from .. import clinic_time
from .. import observation_rules as rules
from ..board import baseline_systolic
from ..models import AdverseEvent, DissociationScale, DosingSession, ObservationEntry
from ..pipeline import IN_CLINIC

Status = DosingSession.Status
DEFAULT_MOAAS_SCALE = ObservationEntry._meta.get_field("moaas_scale").default
# An adverse event may still be written up after discharge, until the session is signed.
ADVERSE_EVENT_STATUSES = (*IN_CLINIC, Status.DISCHARGED)
# Everything an entry can hold besides the time: one of these (or a note) makes an entry.
MEASUREMENTS = (
    "systolic",
    "diastolic",
    "heart_rate",
    "spo2",
    "respiratory_rate",
    "temperature_c",
    "avpu",
    "moaas",
    "dissociation",
    "dissociation_scale_score",
    "patient_state",
    "anxiety",
)


def _locked_session(session: DosingSession) -> DosingSession:
    """The session row locked for this transaction (two entries at once are both saved, one after the other)."""
    return DosingSession.objects.select_for_update().select_related("patient__clinic").get(pk=session.pk)


def _licensed_scale_name(session: DosingSession, score: int | None) -> str:
    """The clinic's licensed dissociation scale's name, checking `score` against its range ("" with no score)."""
    if score is None:
        return ""
    scale = DissociationScale.objects.filter(clinic_id=session.patient.clinic_id).first()
    if scale is None:
        raise ValidationError(_("The clinic has no licensed dissociation scale to score."), code="no_scale")
    if not 0 <= score <= scale.max_score:
        raise ValidationError(
            _("The %(scale)s total must be between 0 and %(max)s.") % {"scale": scale.name, "max": scale.max_score},
            code="scale_range",
        )
    return scale.name


def _refuse_signed(session: DosingSession) -> None:
    if session.is_signed:
        raise ValidationError(
            _("This session is signed and can no longer change: add an addendum instead."), code="signed"
        )


@transaction.atomic
def observation_record(
    *,
    session: DosingSession,
    observed_at: datetime.datetime,
    by,
    systolic: int | None = None,
    diastolic: int | None = None,
    heart_rate: int | None = None,
    spo2: int | None = None,
    on_oxygen: bool = False,
    respiratory_rate: int | None = None,
    temperature_c=None,
    avpu: str = "",
    moaas: int | None = None,
    moaas_scale: str = DEFAULT_MOAAS_SCALE,
    dissociation: int | None = None,
    dissociation_scale_score: int | None = None,
    patient_state: str = "",
    nausea_vomiting: bool = False,
    anxiety: int | None = None,
    note: str = "",
) -> ObservationEntry:
    """Add one entry to the session's timeline, with its NEWS2 and the alerts it raises stored on it.

    Allowed while the patient is checked in, dosing or observing, and the session isn't signed; the time
    may be neither in the future (beyond a little clock skew) nor before check-in; the entry must hold at
    least one measurement or a note. Two clinicians recording at the same moment both get their entry.
    """
    session = _locked_session(session)
    _refuse_signed(session)
    if session.status not in IN_CLINIC:
        raise ValidationError(
            _(
                "Observations are recorded while the patient is checked in, dosing or observing; "
                "this session is “%(status)s”."
            )
            % {"status": session.get_status_display()},
            code="status",
        )
    clinic_time.session_time_check(session, observed_at, what=_("observation"))
    scale_name = _licensed_scale_name(session, dissociation_scale_score)
    entry = ObservationEntry(
        session=session,
        observed_at=observed_at,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        on_oxygen=bool(on_oxygen),
        respiratory_rate=respiratory_rate,
        temperature_c=temperature_c,
        avpu=avpu or "",
        moaas=moaas,
        moaas_scale=moaas_scale or DEFAULT_MOAAS_SCALE,
        dissociation=dissociation,
        dissociation_scale=scale_name,
        dissociation_scale_score=dissociation_scale_score,
        patient_state=(patient_state or "").strip(),
        nausea_vomiting=bool(nausea_vomiting),
        anxiety=anxiety,
        note=(note or "").strip(),
        recorded_by=by,
    )
    if not (
        any(getattr(entry, name) not in (None, "") for name in MEASUREMENTS) or entry.nausea_vomiting or entry.note
    ):
        raise ValidationError(_("Record at least one measurement or a note."), code="empty")
    previous = list(session.observations.filter(observed_at__lte=observed_at).order_by("observed_at", "pk"))
    score = rules.news2(entry)
    entry.news2 = score.total if score else None
    entry.alerts = rules.evaluate(
        entry, observed_at=observed_at, baseline_systolic=baseline_systolic(session), previous=previous
    )
    entry.save()
    detail = f"observation at {clinic_time.local_hm(session.patient.clinic, observed_at)}"
    if score:
        detail += f", NEWS2 {score.total}{' (partial)' if score.partial else ''}"
    if entry.alerts:
        detail += ", alerts: " + ", ".join(alert["code"] for alert in entry.alerts)
    audit_record(actor=by, action=AuditEvent.Action.CREATE, patient=session.patient, obj=entry, detail=detail)
    return entry


@transaction.atomic
def adverse_event_record(
    *,
    session: DosingSession,
    kind: str,
    severity: str,
    onset_at: datetime.datetime,
    action_taken: str,
    outcome: str,
    by,
    kind_other: str = "",
) -> AdverseEvent:
    """Record an adverse event of the session: what, how severe, when it began, what was done, how it ended.

    Allowed from check-in until the session is signed (after discharge too, for what is noticed late).
    """
    session = _locked_session(session)
    _refuse_signed(session)
    if session.status not in ADVERSE_EVENT_STATUSES:
        raise ValidationError(
            _("Adverse events are recorded from check-in on; this session is “%(status)s”.")
            % {"status": session.get_status_display()},
            code="status",
        )
    clinic_time.session_time_check(session, onset_at, what=_("onset"))
    if kind not in AdverseEvent.Kind.values:
        raise ValidationError(_("Choose the kind of adverse event."), code="kind")
    kind_other = (kind_other or "").strip()
    if kind == AdverseEvent.Kind.OTHER and not kind_other:
        raise ValidationError(_("Describe the adverse event (you chose “Other”)."), code="kind_other")
    if kind != AdverseEvent.Kind.OTHER:
        kind_other = ""
    if severity not in AdverseEvent.Severity.values or outcome not in AdverseEvent.Outcome.values:
        raise ValidationError(_("Choose the severity and the outcome."), code="choice")
    if not (action_taken or "").strip():
        raise ValidationError(_("Say what was done."), code="action_taken")
    event = AdverseEvent.objects.create(
        session=session,
        kind=kind,
        kind_other=kind_other,
        severity=severity,
        onset_at=onset_at,
        action_taken=action_taken.strip(),
        outcome=outcome,
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=session.patient,
        obj=event,
        detail=f"adverse event: {kind} ({severity}), {outcome}",
    )
    return event
