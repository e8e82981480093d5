"""Follow-up measures: the patient completes one that is due, and the reminder job emails what has fallen due.

A reminder is sent once per patient and time point (the time point's questionnaires are one visit for the
patient; the link opens the first of them and the page walks through the rest). Each row is claimed with a
conditional UPDATE (… WHERE reminded_at IS NULL) in the same transaction as the email, so two runs at once
or a run repeated never send twice, and a failed email rolls its claim back for the next run to retry.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Patient
from intake.services import measure_record
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from sessions import clinic_time

from ..models import MeasureDue
from ..schedule import ACTIVE_STAGES, context_for, in_order, measures_due_refresh

logger = logging.getLogger(__name__)


@transaction.atomic
def measure_due_complete(*, due: MeasureDue, answers: dict, by, index_event: str = "") -> MeasureDue:
    """Record the patient's answers to a due follow-up measure (scored, final; safety alerts open as in
    intake) and mark the row completed by that response. Raises ValidationError when the answers are
    incomplete or the measure was completed already (e.g. in another tab)."""
    due = MeasureDue.objects.select_for_update().select_related("patient__clinic").get(pk=due.pk)
    if due.is_completed:
        raise ValidationError(_("You have already completed this questionnaire."), code="already_completed")
    response = measure_record(
        patient=due.patient,
        instrument=due.instrument,
        answers=answers,
        by=by,
        context=context_for(due.time_point),
        index_event=index_event,
    )
    due.completed_by = response
    due.save(update_fields=["completed_by"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.SUBMIT,
        patient=due.patient,
        obj=due,
        detail=f"follow-up {due.instrument} {due.time_point} completed",
    )
    return due


# --- reminders ----------------------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    sent: int = 0
    failed: int = 0
    checked: int = 0  # patients whose schedule was brought up to date
    errors: list[str] = field(default_factory=list)


def measure_take_url(item: MeasureDue) -> str:
    return settings.SITE_URL + reverse("integration:measure_take", args=[item.code])


def _due_groups(now) -> list[list[MeasureDue]]:
    """Open, not yet reminded rows due by today in their clinic's calendar, grouped by patient and time point."""
    # every clinic's "today" is at most one day after the UTC date; the exact cut is per clinic below
    horizon = now.astimezone(datetime.UTC).date() + datetime.timedelta(days=1)
    candidates = (
        MeasureDue.objects.filter(
            completed_by__isnull=True,
            reminded_at__isnull=True,
            due_on__lte=horizon,
            patient__stage__in=ACTIVE_STAGES,
        )
        .select_related("patient__clinic", "patient__user")
        .order_by("patient_id", "time_point", "pk")
    )
    todays: dict[int, datetime.date] = {}
    groups: dict[tuple[int, str], list[MeasureDue]] = {}
    for item in candidates:
        clinic = item.patient.clinic
        if clinic.pk not in todays:
            todays[clinic.pk] = clinic_time.clinic_today(clinic)
        if item.due_on <= todays[clinic.pk]:
            groups.setdefault((item.patient_id, item.time_point), []).append(item)
    return [in_order(items) for items in groups.values()]


def _remind(items: list[MeasureDue], now) -> bool:
    """Claim the group's rows and email the patient, in one transaction: False if another run claimed them.
    An exception (the email failed) rolls the claim back."""
    with transaction.atomic():
        claimed = MeasureDue.objects.filter(
            pk__in=[item.pk for item in items], reminded_at__isnull=True, completed_by__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            return False
        first = items[0]
        patient, clinic = first.patient, first.patient.clinic
        context = {"patient": patient, "clinic": clinic, "url": measure_take_url(first)}
        subject = render_to_string("integration/email/measure_reminder_subject.txt", context).strip()
        send_mail(
            subject,
            render_to_string("integration/email/measure_reminder.txt", context),
            None,
            [patient.email],
            fail_silently=False,
        )
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            patient=patient,
            obj=first,
            detail=f"follow-up reminder sent ({first.time_point})",
        )
    return True


def measure_reminders_send(*, refresh: bool = True) -> ReminderRun:
    """Bring every active course's schedule up to date (unless `refresh` is False), then remind each patient
    of what has fallen due and not been reminded. Safe to run at any time, as often as wanted, and several
    at once."""
    run = ReminderRun()
    if refresh:
        for patient in Patient.objects.filter(stage__in=ACTIVE_STAGES).select_related("clinic").order_by("pk"):
            try:
                measures_due_refresh(patient)
            except Exception as error:  # one chart's problem must not stop everyone else's reminders
                logger.exception("follow-up schedule of patient %s could not be refreshed", patient.code)
                run.errors.append(f"patient {patient.code}: {error}")
            else:
                run.checked += 1
    now = timezone.now()
    for items in _due_groups(now):
        try:
            if _remind(items, now):
                run.sent += 1
        except Exception as error:  # the email (or its audit entry) failed: the claim was rolled back
            logger.exception("follow-up reminder for MeasureDue %s failed", items[0].code)
            run.failed += 1
            run.errors.append(f"{items[0].code}: {error}")
    return run
