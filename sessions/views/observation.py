"""The observation timeline's pages: record an entry or an adverse event, and the live observation board
(every patient in session at the user's clinics now, refreshed by htmx every 30 seconds)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.access import Action, clinic_for_request, clinics_where, granted_actions, role_required
from kap_clinic.audit.services import audit_list_view
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import observation_rules as rules
from ..access import session_for_request
from ..board import board_rows as board_rows_for
from ..board import observation_summary
from ..forms.observation import AdverseEventForm, ObservationForm
from ..models import DosingSession, ObservationEntry
from ..observation_schedule import next_check
from ..pipeline import IN_CLINIC
from ..services.observation import ADVERSE_EVENT_STATUSES, adverse_event_record, observation_record
from .ledger import STAFF

Status = DosingSession.Status


def _back(request, session) -> str:
    """Where the user came from: the board (`?next=board`) or the session page. Nothing else, so the
    parameter can't send anyone off-site."""
    return reverse("dosing:board") if request.GET.get("next") == "board" else session.get_absolute_url()


def _refusal(session, allowed) -> str:
    """Why nothing can be recorded on this session now (empty when it can)."""
    if session.is_signed:
        return _("This session is signed and can no longer change: add an addendum instead.")
    if session.status in (Status.SCHEDULED,):
        return _("Check the patient in first.")
    if session.status not in allowed:
        return _("This session is “%(status)s”: nothing more can be recorded on it.") % {
            "status": session.get_status_display()
        }
    return ""


def _announce(request, entry: ObservationEntry) -> None:
    """Say what was recorded; an urgent or emergency alert shows as a red banner naming the patient."""
    name = entry.session.patient.display_name
    at = timezone.localtime(entry.observed_at).strftime("%H:%M")
    level = rules.top_level(entry.alerts)
    if level is None:
        score = _(", NEWS2 %(score)s") % {"score": entry.news2} if entry.news2 is not None else ""
        messages.success(
            request,
            _("Observation of %(name)s at %(at)s recorded%(score)s.") % {"name": name, "at": at, "score": score},
        )
        return
    text = " ".join(alert["message"] for alert in entry.alerts)
    summary = _("%(level)s — %(name)s at %(at)s: %(alerts)s") % {
        "level": rules.LEVEL_LABELS[level],
        "name": name,
        "at": at,
        "alerts": text,
    }
    (messages.warning if level == rules.NOTIFY else messages.error)(request, summary)


def _timeline(session) -> list[ObservationEntry]:
    return list(session.observations.select_related("recorded_by").order_by("observed_at", "pk"))


@login_required
@once_per_form
def observation_add(request, code):
    """Record one entry of the observation timeline (prescriber or nurse of the patient's clinic)."""
    session = session_for_request(request, code, Action.RUN_SESSION)
    back = _back(request, session)
    refusal = _refusal(session, IN_CLINIC)
    if refusal:
        messages.error(request, refusal)
        return redirect(back)
    form = ObservationForm(request.POST or None, session=session)
    created: dict[str, ObservationEntry] = {}

    def record(data):
        created["entry"] = observation_record(session=session, by=request.user, **form.entry_data())
        # The session page shows the entry (an entry has no page of its own); a form sent again lands there.
        return session

    if write_once(request, form, record) is not None:
        _announce(request, created["entry"])
        return redirect(back)
    observations = _timeline(session)
    now = timezone.now()
    return render(
        request,
        "dosing/session/observe.html",
        {
            "session": session,
            "form": form,
            "last": observations[-1] if observations else None,
            "schedule": next_check(session, observations, now),
            "summary": observation_summary(session, observations),
            "from_board": request.GET.get("next") == "board",
            "back": back,
        },
    )


@login_required
@once_per_form
def adverse_event_add(request, code):
    """Record an adverse event of the session (prescriber or nurse), from check-in until it is signed."""
    session = session_for_request(request, code, Action.RUN_SESSION)
    back = _back(request, session)
    refusal = _refusal(session, ADVERSE_EVENT_STATUSES)
    if refusal:
        messages.error(request, refusal)
        return redirect(back)
    form = AdverseEventForm(request.POST or None, session=session)

    def record(data):
        adverse_event_record(session=session, by=request.user, **form.event_data())
        return session  # shown on the session page; a form sent again lands there

    if write_once(request, form, record) is not None:
        messages.success(request, _("The adverse event is recorded."))
        return redirect(back)
    return render(
        request,
        "dosing/session/adverse_event.html",
        {"session": session, "form": form, "back": back, "from_board": request.GET.get("next") == "board"},
    )


# --- the live observation board ---------------------------------------------------------------------


def _board_context(request, *, refresh: bool) -> dict:
    clinics = list(clinics_where(request.user, Action.VIEW_BOARD))
    if not clinics:
        clinic_for_request(request, Action.VIEW_BOARD)  # 403 (audited) for roles that never see the board
    now = timezone.now()
    rows = board_rows_for(clinics, now)
    detail = "observation board, refreshed" if refresh else "observation board"
    audit_list_view(actor=request.user, clinics=clinics, detail=detail)
    return {
        "rows": rows,
        "now": now,
        "several_clinics": len(clinics) > 1,
        # every row is a patient of the user's clinics: RUN_SESSION there is the role's
        "may_record": Action.RUN_SESSION in granted_actions(request.user),
    }


@role_required(*STAFF)
def board(request):
    """Every patient in session at the user's clinics now: time since the dose, the last vitals, the next
    check, open alerts, and one click to record an entry. The rows refresh themselves (htmx)."""
    return render(request, "dosing/board.html", _board_context(request, refresh=False))


def board_rows(request):
    """The board's rows alone, for htmx to swap in every 30 seconds. When the login has expired, htmx is
    told to open the login page (instead of swapping it into the table)."""
    if not request.user.is_authenticated and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(reverse("dosing:board"))["Location"]
        return response
    return _board_rows(request)


@role_required(*STAFF)
def _board_rows(request):
    return render(request, "dosing/_board_rows.html", _board_context(request, refresh=True))
