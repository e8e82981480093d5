"""Safety alerts: opened by a measure's answers, seen by the clinic's clinicians on their pages and by
email to the clinic's contact address, closed only by a clinician's acknowledgement with a note."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.instruments.scoring import FLAG_LABELS, Score

from ..models import MeasureResponse, Patient, SafetyAlert


def safety_alerts_for_score(*, patient: Patient, result: Score, measure: MeasureResponse | None = None) -> list:
    """Open the alerts a score calls for: item 9 and a moderate or high risk screen."""
    return [
        safety_alert_open(patient=patient, source=flag, detail=FLAG_LABELS[flag], measure=measure)
        for flag in result.flags
        if flag in SafetyAlert.Source.values
    ]


@transaction.atomic
def safety_alert_open(*, patient: Patient, source: str, detail: str = "", measure=None) -> SafetyAlert:
    """Open an alert, or return the one already open for this patient and source (never two at once).

    The clinic's contact address is emailed once the alert is committed; the email names no patient
    (it links to the chart, behind login).
    """
    existing = SafetyAlert.objects.filter(patient=patient, source=source, acknowledged_at__isnull=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            alert = SafetyAlert.objects.create(patient=patient, source=source, detail=detail[:255], measure=measure)
    except IntegrityError:  # opened by a concurrent request a moment ago
        return SafetyAlert.objects.get(patient=patient, source=source, acknowledged_at__isnull=True)
    audit_record(actor=None, action=AuditEvent.Action.ALERT, patient=patient, obj=alert, detail=source)
    transaction.on_commit(lambda: _email_clinic(alert.pk))
    return alert


def _email_clinic(alert_pk: int) -> None:
    alert = SafetyAlert.objects.select_related("patient__clinic").get(pk=alert_pk)
    clinic = alert.patient.clinic
    if not clinic.contact_email:
        return
    body = render_to_string(
        "intake/email/safety_alert.txt",
        {
            "alert": alert,
            "clinic": clinic,
            "chart_url": settings.SITE_URL + reverse("intake:patient_chart", args=[alert.patient.code]),
        },
    )
    send_mail(
        _("Safety alert at %(clinic)s: review needed today") % {"clinic": clinic.name},
        body,
        None,
        [clinic.contact_email],
    )


@transaction.atomic
def safety_alert_acknowledge(*, alert: SafetyAlert, by, note: str) -> SafetyAlert:
    """Close an open alert with the clinician's note of what was done."""
    note = note.strip()
    if not note:
        raise ValidationError(_("Write what was done about this alert."), code="note_required")
    alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
    if not alert.is_open:
        raise ValidationError(_("This alert was already acknowledged."), code="already_acknowledged")
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.acknowledgement_note = note
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    audit_record(actor=by, action=AuditEvent.Action.ACKNOWLEDGE, patient=alert.patient, obj=alert, detail=alert.source)
    return alert
