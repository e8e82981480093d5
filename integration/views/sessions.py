"""Integration sessions' pages: booking one after a dose (from the chart or the worklist), the session's
note as a document, the structured note form, signing, addenda, cancelling; and the course outcome.

A session's record is the care team's: patients see their next integration session on their home page
and are told these pages don't exist, like any other refusal.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.access import audited_patient, patient_for_request
from kap_clinic.access import Action, can, deny_as_not_found
from kap_clinic.audit.models import AuditEvent
from kap_clinic.submissions.decorators import once_per_form, write_once
from sessions import clinic_time

from .. import note_fields
from ..forms.sessions import AddendumForm, CancelForm, CourseOutcomeForm, IntegrationNoteForm, IntegrationScheduleForm
from ..models import CourseOutcome, IntegrationSession
from ..services import sessions as services

Status = IntegrationSession.Status
SUGGESTED_HOUR = datetime.time(10, 0)


# --- fetching --------------------------------------------------------------------------------------


def _session(request, code, action: Action = Action.VIEW_CHART, *, audit_action=AuditEvent.Action.VIEW):
    """The integration session through the access policy (404, audited, for anyone outside it; always for
    patients, whose home page shows their next session instead)."""
    if request.user.is_patient:
        deny_as_not_found(request, f"{action} on integration session {code} (patient)", "No such session.")
    session = (
        IntegrationSession.objects.select_related(
            "patient__clinic", "patient__user", "therapist", "dosing_session", "signed_by", "created_by"
        )
        .filter(code=code)
        .first()
    )
    if session is None or not can(request.user, action, patient=session.patient):
        deny_as_not_found(request, f"{action} on integration session {code}", "No such session.")
    audited_patient(request, session.patient, action, audit_action=audit_action, obj=session)
    return session


def _refuse_writing(request, session) -> bool:
    """Say why this user can't write or sign this note now (signed, cancelled, someone else's), if so."""
    if session.is_signed:
        messages.error(request, _("This note is signed and can no longer be changed: add an addendum instead."))
    elif session.status == Status.CANCELLED:
        messages.error(request, _("This session was cancelled: there is no note to write."))
    elif not services.may_write_note(request.user, session):
        messages.error(
            request,
            _("This note is written and signed by %(name)s, the session's therapist, or by a prescriber.")
            % {"name": session.therapist.full_name},
        )
    else:
        return False
    return True


def _due(session_or_dose, clinic) -> dict:
    """The cadence for a dose: the day its integration session is due by, and whether that has passed."""
    if session_or_dose is None or session_or_dose.dosed_at is None:
        return {}
    due = note_fields.integration_due_by(clinic, session_or_dose.dosed_at)
    return {"due_by": due, "overdue": due < clinic_time.clinic_today(clinic)}


# --- booking ---------------------------------------------------------------------------------------


def _suggested_time(clinic, dose) -> datetime.datetime:
    """The day after the dose (else tomorrow) at 10:00 in the clinic's time, not in the past."""
    zone = clinic_time.clinic_zone(clinic)
    today = clinic_time.clinic_today(clinic)
    day = clinic_time.clinic_date(clinic, dose.dosed_at) + datetime.timedelta(days=1) if dose else today
    day = max(day, today)
    suggested = datetime.datetime.combine(day, SUGGESTED_HOUR, tzinfo=zone)
    if suggested < timezone.now():
        suggested += datetime.timedelta(days=1)
    return suggested


def _schedule_initial(request, patient, dose) -> dict:
    """The dose, a suggested time, and the therapist: the one of the patient's latest integration
    session, else the user when they may hold one."""
    zone = clinic_time.clinic_zone(patient.clinic)
    suggested = _suggested_time(patient.clinic, dose)
    initial = {"scheduled_at": timezone.localtime(suggested, zone).replace(tzinfo=None, second=0, microsecond=0)}
    if dose is not None:
        initial["dosing_session"] = dose.code
    therapists = services.integration_therapists(patient.clinic)
    latest = patient.integration_sessions.exclude(status=Status.CANCELLED).order_by("-scheduled_at").first()
    if latest is not None and therapists.filter(pk=latest.therapist_id).exists():
        initial["therapist"] = latest.therapist.code
    elif therapists.filter(pk=request.user.pk).exists():
        initial["therapist"] = request.user.code
    return initial


