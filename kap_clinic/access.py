"""The access policy: the one place that answers "may this user do this to this patient's (or clinic's) data?".

Deny by default. Roles grant actions (tables below); scope limits them: a patient acts only on their
own chart, staff only on the patients and business of the clinics they belong to. Views never decide
this themselves: they fetch through `intake.access.patient_for_request` or `clinic_for_request` below,
which turn a refusal into a 404 (the record's existence is not revealed) and audit it.
"""

from enum import StrEnum
from functools import wraps
from typing import NoReturn

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kap_clinic.accounts.models import Clinic


class Action(StrEnum):
    # patient data
    VIEW_CHART = "view_chart"
    EDIT_CHART = "edit_chart"
    RESEND_INVITATION = "resend_invitation"
    FILL_INTAKE = "fill_intake"  # the patient's own questionnaire, measures and consent signature
    REVIEW_INTAKE = "review_intake"  # read the intake, draft the assessment, acknowledge safety alerts
    SIGN_ELIGIBILITY = "sign_eligibility"  # prescribers only
    WRITE_PLAN = "write_plan"  # prescribers only
    SCHEDULE_SESSION = "schedule_session"  # book, cancel or mark a no-show
    RUN_SESSION = "run_session"  # check in, pre-dose check, administer, observe, adverse events, discharge
    OVERRIDE_DOSING = "override_dosing"  # prescribers only: clear a hold, a dose guardrail, discharge criteria
    WRITE_SESSION_NOTE = "write_session_note"  # the monitoring or therapist's note of a session, and addenda
    JOURNAL = "journal"  # the patient's own reflections, self-care check-ins and follow-up measures
    VIEW_JOURNAL = "view_journal"  # the care team reads a patient's reflections and check-ins (not admins)
    SCHEDULE_INTEGRATION = "schedule_integration"  # book or cancel an integration session
    WRITE_INTEGRATION_NOTE = "write_integration_note"  # therapists and prescribers: the note, signing, addenda
    MANAGE_SELF_CARE = "manage_self_care"  # agree self-care goals with the patient
    RECORD_OUTCOME = "record_outcome"  # prescribers: how the course ended
    COURSE_SUMMARY = "course_summary"  # the clinic's printable record of a course (care team and admins)
    # clinic business
    LIST_PATIENTS = "list_patients"
    INVITE_PATIENT = "invite_patient"
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT_LOG = "view_audit_log"
    REVIEW_QUEUE = "review_queue"  # the clinic's intakes awaiting review and open safety alerts
    VIEW_BOARD = "view_board"  # the live observation board and the clinic's session schedule
    MANAGE_CONSENT = "manage_consent"  # write and publish consent documents
    MANAGE_PROTOCOL = "manage_protocol"  # PCL-5 cutoff, per-route protocol, licensed risk-screen wording
    # controlled-substance ledger (a clinic's own records; patients and therapists never)
    VIEW_LEDGER = "view_ledger"
    RECORD_LEDGER = "record_ledger"


PATIENT_ACTIONS = frozenset(
    {
        Action.VIEW_CHART,
        Action.EDIT_CHART,
        Action.RESEND_INVITATION,
        Action.FILL_INTAKE,
        Action.REVIEW_INTAKE,
        Action.SIGN_ELIGIBILITY,
        Action.WRITE_PLAN,
        Action.SCHEDULE_SESSION,
        Action.RUN_SESSION,
        Action.OVERRIDE_DOSING,
        Action.WRITE_SESSION_NOTE,
        Action.JOURNAL,
        Action.VIEW_JOURNAL,
        Action.SCHEDULE_INTEGRATION,
        Action.WRITE_INTEGRATION_NOTE,
        Action.MANAGE_SELF_CARE,
        Action.RECORD_OUTCOME,
        Action.COURSE_SUMMARY,
    }
)

