import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from intake import selectors as intake_selectors
from intake.models import Patient
from integration import schedule as follow_up
from kap_clinic.access import (
    Action,
    clinic_for_request,
    clinics_where,
    granted_actions,
    role_required,
    staff_clinics,
)
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_list_view, audit_record
from kap_clinic.pagination import paginate
from sessions import selectors as session_selectors

from .forms import AuditFilterForm
from .rules_catalog import catalog

WORKLIST_SIZE = 5  # rows of each worklist on the home page; the full lists are a click away

HOMES = {
    User.Role.PATIENT: "intake:patient_home",
    User.Role.CLINICIAN: "dashboards:clinician_home",
    User.Role.ADMIN: "dashboards:admin_home",
}


def home(request):
    """The site root: the login page for visitors, each role's own home for a logged-in user."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect(HOMES[request.user.role])


@role_required(User.Role.CLINICIAN)
def clinician_home(request):
    """The clinician's worklists: open safety alerts and intakes awaiting review (with counts), today's
    dosing sessions and the patients in observation now, patients by stage and recently updated charts."""
    clinics = list(staff_clinics(request.user))
    patients = Patient.objects.filter(clinic__in=clinics)
    counts = dict(patients.values_list("stage").annotate(n=Count("pk")).order_by())
    stages = [(value, label, counts.get(value, 0)) for value, label in Patient.Stage.choices]
    recent = patients.select_related("clinic").order_by("-updated_at")[:10]
    review_clinics = list(clinics_where(request.user, Action.REVIEW_QUEUE))
    alerts = intake_selectors.open_alerts(review_clinics)
    queue = intake_selectors.review_queue(review_clinics)
    # the same clinics as `clinics` when the policy lets the user see the clinic's sessions (no new query)
    board_clinics = clinics if Action.VIEW_BOARD in granted_actions(request.user) else []
    today_sessions, observing = session_selectors.sessions_worklists(board_clinics)
    overdue_measures, overdue_count = follow_up.overdue_worklist(review_clinics, WORKLIST_SIZE)
    audit_list_view(actor=request.user, clinics=clinics, detail="clinician home: recently updated charts")
    return render(
        request,
        "dashboards/clinician_home.html",
        {
            "stages": stages,
            "recent": recent,
            "alerts": alerts[:WORKLIST_SIZE],
            "alert_count": alerts.count(),
            "queue": queue[:WORKLIST_SIZE],
            "queue_count": queue.count(),
            "today_sessions": today_sessions[:WORKLIST_SIZE],
            "today_sessions_count": len(today_sessions),
            "observing": observing[:WORKLIST_SIZE],
            "observing_count": len(observing),
            "overdue_measures": overdue_measures,
            "overdue_count": overdue_count,
        },
    )


@role_required(User.Role.ADMIN)
def admin_home(request):
    clinic = clinic_for_request(request, Action.MANAGE_STAFF)
    recent_events = list(AuditEvent.objects.filter(clinic=clinic).select_related("actor")[:8])
    _describe(recent_events)
    return render(
        request,
        "dashboards/admin_home.html",
        {
            "clinic": clinic,
            "patient_count": Patient.objects.filter(clinic=clinic).count(),
            "active_staff": User.objects.staff_of(clinic).count(),
            "recent_events": recent_events,
            "open_discrepancies": session_selectors.open_discrepancies(clinic).count(),
            "unwitnessed_waste": session_selectors.unwitnessed_waste(clinic).count(),
        },
    )


@role_required(User.Role.ADMIN)
def audit_log(request):
    """The clinic's audit trail, newest first, filtered by patient, user, action and dates."""
    clinic = clinic_for_request(request, Action.VIEW_AUDIT_LOG)
    patients = Patient.objects.filter(clinic=clinic).only("code", "legal_name").order_by("legal_name")
    # staff of the clinic and its patients' accounts: both appear in its audit trail
    users = (
        User.objects.filter(Q(memberships__clinic=clinic) | Q(patient__clinic=clinic))
        .distinct()
        .only("code", "full_name")
        .order_by("full_name")
    )
    form = AuditFilterForm(request.GET or None, patients=patients, users=users)
    events = AuditEvent.objects.filter(clinic=clinic).select_related("actor")
    if form.is_valid():
        data = form.cleaned_data
        if data["patient"]:
            events = events.filter(patient_code=data["patient"])
        if data["actor"]:
            events = events.filter(actor__code=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(at__gte=_start_of_day(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lt=_start_of_day(data["date_to"] + datetime.timedelta(days=1)))
    page, page_query = paginate(request, events, per_page=50)
    audit_list_view(actor=request.user, clinics=[clinic], detail=f"audit log, page {page.number}")
    names = dict(
        Patient.objects.filter(code__in={e.patient_code for e in page if e.patient_code}).values_list(
            "code", "legal_name"
        )
    )
    for event in page:
        event.patient_name = names.get(event.patient_code, "")
    _describe(page)
    return render(
        request,
        "dashboards/audit_log.html",
        {"clinic": clinic, "form": form, "page": page, "page_query": page_query},
    )


def _describe(events) -> None:
    """Give each event `what`: the record's kind in words ("patient", "ledger entry"), else its detail."""
    for event in events:
        try:
            model = apps.get_model(event.object_type) if event.object_type else None
        except (LookupError, ValueError):
            model = None
        event.what = model._meta.verbose_name if model else event.detail


def _start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight in the clinic's (active) time zone, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@role_required(User.Role.CLINICIAN, User.Role.ADMIN)
def clinical_rules(request):
    """Every clinical rule the app applies, with its source: for the clinic's medical director to review."""
    clinic = clinics_where(request.user, Action.LIST_PATIENTS).first()
    if clinic is None:
        raise PermissionDenied
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, clinic=clinic, detail="clinical rules")
    return render(request, "dashboards/clinical_rules.html", {"clinic": clinic, "sections": catalog(clinic)})