def _requested_dose(request, patient):
    """The dose named in `?dose=` (the worklist's link), if it is this patient's; else the latest dose
    with no integration session booked."""
    doses = services.patient_doses(patient)
    code = request.GET.get("dose", "")
    if code:
        try:
            dose = doses.filter(code=code).first()
        except ValidationError:  # not a UUID
            dose = None
        if dose is not None:
            return dose
    return doses.filter(has_integration=False).first()


@login_required
@once_per_form
def session_schedule(request, code):
    """Book an integration session for the patient, after a dose, with a therapist of the clinic."""
    patient = patient_for_request(request, code, Action.SCHEDULE_INTEGRATION)
    dose = _requested_dose(request, patient)
    form = IntegrationScheduleForm(
        request.POST or None, patient=patient, initial=_schedule_initial(request, patient, dose)
    )
    session = write_once(
        request, form, lambda data: services.integration_schedule(patient=patient, by=request.user, **data)
    )
    if session is not None:
        messages.success(
            request,
            _("The integration session is booked for %(when)s with %(who)s.")
            % {
                "when": date_format(
                    timezone.localtime(session.scheduled_at, clinic_time.clinic_zone(patient.clinic)), "D Y-m-d H:i"
                ),
                "who": session.therapist.full_name,
            },
        )
        return redirect(session)
    doses = list(services.patient_doses(patient)[:6])
    for each in doses:
        each.due = _due(each, patient.clinic)
    return render(
        request,
        "integration/session/schedule.html",
        {
            "patient": patient,
            "form": form,
            "dose": dose,
            "doses": doses,
            "late_warning": form.late_warning,
            "within_days": patient.clinic.integration_within_days,
            "cadence_examples": note_fields.CADENCE_EXAMPLES,
            **_due(dose, patient.clinic),
        },
    )


# --- the session and its note ---------------------------------------------------------------------


def _note_document(session) -> list[dict]:
    """The note's sections grouped for reading: label, the text or choice shown, whether it is needed
    to sign and still empty."""
    missing = {section.name for section in note_fields.missing_to_sign(session)}
    groups = []
    for group in note_fields.GROUPS:
        items = []
        for section in note_fields.sections_of(group.key):
            value = getattr(session, section.name)
            if section.kind == "checklist":
                shown = note_fields.after_effect_labels(value)
            elif section.kind == "choice":
                shown = getattr(session, f"get_{section.name}_display")() if value else ""
            else:
                shown = value
            items.append({"section": section, "value": shown, "kind": section.kind, "missing": section.name in missing})
        groups.append({"group": group, "items": items})
    return groups


@login_required
def session_detail(request, code):
    """The session: when, with whom, after which dose; the note as a document; addenda; what this user
    may do next (write, sign, add an addendum, cancel). The note is therapy content: the care team reads it
    (VIEW_JOURNAL), a clinic admin does not."""
    session = _session(request, code, Action.VIEW_JOURNAL)
    user, patient = request.user, session.patient
    writable = not session.is_signed and session.status != Status.CANCELLED
    may_write = writable and services.may_write_note(user, session)
    has_note = any(getattr(session, name) for name in note_fields.FIELD_NAMES)
    context = {
        "session": session,
        "patient": patient,
        "document": _note_document(session),
        "has_note": has_note,
        "addenda": list(session.addenda.select_related("author")),
        "may_write": may_write,
        "sign_refusal": services.sign_refusal(session) if may_write else "",
        "may_addendum": session.is_signed and can(user, Action.WRITE_INTEGRATION_NOTE, patient=patient),
        "may_cancel": session.status == Status.SCHEDULED
        and not session.is_signed
        and can(user, Action.SCHEDULE_INTEGRATION, patient=patient),
        "urinary_note": note_fields.URINARY_NOTE,
        "late": services.is_late(session.dosing_session, session.scheduled_at, patient.clinic),
        **_due(session.dosing_session, patient.clinic),
    }
    return render(request, "integration/session/detail.html", context)


