import datetime

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from intake.access import patient_for_request
from intake.models import Patient
from kap_clinic.access import (
    Action,
    clinic_for_request,
    clinics_where,
    role_required,
)
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_list_view, audit_record
from kap_clinic.pagination import paginate
from sessions import clinic_time

from . import admin_charts, exports, outcomes, pdf, worklists
from .context_processors import navigation
from .forms import AuditFilterForm, DateRangeForm
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
    """The clinician's worklists in the clinics they work in (kap_clinic/dashboards/worklists.py): today's
    schedule, patients in observation now, open safety alerts, intakes awaiting review, unsigned notes and
    assessments, overdue measures and unwitnessed waste, each with its count and a link to the full list;
    then patients by stage and recently updated charts. A fixed number of queries whatever the data size."""
    clinics = worklists.clinics_with_stage_counts(request.user)
    context = worklists.clinician_worklists(request.user, clinics, size=WORKLIST_SIZE)
    audit_list_view(actor=request.user, clinics=clinics, detail="clinician home: recently updated charts")
    # the navigation bar's alert badge is the alerts card's count: no second COUNT
    nav = navigation(request)["nav"] | {"open_alerts": context["alert_count"]}
    return render(
        request,
        "dashboards/clinician_home.html",
        context
        | {
            "stages": worklists.patients_by_stage(clinics),
            "recent": worklists.recently_updated(clinics),
            "nav": nav,
        },
    )


@role_required(User.Role.ADMIN)
def admin_home(request):
    """The clinic admin's dashboard: patients, staff and the ledger's open items, then for a period of the
    clinic's own dates (default the last 90 days) patients by stage, sessions per week, clinic outcomes,
    adverse events, time from dose to discharge and staff activity (kap_clinic/dashboards/outcomes.py).
    Each table downloads as CSV with `?export=<table>&from=…&to=…`, audited as a download."""
    clinic = clinic_for_request(request, Action.MANAGE_STAFF)
    form = DateRangeForm(request.GET, today=clinic_time.clinic_today(clinic))
    period = outcomes.Period(clinic, *form.period())
    span = f"{period.first.isoformat()} to {period.last.isoformat()}"
    table = request.GET.get("export")
    # an export with dates that don't validate shows the page and its message instead of a file
    if table is not None and (not form.is_bound or form.is_valid()):
        if table not in exports.TABLES:
            raise Http404("No such table.")
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.DOWNLOAD,
            clinic=clinic,
            detail=f"admin dashboard CSV: {exports.TABLES[table].title}, {span}",
        )
        return exports.csv_response(period, table)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, clinic=clinic, detail=f"admin dashboard, {span}")
    recent_events = list(AuditEvent.objects.filter(clinic=clinic).select_related("actor")[:8])
    _describe(recent_events)
    ledger = outcomes.ledger_status(clinic)
    funnel = outcomes.patients_by_stage(period)
    weeks = outcomes.sessions_per_week(period)
    return render(
        request,
        "dashboards/admin_home.html",
        {
            "clinic": clinic,
            "patient_count": funnel.clinic_total,
            "active_staff": User.objects.staff_of(clinic).count(),
            "recent_events": recent_events,
            "open_discrepancies": ledger[0].open,
            "unwitnessed_waste": ledger[1].open,
            "ledger": ledger,
            "form": form,
            "period": period,
            "funnel": funnel,
            "funnel_chart": admin_charts.funnel_chart(funnel),
            "weeks": weeks,
            "weeks_chart": admin_charts.weeks_chart(weeks),
            "outcomes": outcomes.clinic_outcomes(period),
            "adverse_events": outcomes.adverse_events(period),
            "discharge_times": outcomes.discharge_times(period),
            "staff_activity": outcomes.staff_activity(period),
            "activity_actions": outcomes.ACTIVITY_ACTIONS,
        },
    )


@login_required
def course_summary_pdf(request, code):
    """A patient's course summary as a PDF (kap_clinic/dashboards/pdf.py), for the care team and the clinic's
    admins; audited as a download. A patient asking for their own gets 404 like any chart out of reach: the
    summary is the clinic's record, and patients follow their progress on their own home page."""
    patient = patient_for_request(request, code, Action.COURSE_SUMMARY, audit_action=AuditEvent.Action.DOWNLOAD)
    return pdf.course_summary_response(patient)


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
