"""The clinician's assessment of a submitted intake, and the prescriber's signed eligibility decision.

Any clinician of the clinic may write the draft (evaluation, indication, baseline vitals); only a
prescriber signs it. Signed, it is locked (a database trigger refuses UPDATE and DELETE) and moves the
intake on: eligible → the intake is reviewed and a plan can be written; not eligible → the chart's stage
says so; needs more information → the intake goes back to the patient with the message.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.access import Action, can
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.vitals import VITAL_COLUMNS

from ..models import Assessment, IntakeQuestionnaire, Patient, VitalSigns
from ..screening import has_absolute, screen
from .patients import patient_set_stage

Decision = Assessment.Decision
DRAFT_FIELDS = ("evaluation", "indication", "indication_other", "treatment_resistant", "prior_treatments")
DECISION_FIELDS = ("decision", "decision_note", "override_reason")


def _submitted_questionnaire(patient: Patient) -> IntakeQuestionnaire:
    questionnaire = IntakeQuestionnaire.objects.select_for_update().filter(patient=patient).first()
    if questionnaire is None or questionnaire.status != IntakeQuestionnaire.Status.SUBMITTED:
        raise ValidationError(
            _("There is no submitted intake awaiting review: the assessment starts once the patient submits it."),
            code="not_submitted",
        )
    return questionnaire


def _vitals_record(*, patient: Patient, by, vitals: dict, current: VitalSigns | None) -> VitalSigns | None:
    """The baseline vitals the assessment refers to: the ones it has if unchanged, else a new set."""
    if not vitals:
        return current
    if current is not None and all(getattr(current, name) == vitals.get(name) for name in VITAL_COLUMNS):
        return current
    record = VitalSigns.objects.create(
        patient=patient,
        context=VitalSigns.Context.BASELINE,
        measured_at=timezone.now(),
        recorded_by=by,
        **vitals,
    )
    audit_record(actor=by, action=AuditEvent.Action.CREATE, patient=patient, obj=record, detail="baseline vitals")
    return record


def _check_override(assessment: Assessment) -> None:
    if (
        assessment.decision == Decision.ELIGIBLE
        and assessment.has_absolute_contraindication
        and not assessment.override_reason.strip()
    ):
        raise ValidationError(
            {
                "override_reason": _(
                    "The intake has an absolute contraindication: “eligible” needs a prescriber's written reason "
                    "for overriding it."
                )
            },
            code="override_required",
        )


@transaction.atomic
def assessment_save_draft(*, patient: Patient, by, vitals: dict | None = None, **fields) -> Assessment:
    """Save the assessment draft of the patient's submitted intake (creating it the first time), with the
    baseline `vitals` (column → value, °C and kg) when given, and the screening flags as they stand now.

    `fields`: evaluation, indication, indication_other, treatment_resistant, prior_treatments and, from a
    prescriber, decision, decision_note, override_reason. The chart moves from intake to assessment.
    """
    if not can(by, Action.REVIEW_INTAKE, patient=patient):
        raise PermissionDenied
    unknown = set(fields) - set(DRAFT_FIELDS) - set(DECISION_FIELDS)
    if unknown:
        raise TypeError(f"unknown assessment fields: {sorted(unknown)}")
    if set(fields) & set(DECISION_FIELDS) and not can(by, Action.SIGN_ELIGIBILITY, patient=patient):
        fields = {name: value for name, value in fields.items() if name not in DECISION_FIELDS}
    questionnaire = _submitted_questionnaire(patient)
    assessment = (
        Assessment.objects.select_for_update()
        .filter(patient=patient, questionnaire=questionnaire, signed_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    created = assessment is None
    if created:
        assessment = Assessment(patient=patient, questionnaire=questionnaire, created_by=by)
    for name, value in fields.items():
        setattr(assessment, name, "" if value is None and name != "treatment_resistant" else value)
    assessment.vitals = _vitals_record(patient=patient, by=by, vitals=vitals or {}, current=assessment.vitals)
    assessment.flags = screen(questionnaire, vitals=assessment.vitals)
    assessment.has_absolute_contraindication = has_absolute(assessment.flags)
    _check_override(assessment)
    assessment.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        patient=patient,
        obj=assessment,
        detail="assessment draft",
    )
    if patient.stage in (Patient.Stage.INVITED, Patient.Stage.INTAKE):
        patient_set_stage(patient=patient, stage=Patient.Stage.ASSESSMENT, by=by)
    return assessment


def decision_problems(
    *,
    decision: str,
    evaluation: str = "",
    indication: str = "",
    indication_other: str = "",
    decision_note: str = "",
    override_reason: str = "",
    has_absolute: bool = False,
    has_blood_pressure: bool = False,
) -> dict[str, str]:
    """What stops this decision being signed, by field (empty when it can be signed). Used by the sign
    step's confirmation page as well as by `assessment_sign`."""
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = _("Choose a decision: eligible, not eligible, or needs more information.")
    elif decision == Decision.ELIGIBLE:
        if not (evaluation or "").strip():
            errors["evaluation"] = _("Write the psychological evaluation before signing the patient eligible.")
        if not indication:
            errors["indication"] = _("Choose the primary indication.")
        elif indication == Assessment.Indication.OTHER and not (indication_other or "").strip():
            errors["indication_other"] = _("Say what the other indication is.")
        if not has_blood_pressure:
            errors["decision"] = _(
                "Record a baseline blood pressure (systolic and diastolic, mmHg) before signing the patient "
                "eligible: the blood-pressure contraindication can't be checked without it."
            )
        if has_absolute and not (override_reason or "").strip():
            errors["override_reason"] = _(
                "The intake has an absolute contraindication: “eligible” needs a prescriber's written reason "
                "for overriding it."
            )
    elif decision == Decision.NOT_ELIGIBLE and not (decision_note or "").strip():
        errors["decision_note"] = _("Write why the patient is not eligible.")
    elif decision == Decision.NEEDS_INFO and not (decision_note or "").strip():
        errors["decision_note"] = _("Write the message to the patient: what they need to add or correct.")
    return errors


