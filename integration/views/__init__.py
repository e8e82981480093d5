"""The integration area's pages: the landing page here (the clinic's integration worklist), the rest one
module per part (sessions, measures, journal), imported by urls.py."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from kap_clinic.access import Action, clinic_for_request, clinics_where, granted_actions, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.services import audit_list_view
from sessions import clinic_time

from .. import note_fields
from ..services import sessions as services

PER_PAGE = 20


def _page(request, items, param: str) -> dict:
    """One page of `items` read from `?<param>=`, and the other lists' page numbers to keep in its links."""
    page = Paginator(items, PER_PAGE).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return {"page": page, "param": param, "query": query.urlencode()}


@role_required(User.Role.CLINICIAN, User.Role.ADMIN)
def landing(request):
    """The clinic's integration worklist: doses still waiting for an integration session (due by the
    clinic's cadence, overdue in red), the integration sessions to come, and notes to write and sign
    (the user's own first). Clinicians and admins of the clinic, who see its patient list and may book
    integration sessions; the notes list only for those who write notes. A fixed number of queries."""
    clinic_for_request(request, Action.LIST_PATIENTS)  # 403 (audited) for roles that never may
    clinics = list(clinics_where(request.user, Action.LIST_PATIENTS))
    now = timezone.now()
    due = _page(request, services.doses_needing_integration(clinics, now), "due_page")
    for dose in due["page"]:
        clinic = dose.patient.clinic
        dose.due_by = note_fields.integration_due_by(clinic, dose.dosed_at)
        dose.overdue = dose.due_by < clinic_time.clinic_today(clinic)
    upcoming = _page(request, services.integration_upcoming(clinics, now), "upcoming_page")
    writes_notes = Action.WRITE_INTEGRATION_NOTE in granted_actions(request.user)
    notes = _page(request, services.notes_to_sign(clinics, now, request.user), "notes_page") if writes_notes else None
    audit_list_view(
        actor=request.user,
        clinics=clinics,
        detail=f"integration worklist, pages {due['page'].number}/{upcoming['page'].number}"
        + (f"/{notes['page'].number}" if notes else ""),
    )
    return render(
        request,
        "integration/landing.html",
        {
            "due": due,
            "upcoming": upcoming,
            "notes": notes,
            "writes_notes": writes_notes,
            "several_clinics": len(clinics) > 1,
            "lookback_days": services.WORKLIST_DOSE_DAYS,
            "within_days": clinics[0].integration_within_days if len(clinics) == 1 else None,
        },
    )
