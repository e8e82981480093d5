from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kap_clinic.access import Action, can, clinics_where, role_required
from kap_clinic.accounts.models import User
from kap_clinic.accounts.services import invitation_resend
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_list_view
from kap_clinic.pagination import paginate
from kap_clinic.panels import CHART, PATIENT_HOME, panels_for
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import selectors, services
from ..access import patient_for_request
from ..forms import PatientInviteForm
from ..measure_schedule import schedule_labels
from ..models import IntakeQuestionnaire, Patient
from ..sections import SECTIONS, position, section
from ..services.questionnaire import SUBMIT_STEP
from .questionnaire import SAFETY_KEY

STAFF = (User.Role.CLINICIAN, User.Role.ADMIN)


@role_required(*STAFF)
def patient_list(request):
    """The patients of the clinics the user works in: searchable by name or email, filtered by stage."""
    clinics = list(clinics_where(request.user, Action.LIST_PATIENTS))
    patients = Patient.objects.filter(clinic__in=clinics).select_related("clinic")
    query = request.GET.get("q", "").strip()
    if query:
        patients = patients.filter(
            Q(legal_name__icontains=query) | Q(preferred_name__icontains=query) | Q(email__icontains=query)
        )
    stage = request.GET.get("stage", "")
    if stage in Patient.Stage.values:
        patients = patients.filter(stage=stage)
    page, page_query = paginate(request, patients.order_by("legal_name", "pk"))
    audit_list_view(actor=request.user, clinics=clinics, detail=f"patient list, page {page.number}")
    return render(
        request,
        "intake/patient_list.html",
        {
            "page": page,
            "page_query": page_query,
            "query": query,
            "stage": stage,
            "stages": Patient.Stage.choices,
            "several_clinics": len(clinics) > 1,
            "may_invite": clinics_where(request.user, Action.INVITE_PATIENT).exists(),
        },
    )


@role_required(*STAFF)
@once_per_form
def patient_invite(request):
    clinics = clinics_where(request.user, Action.INVITE_PATIENT)
    if not clinics:
        raise PermissionDenied
    form = PatientInviteForm(request.POST or None, clinics=clinics)
    patient = write_once(request, form, lambda data: services.patient_invite(invited_by=request.user, **data))
    if patient is not None:
        messages.success(
            request,
            _("%(name)s was invited; the link is on its way to %(email)s.")
            % {"name": patient.legal_name, "email": patient.email},
        )
        return redirect(patient)
    return render(request, "intake/patient_invite.html", {"form": form})


@login_required
def patient_chart(request, code):
    """The chart: stage, the intake and consent, and for the care team the open safety alerts, the
    assessment and the current plan, with links to review, assess and plan."""
    patient = patient_for_request(request, code, Action.VIEW_CHART)
    context = {"patient": patient, "questionnaire": selectors.questionnaire_of(patient)}
    if can(request.user, Action.REVIEW_INTAKE, patient=patient):
        plan = selectors.plan_current(patient)
        context |= {
            "care_team": True,
            "may_plan": can(request.user, Action.WRITE_PLAN, patient=patient),
            "open_alerts": selectors.patient_open_alerts(patient),
            "assessment": selectors.assessment_signed(patient),
            "assessment_draft": selectors.assessment_draft(patient),
            "plan": plan,
            "plan_schedule": schedule_labels(plan.measure_schedule) if plan else [],
            "plan_draft": selectors.plan_draft(patient),
        }
    context["panels"] = panels_for(CHART, request, patient)
    return render(request, "intake/patient_chart.html", context)


@require_POST
@login_required
def patient_resend_invitation(request, code):
    patient = patient_for_request(request, code, Action.RESEND_INVITATION, audit_action=AuditEvent.Action.INVITE)
    try:
        invitation_resend(user=patient.user, clinic=patient.clinic, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("A new invitation was sent to %(email)s.") % {"email": patient.user.email})
    return redirect("intake:patient_chart", code=patient.code)


@role_required(User.Role.PATIENT)
def patient_home(request):
    """The patient's own home. Reached without a code: the chart is always the logged-in patient's."""
    chart = Patient.objects.filter(user=request.user).values_list("code", flat=True).first()
    if chart is None:
        return render(request, "intake/no_chart.html", status=404)
    patient = patient_for_request(request, chart, Action.VIEW_CHART)
    questionnaire = IntakeQuestionnaire.objects.filter(patient=patient).first()
    return render(
        request,
        "intake/patient_home.html",
        {
            "patient": patient,
            "questionnaire": questionnaire,
            "intake_step": _intake_step(questionnaire),
            "intake_total": len(SECTIONS),
            "plan": patient.treatment_plans.filter(signed_at__isnull=False).order_by("-signed_at").first(),
            "safety_notice": bool(request.session.pop(SAFETY_KEY, False)),
            "panels": panels_for(PATIENT_HOME, request, patient),
        },
    )


def _intake_step(questionnaire) -> int | None:
    """The number of the step the patient will resume at (None before the first visit)."""
    if questionnaire is None:
        return None
    if section(questionnaire.current_step):
        return position(questionnaire.current_step)
    return len(questionnaire.completed_steps or []) + 1 if questionnaire.current_step != SUBMIT_STEP else len(SECTIONS)
