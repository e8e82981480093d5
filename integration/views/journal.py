"""The patient's journal and self-care plan.

The patient's own pages (`me/…`) have no code in the URL: the chart is always the logged-in patient's.
The care team reads a patient's entries and manages their goals through the chart's code; clinic admins
don't see journals (VIEW_JOURNAL), and neither does the patient through those pages (they have their own).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from intake.access import patient_for_request
from intake.models import Patient
from kap_clinic.access import Action, can, deny_as_not_found, role_required
from kap_clinic.accounts.models import User
from kap_clinic.pagination import paginate
from kap_clinic.submissions.decorators import once_per_form, write_once
from sessions import clinic_time
from sessions.models import DosingSession

from .. import journal_prompts
from ..forms.journal import CheckInForm, ReflectionForm, SelfCareGoalForm
from ..models import Reflection, SelfCareCheckIn
from ..services import journal as services

HISTORY_WEEKS = 6
ENTRIES_PER_PAGE = 20


def _own_chart(request, action: Action = Action.JOURNAL) -> Patient | None:
    """The logged-in patient's chart (as intake's patient_home finds it), through the access policy."""
    code = Patient.objects.filter(user=request.user).values_list("code", flat=True).first()
    return patient_for_request(request, code, action) if code is not None else None


def _no_chart(request):
    return render(request, "intake/no_chart.html", status=404)


# --- the patient's journal -----------------------------------------------------------------------


@role_required(User.Role.PATIENT)
@once_per_form
def reflection_list(request):
    """The patient's entries, newest first, and the form to write one (an intention, a reflection or a
    journal entry, optionally about one of their sessions). Entries are not edited: a journal adds."""
    patient = _own_chart(request)
    if patient is None:
        return _no_chart(request)
    sessions = list(DosingSession.objects.filter(patient=patient).order_by("scheduled_at", "pk"))
    form = ReflectionForm(request.POST or None, sessions=sessions, initial=_initial(request, sessions))
    reflection = write_once(
        request, form, lambda data: services.reflection_write(patient=patient, by=request.user, **data)
    )
    if reflection is not None:
        messages.success(request, _("Your entry was saved."))
        return redirect(reflection)
    page, page_query = paginate(
        request, patient.reflections.select_related("dosing_session").order_by("-created_at", "-pk"), ENTRIES_PER_PAGE
    )
    return render(
        request,
        "integration/journal/reflection_list.html",
        {
            "patient": patient,
            "form": form,
            "page": page,
            "page_query": page_query,
            "prompt_sets": journal_prompts.PROMPT_SETS,
        },
    )


def _initial(request, sessions) -> dict:
    """`?kind=intention&session=<code>` (the home page's "Write your intention" link) fills the form in."""
    initial = {}
    if request.GET.get("kind") in Reflection.Kind.values:
        initial["kind"] = request.GET["kind"]
    if request.GET.get("session") in {str(s.code) for s in sessions}:
        initial["dosing_session"] = request.GET["session"]
    return initial


@role_required(User.Role.PATIENT)
def self_care_checkin(request):
    """This week's check-in on each active goal, one form for all; `?week=last` catches up on last week's
    goals not checked in on. This week's answers may be changed until the week ends (Sunday)."""
    patient = _own_chart(request)
    if patient is None:
        return _no_chart(request)
    current, last = services.check_in_weeks(patient.clinic)
    asked_last = (request.POST.get("week") if request.method == "POST" else request.GET.get("week")) == "last"
    week_of = last if asked_last else current
    goals = list(patient.self_care_goals.filter(is_active=True).order_by("category", "pk"))
    existing = {c.goal_id: c for c in SelfCareCheckIn.objects.filter(goal__in=goals, week_of__in=(current, last))}
    this_week_done = {pk: c for pk, c in existing.items() if c.week_of == current}
    last_week_done = {pk: c for pk, c in existing.items() if c.week_of == last}
    # last week: only the goals agreed by then and not yet checked in on (that week is over)
    missed_last_week = [
        g
        for g in goals
        if g.pk not in last_week_done
        and services.week_start(clinic_time.clinic_date(patient.clinic, g.created_at)) < current
    ]
    if week_of == current:
        asked, earlier = goals, this_week_done
    else:
        asked, earlier = missed_last_week, {}
    form = CheckInForm(request.POST or None, goals=asked, existing=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_care_check_in_week(patient=patient, week_of=week_of, answers=form.answers, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: your check-in was saved."))
            return redirect("integration:self_care_checkin")
    return render(
        request,
        "integration/journal/self_care_checkin.html",
        {
            "patient": patient,
            "form": form,
            "goals": goals,
            "week_of": week_of,
            "week_ends": week_of + datetime.timedelta(days=6),
            "is_last_week": week_of == last,
            "last_week_done": [g for g in goals if g.pk in last_week_done] if week_of == last else [],
            "last_week_missing": week_of == current and bool(missed_last_week),
            "history": _history(goals, patient.clinic, current),
        },
    )


# --- the care team's pages -----------------------------------------------------------------------


@login_required
def patient_reflections(request, code):
    """The patient's entries for their care team (clinicians of the clinic; not admins), newest first."""
    patient = patient_for_request(request, code, Action.VIEW_JOURNAL)
    page, page_query = paginate(
        request, patient.reflections.select_related("dosing_session").order_by("-created_at", "-pk"), ENTRIES_PER_PAGE
    )
    return render(
        request,
        "integration/journal/patient_reflections.html",
        {
            "patient": patient,
            "page": page,
            "page_query": page_query,
        },
    )


@login_required
@once_per_form
def self_care_plan(request, code):
    """The patient's goals with their last weeks' check-ins. Therapists and prescribers add goals and end
    them (`?end=<goal>` asks to confirm); the rest of the care team reads."""
    managing = request.method == "POST" or "end" in request.GET
    patient = patient_for_request(request, code, Action.MANAGE_SELF_CARE if managing else Action.VIEW_JOURNAL)
    goals = list(patient.self_care_goals.select_related("agreed_with").order_by("-is_active", "category", "pk"))
    if "end" in request.POST or "end" in request.GET:
        return _goal_end(request, patient, goals)
    form = (
        SelfCareGoalForm(request.POST or None) if can(request.user, Action.MANAGE_SELF_CARE, patient=patient) else None
    )
    if form is not None:
        goal = write_once(
            request, form, lambda data: services.self_care_goal_add(patient=patient, by=request.user, **data)
        )
        if goal is not None:
            messages.success(request, _("The goal “%(goal)s” was added.") % {"goal": goal.description})
            return redirect("integration:self_care_plan", code=patient.code)
    current = services.this_week(patient.clinic)
    active, ended = [g for g in goals if g.is_active], [g for g in goals if not g.is_active]
    return render(
        request,
        "integration/journal/self_care_plan.html",
        {
            "patient": patient,
            "form": form,
            "may_manage": form is not None,
            "active_goals": active,
            "ended_goals": ended,
            "history": _history(active, patient.clinic, current),
            "ended_history": _history(ended, patient.clinic, current),
        },
    )


def _goal_end(request, patient, goals):
    """Ending a goal: a confirmation page, then the end (its check-ins stay on record)."""
    code = request.POST.get("end") if request.method == "POST" else request.GET.get("end")
    goal = next((g for g in goals if str(g.code) == code), None)
    if goal is None:
        deny_as_not_found(request, f"self-care goal {code} of patient {patient.code}", "No such goal.")
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            services.self_care_goal_end(goal=goal, by=request.user)
        except ValidationError as error:
            messages.info(request, error.messages[0])
        else:
            messages.success(request, _("The goal “%(goal)s” has ended.") % {"goal": goal.description})
        return redirect("integration:self_care_plan", code=patient.code)
    if not goal.is_active:
        messages.info(request, _("This goal has already ended."))
        return redirect("integration:self_care_plan", code=patient.code)
    current = services.this_week(patient.clinic)
    return render(
        request,
        "integration/journal/self_care_end_confirm.html",
        {"patient": patient, "goal": goal, "history": _history([goal], patient.clinic, current)},
    )


# --- the weekly history table --------------------------------------------------------------------


def _history(goals, clinic, current: datetime.date) -> dict:
    """The last HISTORY_WEEKS weeks (oldest first, ending this week) and, per goal, each week's check-in
    (None when there was none; "before" for weeks before the goal was agreed). One query."""
    weeks = [current - datetime.timedelta(days=7 * n) for n in range(HISTORY_WEEKS - 1, -1, -1)]
    check_ins = {
        (c.goal_id, c.week_of): c
        for c in SelfCareCheckIn.objects.filter(goal__in=[g.pk for g in goals], week_of__gte=weeks[0])
    }
    rows = []
    for goal in goals:
        agreed = services.week_start(clinic_time.clinic_date(clinic, goal.created_at))
        cells = ["before" if week < agreed else check_ins.get((goal.pk, week)) for week in weeks]
        rows.append({"goal": goal, "cells": cells})
    return {"weeks": weeks, "rows": rows, "current": current}