@login_required
def session_note(request, code):
    """Write the structured note, section by section, until it is signed: "Save draft" keeps it,
    "Save and sign…" keeps it and goes on to the signing confirmation."""
    session = _session(request, code, Action.WRITE_INTEGRATION_NOTE)
    if _refuse_writing(request, session):
        return redirect(session)
    initial = {name: getattr(session, name) for name in note_fields.FIELD_NAMES}
    form = IntegrationNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.integration_note_save(session=session, fields=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.POST.get("action") != "sign":
                messages.success(request, _("The note is saved as a draft (not signed yet)."))
                return redirect(session)
            missing = note_fields.missing_to_sign(session)
            if not missing:
                return redirect("integration:session_sign", code=session.code)
            # Saved; what signing still needs is marked on the form, with everything typed in place.
            for section in missing:
                form.add_error(section.name, _("Needed to sign the note."))
            messages.info(request, _("The draft is saved. Fill in the sections marked below to sign it."))
    return render(
        request,
        "integration/session/note.html",
        {
            "session": session,
            "patient": session.patient,
            "form": form,
            **_due(session.dosing_session, session.patient.clinic),
        },
    )


@login_required
def session_sign(request, code):
    """Confirm, then sign, the note. What is still missing is listed, with a link back to the note."""
    session = _session(request, code, Action.WRITE_INTEGRATION_NOTE)
    if session.is_signed:
        messages.info(request, _("This note is already signed."))
        return redirect(session)
    if _refuse_writing(request, session):
        return redirect(session)
    error = services.sign_refusal(session)
    if request.method == "POST" and request.POST.get("confirm") and not error:
        try:
            services.integration_note_sign(session=session, by=request.user)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, _("The integration note is signed: it can no longer be changed."))
            return redirect(session)
    return render(
        request,
        "integration/session/sign.html",
        {
            "session": session,
            "patient": session.patient,
            "document": _note_document(session),
            "missing": note_fields.missing_to_sign(session),
            "error": error,
        },
    )


@login_required
@once_per_form
def session_addendum(request, code):
    """Add to a signed note; the note stays as it was."""
    session = _session(request, code, Action.WRITE_INTEGRATION_NOTE)
    if not session.is_signed:
        messages.error(request, _("Addenda are for signed notes: until then, change the note itself."))
        return redirect(session)
    form = AddendumForm(request.POST or None)
    saved = write_once(
        request,
        form,
        lambda data: services.integration_addendum_add(session=session, body=data["body"], by=request.user).session,
    )
    if saved is not None:
        messages.success(request, _("The addendum is added below the note."))
        return redirect(saved)
    return render(
        request,
        "integration/session/addendum.html",
        {"session": session, "patient": session.patient, "document": _note_document(session), "form": form},
    )


@login_required
@once_per_form
def session_cancel(request, code):
    """Confirm, with a reason, that a booked session won't take place. Its dose then needs a new booking."""
    session = _session(request, code, Action.SCHEDULE_INTEGRATION)
    if session.status != Status.SCHEDULED or session.is_signed:
        messages.error(
            request,
            _("Only a booked session can be cancelled (this one is “%(status)s”).")
            % {"status": session.get_status_display()},
        )
        return redirect(session)
    form = CancelForm(request.POST or None)
    cancelled = write_once(
        request,
        form,
        lambda data: services.integration_cancel(session=session, reason=data["reason"], by=request.user),
    )
    if cancelled is not None:
        messages.success(request, _("The integration session is cancelled."))
        return redirect(cancelled)
    return render(
        request,
        "integration/session/cancel.html",
        {"session": session, "patient": session.patient, "form": form},
    )


# --- the course outcome ---------------------------------------------------------------------------


@login_required
@once_per_form
def course_outcome(request, code):
    """A prescriber records how the course ended, once; afterwards the page shows it, read-only."""
    patient = patient_for_request(request, code, Action.RECORD_OUTCOME)
    outcome = CourseOutcome.objects.filter(patient=patient).select_related("recorded_by").first()
    context = {
        "patient": patient,
        "outcome": outcome,
        "doses_given": services.patient_doses(patient).count(),
        "sessions_signed": patient.integration_sessions.filter(signed_at__isnull=False).count(),
    }
    if outcome is not None:
        return render(request, "integration/outcome.html", context)
    clinic = patient.clinic
    form = CourseOutcomeForm(
        request.POST or None, clinic=clinic, initial={"ended_on": clinic_time.clinic_today(clinic)}
    )
    # The patient is what the submission points back to (the outcome has no page of its own).
    recorded = write_once(
        request,
        form,
        lambda data: services.course_outcome_record(patient=patient, by=request.user, **data).patient,
    )
    if recorded is not None:
        messages.success(request, _("The course outcome is recorded."))
        return redirect("integration:course_outcome", code=patient.code)
    return render(request, "integration/outcome.html", context | {"form": form})