# What each role may do within its scope. Clinician kinds add to the clinician row where a step
# needs a particular licence (e.g. only a prescriber signs eligibility), in later stages.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "patient": frozenset({Action.VIEW_CHART, Action.FILL_INTAKE, Action.JOURNAL}),
    "clinician": frozenset(
        {
            Action.VIEW_CHART,
            Action.EDIT_CHART,
            Action.RESEND_INVITATION,
            Action.LIST_PATIENTS,
            Action.INVITE_PATIENT,
            Action.REVIEW_INTAKE,
            Action.REVIEW_QUEUE,
            Action.SCHEDULE_SESSION,
            Action.WRITE_SESSION_NOTE,
            Action.VIEW_BOARD,
            Action.VIEW_JOURNAL,
            Action.SCHEDULE_INTEGRATION,
            Action.COURSE_SUMMARY,
        }
    ),
    "admin": frozenset(
        {
            Action.VIEW_CHART,
            Action.RESEND_INVITATION,
            Action.LIST_PATIENTS,
            Action.INVITE_PATIENT,
            Action.MANAGE_STAFF,
            Action.VIEW_AUDIT_LOG,
            Action.VIEW_LEDGER,
            Action.RECORD_LEDGER,
            Action.MANAGE_CONSENT,
            Action.MANAGE_PROTOCOL,
            Action.SCHEDULE_SESSION,
            Action.SCHEDULE_INTEGRATION,
            Action.COURSE_SUMMARY,
        }
    ),
}
KIND_ACTIONS: dict[str, frozenset[Action]] = {
    "prescriber": frozenset(
        {
            Action.VIEW_LEDGER,
            Action.RECORD_LEDGER,
            Action.SIGN_ELIGIBILITY,
            Action.WRITE_PLAN,
            Action.RUN_SESSION,
            Action.OVERRIDE_DOSING,
            Action.WRITE_INTEGRATION_NOTE,
            Action.MANAGE_SELF_CARE,
            Action.RECORD_OUTCOME,
        }
    ),
    "therapist": frozenset({Action.WRITE_INTEGRATION_NOTE, Action.MANAGE_SELF_CARE}),
    "nurse": frozenset({Action.VIEW_LEDGER, Action.RECORD_LEDGER, Action.RUN_SESSION}),
}


def granted_actions(user) -> frozenset[Action]:
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    return ROLE_ACTIONS.get(user.role, frozenset()) | KIND_ACTIONS.get(user.clinician_kind, frozenset())


def can(user, action: Action, *, patient=None, clinic=None) -> bool:
    """May `user` do `action`, on `patient` (any chart with user_id and clinic_id) or in `clinic`?"""
    if action not in granted_actions(user):
        return False
    if action in PATIENT_ACTIONS:
        if patient is None:
            return False
        if user.is_patient:
            return patient.user_id == user.pk
        return patient.clinic_id in user.clinic_ids()
    if clinic is None:
        return False
    return clinic.pk in user.clinic_ids()


def staff_clinics(user):
    """The clinics a staff member works in, for pickers and clinic-wide lists (none for anyone else)."""
    if user and user.is_authenticated and not user.is_patient:
        return user.active_clinics().order_by("name")
    return Clinic.objects.none()  # an anonymous visitor has no `clinics` to ask


def clinics_where(user, action: Action):
    """The clinics in which `user` may do the clinic-level `action` (a queryset, for lists and pickers)."""
    clinics = staff_clinics(user)
    return clinics if action in granted_actions(user) and action not in PATIENT_ACTIONS else clinics.none()


def clinic_for_request(request, action: Action):
    """The clinic a clinic-level page acts in: the user's (first) clinic where the policy allows `action`.

    Logged-in users whose role never grants `action` get 403 (audited); the clinic comes from the
    user's own memberships, never from the URL, so there is no id to swap.
    """
    clinic = clinics_where(request.user, action).first()
    if clinic is not None:
        return clinic
    _audit_denied(request, f"{action} refused")
    raise PermissionDenied


def deny_as_not_found(request, detail: str, message: str = "Not found.") -> NoReturn:
    """Refuse access to a record exactly as if it did not exist (404), audited as a failed authorization,
    so that swapping another clinic's or patient's code into a URL reveals nothing."""
    _audit_denied(request, detail)
    raise Http404(message)


def _audit_denied(request, detail: str) -> None:
    from kap_clinic.audit.models import AuditEvent
    from kap_clinic.audit.services import audit_record

    audit_record(actor=request.user, action=AuditEvent.Action.DENIED, outcome=AuditEvent.Outcome.FAILURE, detail=detail)


def role_required(*roles: str):
    """Login required, then 403 (audited) for any role not listed. Scope checks still follow in the view."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                _audit_denied(request, f"role {request.user.role} may not open {request.path}")
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
