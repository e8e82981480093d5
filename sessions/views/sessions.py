"""The dosing session's pages: the clinic's session list, scheduling from the chart, the session record
(a timeline of every step), status moves, discharge against the criteria, notes and signing, addenda,
and the esketamine REMS monitoring-form summary."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.access import patient_for_request
from intake.models import Medication
from kap_clinic.access import Action, can, clinic_for_request, clinics_where, deny_as_not_found, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_list_view
from kap_clinic.pagination import paginate
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import clinic_time, selectors
from ..access import session_for_request
from ..discharge_rules import CRITERIA, discharge_criteria
from ..forms.sessions import (
    AddendumForm,
    DischargeForm,
    NoteForm,
    ScheduleForm,
    SessionFilterForm,
    TransitionForm,
)
from ..models import Administration, DosingSession, SessionNote
from ..observation_schedule import next_check
from ..pipeline import IN_CLINIC, NEEDS_REASON, TRANSITIONS
from ..rems import RESPIRATORY_RULE, SOURCE, is_esketamine, rems_summary
from ..services import sessions as services

Status = DosingSession.Status
STAFF = (User.Role.CLINICIAN, User.Role.ADMIN)
RECENT_DAYS = 30

# What each move is called on its button and its confirmation page.
MOVE_LABELS = {
    Status.CHECKED_IN: (gettext_lazy("Check in"), "btn-primary"),
    Status.DOSING: (gettext_lazy("Start dosing"), "btn-primary"),
    Status.OBSERVING: (gettext_lazy("Start observation"), "btn-primary"),
    Status.DISCHARGED: (gettext_lazy("Discharge"), "btn-success"),
    Status.CANCELLED: (gettext_lazy("Cancel the session"), "btn-outline-danger"),
    Status.NO_SHOW: (gettext_lazy("Record a no-show"), "btn-outline-secondary"),
}
MOVE_HELP = {
    Status.CHECKED_IN: gettext_lazy("The patient has arrived. The pre-dose check comes next."),
    Status.DOSING: gettext_lazy("The pre-dose check is cleared: the dose is about to be given."),
    Status.OBSERVING: gettext_lazy("The dose is recorded: observation runs until discharge."),
    Status.CANCELLED: gettext_lazy("The session will not take place. The reason is kept with the session."),
    Status.NO_SHOW: gettext_lazy("The patient did not come. The reason is kept with the session."),
}


# --- fetching --------------------------------------------------------------------------------------


def _session(request, code, action: Action = Action.VIEW_CHART, *, audit_action=AuditEvent.Action.VIEW):
    """The session through the access policy. Its record is the care team's: a patient sees their next
    session on their home page, and is told this page doesn't exist, like any other refusal."""
    if request.user.is_patient:
        deny_as_not_found(request, f"{action} on dosing session {code} (patient)", "No such session.")
    return session_for_request(request, code, action, audit_action=audit_action)


def _refuse_signed(request, session) -> bool:
    """A signed session takes no more changes through any page: say so and send the user back."""
    if session.is_signed:
        messages.error(request, _("This session is signed and can no longer be changed: add an addendum instead."))
        return True
    return False


def _note_kind(kind: str) -> str:
    if kind not in SessionNote.Kind.values:
        raise Http404("No such note.")
    return kind


def _note_session(request, code, kind: str):
    """The session whose `kind` note this user may write: the monitoring note is a nurse's or
    prescriber's, the therapist's note a therapist's; anyone else is told it doesn't exist."""
    session = _session(request, code, Action.WRITE_SESSION_NOTE)
    user = request.user
    if kind == SessionNote.Kind.MONITORING:
        allowed = can(user, Action.RUN_SESSION, patient=session.patient)
    else:
        allowed = user.clinician_kind == User.ClinicianKind.THERAPIST
    if not allowed:
        deny_as_not_found(request, f"{kind} note of dosing session {code}", "No such note.")
    return session


# --- the session list -----------------------------------------------------------------------------