def _check_decision(assessment: Assessment) -> None:
    vitals = assessment.vitals
    errors = decision_problems(
        decision=assessment.decision,
        evaluation=assessment.evaluation,
        indication=assessment.indication,
        indication_other=assessment.indication_other,
        decision_note=assessment.decision_note,
        override_reason=assessment.override_reason,
        has_absolute=assessment.has_absolute_contraindication,
        has_blood_pressure=vitals is not None and vitals.systolic is not None and vitals.diastolic is not None,
    )
    if errors:
        raise ValidationError(errors, code="incomplete")


@transaction.atomic
def assessment_sign(*, patient: Patient, by, vitals: dict | None = None, **fields) -> Assessment:
    """Save the draft with `fields` and sign the eligibility decision (prescribers only). Then the record
    is locked and the intake moves on (see the module's docstring). Raises ValidationError when the decision
    is missing or incomplete, or "eligible" meets an absolute contraindication without an override reason."""
    if not can(by, Action.SIGN_ELIGIBILITY, patient=patient):
        raise PermissionDenied(_("Only a prescriber can sign the eligibility decision."))
    assessment = assessment_save_draft(patient=patient, by=by, vitals=vitals, **fields)
    _check_decision(assessment)
    if assessment.decision != Decision.ELIGIBLE:
        assessment.override_reason = ""
    now = timezone.now()
    assessment.signed_by, assessment.signed_at = by, now
    assessment.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.SIGN,
        patient=patient,
        obj=assessment,
        detail=f"eligibility: {assessment.decision}",
    )
    questionnaire = assessment.questionnaire
    if assessment.decision == Decision.NEEDS_INFO:
        questionnaire.status = IntakeQuestionnaire.Status.RETURNED
        questionnaire.return_message = assessment.decision_note.strip()
        questionnaire.returned_at = now
        questionnaire.save(update_fields=["status", "return_message", "returned_at", "updated_at"])
        audit_record(
            actor=by, action=AuditEvent.Action.UPDATE, patient=patient, obj=questionnaire, detail="intake returned"
        )
        patient_set_stage(patient=patient, stage=Patient.Stage.INTAKE, by=by)
        transaction.on_commit(lambda: _email_returned(patient.pk))
    else:
        questionnaire.status = IntakeQuestionnaire.Status.REVIEWED
        questionnaire.reviewed_at = now
        questionnaire.save(update_fields=["status", "reviewed_at", "updated_at"])
        audit_record(
            actor=by, action=AuditEvent.Action.UPDATE, patient=patient, obj=questionnaire, detail="intake reviewed"
        )
        if assessment.decision == Decision.NOT_ELIGIBLE:
            patient_set_stage(patient=patient, stage=Patient.Stage.NOT_ELIGIBLE, by=by)
    return assessment


def _email_returned(patient_pk: int) -> None:
    """Tell the patient their clinic asked for more (the message itself is behind login)."""
    patient = Patient.objects.select_related("clinic").get(pk=patient_pk)
    body = render_to_string(
        "intake/review/email/intake_returned.txt",
        {"patient": patient, "clinic": patient.clinic, "url": settings.SITE_URL + reverse("intake:patient_home")},
    )
    send_mail(
        _("%(clinic)s: please complete your intake") % {"clinic": patient.clinic.name}, body, None, [patient.email]
    )