def _day_filter(clinics, when: str) -> Q:
    """Sessions of `clinics` today / upcoming (after today) / recent (the last 30 days before today),
    each clinic's days in its own time zone."""
    condition = Q(pk__in=[])
    for clinic in clinics:
        start, end = selectors.clinic_day_bounds(clinic, clinic_time.clinic_today(clinic))
        if when == "today":
            part = Q(scheduled_at__gte=start, scheduled_at__lt=end)
        elif when == "upcoming":
            part = Q(scheduled_at__gte=end)
        else:
            part = Q(scheduled_at__lt=start, scheduled_at__gte=start - datetime.timedelta(days=RECENT_DAYS))
        condition |= Q(patient__clinic=clinic) & part
    return condition


@role_required(*STAFF)
def session_list(request):
    """The clinic's sessions: today's, then upcoming, recent or all, filtered by status and patient."""
    clinic_for_request(request, Action.VIEW_BOARD)  # 403 (audited) for roles that never may
    clinics = list(clinics_where(request.user, Action.VIEW_BOARD))
    form = SessionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    when = data.get("when") or "upcoming"
    sessions = selectors.sessions_listed(clinics)
    if when != "all":
        sessions = sessions.filter(_day_filter(clinics, when))
    if data.get("status"):
        sessions = sessions.filter(status=data["status"])
    if data.get("q"):
        sessions = sessions.filter(
            Q(patient__legal_name__icontains=data["q"]) | Q(patient__preferred_name__icontains=data["q"])
        )
    order = ("-scheduled_at", "-pk") if when in ("recent", "all") else ("scheduled_at", "pk")
    page, page_query = paginate(request, sessions.order_by(*order))
    today = list(selectors.sessions_today(clinics))
    audit_list_view(actor=request.user, clinics=clinics, detail=f"session list ({when}), page {page.number}")
    return render(
        request,
        "dosing/session/list.html",
        {
            "form": form,
            "when": when,
            "whens": SessionFilterForm.WHEN,
            "page": page,
            "page_query": page_query,
            "today": today,
            "today_date": clinic_time.clinic_today(clinics[0]) if clinics else None,
            "several_clinics": len(clinics) > 1,
            "filtered": bool(data.get("status") or data.get("q")),
        },
    )


# --- scheduling -----------------------------------------------------------------------------------


def _schedule_initial(patient, plan, user) -> dict:
    """The next date by the plan's spacing (else tomorrow at 9:00), in the clinic's wall-clock time, and
    the room and staff of the latest session."""
    zone = clinic_time.clinic_zone(patient.clinic)
    suggested = services.next_suggested_time(patient, plan)
    if suggested is None:
        tomorrow = clinic_time.clinic_today(patient.clinic) + datetime.timedelta(days=1)
        suggested = datetime.datetime.combine(tomorrow, datetime.time(9, 0), tzinfo=zone)
    initial = {"scheduled_at": timezone.localtime(suggested, zone).replace(tzinfo=None, second=0, microsecond=0)}
    latest = patient.dosing_sessions.select_related("prescriber", "monitor").order_by("-scheduled_at").first()
    if latest is not None:
        initial |= {"room": latest.room, "prescriber": latest.prescriber.code, "monitor": latest.monitor.code}
    else:
        if plan.signed_by_id and plan.signed_by.clinician_kind == User.ClinicianKind.PRESCRIBER:
            initial["prescriber"] = plan.signed_by.code
        if user.clinician_kind in (User.ClinicianKind.NURSE, User.ClinicianKind.PRESCRIBER):
            initial["monitor"] = user.code
    return initial


@login_required
@once_per_form
def session_schedule(request, code):
    """Book the patient's next session under their signed plan (from the chart)."""
    patient = patient_for_request(request, code, Action.SCHEDULE_SESSION)
    plan = services.plan_current(patient)
    sessions = list(selectors.patient_sessions(patient)[:5])
    context = {"patient": patient, "plan": plan, "sessions": sessions}
    if plan is None:
        return render(request, "dosing/session/schedule.html", context)
    form = ScheduleForm(request.POST or None, patient=patient, initial=_schedule_initial(patient, plan, request.user))
    session = write_once(
        request, form, lambda data: services.session_schedule(patient=patient, by=request.user, **data)
    )
    if session is not None:
        messages.success(
            request,
            _("Session %(number)s is booked for %(when)s.")
            % {
                "number": session.number,
                "when": timezone.localtime(session.scheduled_at, clinic_time.clinic_zone(patient.clinic)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
        )
        return redirect(session)
    return render(request, "dosing/session/schedule.html", context | {"form": form})


# --- the session record ---------------------------------------------------------------------------


def _moves(request, session) -> list[dict]:
    """The allowed next moves from the session's status (the pipeline's data), those this user may make."""
    moves = []
    for to in TRANSITIONS.get(session.status, ()):
        action = Action.RUN_SESSION if to == Status.DISCHARGED else services.MOVE_ACTIONS[to]
        if not can(request.user, action, patient=session.patient):
            continue
        if to == Status.DISCHARGED:
            url = reverse("dosing:session_discharge", args=[session.code])
        else:
            url = reverse("dosing:session_transition", args=[session.code, to])
        label, css = MOVE_LABELS[to]
        moves.append({"to": to, "label": label, "css": css, "url": url})
    return moves


def _permissions(request, session) -> dict:
    user, patient = request.user, session.patient
    signed = session.is_signed
    return {
        "is_signed": signed,
        "may_run": can(user, Action.RUN_SESSION, patient=patient) and not signed,
        "may_override": can(user, Action.OVERRIDE_DOSING, patient=patient) and not signed,
        "may_schedule": can(user, Action.SCHEDULE_SESSION, patient=patient),
        "may_note": can(user, Action.WRITE_SESSION_NOTE, patient=patient),
        "may_monitoring_note": can(user, Action.RUN_SESSION, patient=patient),
        "may_therapist_note": user.clinician_kind == User.ClinicianKind.THERAPIST
        and can(user, Action.WRITE_SESSION_NOTE, patient=patient),
    }


@login_required
def session_detail(request, code):
    """The session record: header, status and its next moves, every step's partial, the discharge
    checklist, the notes, addenda and the status history; a fixed number of queries."""
    session = selectors.session_page(_session(request, code))
    now = timezone.now()
    administrations = list(session.administrations.all())
    observations = list(session.observations.all())
    notes = {note.kind: note for note in session.notes.all()}
    discharge = getattr(session, "discharge", None)
    criteria = None
    if discharge is not None:
        criteria = discharge.criteria
    elif session.status in (Status.DOSING, Status.OBSERVING):
        criteria = discharge_criteria(session, now, administrations=administrations, observations=observations)
    permissions = _permissions(request, session)
    context = permissions | {
        "session": session,
        "patient": session.patient,
        "plan": session.plan,
        "check": getattr(session, "pre_dose_check", None),
        "administrations": administrations,
        "observations": observations,
        "schedule": next_check(session, observations, now),
        "adverse_events": list(session.adverse_events.all()),
        "discharge": discharge,
        "criteria": criteria,
        "criteria_met": criteria is not None and all(c["met"] for c in criteria),
        "monitoring_note": notes.get(SessionNote.Kind.MONITORING),
        "therapist_note": notes.get(SessionNote.Kind.THERAPIST),
        "monitoring_signable": session.status in services.FINISHED and not session.is_signed,
        "monitoring_sign_hint": _("Signed after discharge: signing locks the session."),
        "addenda": list(session.addenda.all()),
        "status_changes": list(session.status_changes.all()),
        "moves": [] if session.is_signed else _moves(request, session),
        "in_clinic": session.status in IN_CLINIC,
        "esketamine": is_esketamine(session, administrations),
        "total_mg": sum((a.dose_mg for a in administrations), 0) if administrations else None,
        "now": now,
    }
    return render(request, "dosing/session/detail.html", context)


# --- status moves ---------------------------------------------------------------------------------


@login_required
@once_per_form
def session_transition(request, code, to):
    """Confirm, then make, one move: check in, start dosing or observation (nurse or prescriber);
    cancel or record a no-show, with a reason (whoever schedules)."""
    if to == Status.DISCHARGED:
        return redirect("dosing:session_discharge", code=code)
    if to not in services.MOVE_ACTIONS:
        raise Http404("No such status.")
    session = _session(request, code, services.MOVE_ACTIONS[to])
    if _refuse_signed(request, session):
        return redirect(session)
    form = TransitionForm(request.POST or None, to=to)
    allowed = to in TRANSITIONS.get(session.status, ())
    if request.method == "POST":
        moved = write_once(
            request,
            form,
            lambda data: services.session_transition(
                session=session, to=to, by=request.user, reason=data.get("reason", "")
            ),
        )
        if moved is not None:
            messages.success(request, _("The session is now “%(status)s”.") % {"status": moved.get_status_display()})
            return redirect(moved)
    refusal = ""
    if request.method != "POST" and not allowed:
        refusal = _("A session that is “%(current)s” can't become “%(to)s”.") % {
            "current": session.get_status_display(),
            "to": Status(to).label,
        }
    label, css = MOVE_LABELS[to]
    return render(
        request,
        "dosing/session/transition.html",
        {
            "session": session,
            "patient": session.patient,
            "form": form,
            "to": to,
            "label": label,
            "css": "btn-danger" if to in NEEDS_REASON else css,
            "help": MOVE_HELP.get(to, ""),
            "allowed": allowed,
            "refusal": refusal,
        },
    )


# --- discharge ------------------------------------------------------------------------------------


@login_required
@once_per_form
def session_discharge(request, code):
    """The checklist computed now, the two checks made at the door, and a prescriber's override reason
    when something is unmet."""
    session = _session(request, code, Action.RUN_SESSION)
    if _refuse_signed(request, session):
        return redirect(session)
    if hasattr(session, "discharge") or session.status == Status.DISCHARGED:
        messages.info(request, _("The patient has been discharged."))
        return redirect(session)
    may_override = can(request.user, Action.OVERRIDE_DOSING, patient=session.patient)
    check = getattr(session, "pre_dose_check", None)
    initial = {"escort_name": check.escort_name} if check is not None else {}
    form = DischargeForm(request.POST or None, may_override=may_override, initial=initial)
    discharge = write_once(
        request,
        form,
        lambda data: services.session_discharge(session=session, by=request.user, **data).session,
    )
    if discharge is not None:
        messages.success(request, _("The patient is discharged. The monitoring note comes next."))
        return redirect(discharge)
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    criteria = discharge_criteria(
        session,
        timezone.now(),
        walks_steadily=data.get("walks_steadily") if form.is_bound else None,
        escort_present=data.get("escort_present") if form.is_bound else None,
        escort_name=data.get("escort_name", ""),
    )
    computed_unmet = [c for c in criteria if not c["met"] and not _at_discharge(c)]
    return render(
        request,
        "dosing/session/discharge.html",
        {
            "session": session,
            "patient": session.patient,
            "form": form,
            "criteria": criteria,
            "computed_unmet": computed_unmet,
            "may_override": may_override,
            "observing": session.status == Status.OBSERVING,
        },
    )


_AT_DISCHARGE = {criterion.code for criterion in CRITERIA if criterion.at_discharge}


def _at_discharge(criterion: dict) -> bool:
    return criterion["code"] in _AT_DISCHARGE


# --- notes, signing, addenda ----------------------------------------------------------------------


@login_required
def session_note(request, code, kind):
    """Write or change the monitoring or therapist's note, until it is signed."""
    kind = _note_kind(kind)
    session = _note_session(request, code, kind)
    note = session.notes.select_related("author").filter(kind=kind).first()
    if _refuse_signed(request, session):
        return redirect(session)
    if note is not None and note.signed_at is not None:
        messages.error(request, _("This note is signed: add an addendum once the session is signed."))
        return redirect(session)
    if note is not None and note.author_id != request.user.pk:
        messages.error(
            request, _("%(name)s is writing this note: only they can change it.") % {"name": note.author.full_name}
        )
        return redirect(session)
    form = NoteForm(request.POST or None, initial={"body": note.body if note else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_note_save(session=session, kind=kind, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.POST.get("action") == "sign":
                return redirect("dosing:session_note_sign", code=session.code, kind=kind)
            messages.success(request, _("The note is saved (not signed yet)."))
            return redirect(session)
    return render(
        request,
        "dosing/session/note.html",
        {
            "session": session,
            "patient": session.patient,
            "form": form,
            "kind": kind,
            "kind_label": SessionNote.Kind(kind).label,
            "note": note,
            "monitoring": kind == SessionNote.Kind.MONITORING,
        },
    )


@login_required
def session_note_sign(request, code, kind):
    """Confirm, then sign, a note. Signing the monitoring note locks the whole session."""
    kind = _note_kind(kind)
    session = _note_session(request, code, kind)
    note = session.notes.select_related("author").filter(kind=kind).first()
    monitoring = kind == SessionNote.Kind.MONITORING
    if monitoring and _refuse_signed(request, session):
        return redirect(session)
    if note is None:
        messages.error(request, _("Write the note before signing it."))
        return redirect("dosing:session_note", code=session.code, kind=kind)
    if note.signed_at is not None:
        messages.info(request, _("This note is already signed."))
        return redirect(session)
    error = ""
    if note.author_id != request.user.pk:
        error = _("Only %(name)s, who wrote this note, can sign it.") % {"name": note.author.full_name}
    elif monitoring and session.status not in services.FINISHED:
        error = _("Sign the monitoring note after the patient is discharged: signing locks the session.")
    if request.method == "POST" and request.POST.get("confirm") and not error:
        try:
            services.session_note_sign(session=session, kind=kind, by=request.user)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            if monitoring:
                messages.success(request, _("The monitoring note is signed: the session record is now locked."))
            else:
                messages.success(request, _("The therapist's note is signed."))
            return redirect(session)
    return render(
        request,
        "dosing/session/note_sign.html",
        {
            "session": session,
            "patient": session.patient,
            "note": note,
            "kind": kind,
            "kind_label": SessionNote.Kind(kind).label,
            "monitoring": monitoring,
            "error": error,
        },
    )


@login_required
@once_per_form
def session_addendum(request, code):
    """Add to a signed session's record; the original stays as it was."""
    session = _session(request, code, Action.WRITE_SESSION_NOTE)
    if not session.is_signed:
        messages.error(request, _("Addenda are for signed sessions: until then, change the note itself."))
        return redirect(session)
    form = AddendumForm(request.POST or None)
    saved = write_once(
        request,
        form,
        lambda data: services.session_addendum_add(session=session, body=data["body"], by=request.user).session,
    )
    if saved is not None:
        messages.success(request, _("The addendum is added to the record."))
        return redirect(saved)
    return render(
        request, "dosing/session/addendum.html", {"session": session, "patient": session.patient, "form": form}
    )


# --- the esketamine REMS summary ------------------------------------------------------------------


@login_required
def session_rems(request, code):
    """An esketamine session in the shape of the REMS Patient Monitoring Form, with its 7-day deadline.
    Racemic ketamine carries no REMS: 404."""
    session = selectors.session_page(_session(request, code))
    administrations = list(session.administrations.all())
    if not is_esketamine(session, administrations):
        raise Http404("Only esketamine sessions have a REMS monitoring form.")
    patient = session.patient
    medications = list(
        Medication.objects.filter(questionnaire__patient=patient).exclude(drug_class="").order_by("position", "pk")
    )
    earlier = (
        Administration.objects.filter(
            session__patient=patient, drug="esketamine", session__scheduled_at__lt=session.scheduled_at
        )
        .values("session")
        .distinct()
        .count()
    )
    summary = rems_summary(
        session,
        administrations=administrations,
        observations=list(session.observations.all()),
        adverse_events=list(session.adverse_events.all()),
        medications=medications,
        earlier_doses=earlier,
    )
    return render(
        request,
        "dosing/session/rems.html",
        {
            "session": session,
            "patient": patient,
            "clinic": patient.clinic,
            "summary": summary,
            "adverse_events": list(session.adverse_events.all()),
            "respiratory_rule": RESPIRATORY_RULE,
            "source": SOURCE,
            "printed_at": timezone.now(),
        },
    )
