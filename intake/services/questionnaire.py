"""The patient's intake questionnaire: saving a step of the draft, and submitting it once for review."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from .. import sections
from ..medications import medication_details
from ..models import IntakeQuestionnaire, MeasureResponse, Medication, Patient
from ..screening import screen_questionnaire
from .measures import measure_record
from .patients import patient_set_stage
from .safety import safety_alerts_for_score

# where "resume" goes once every step has been passed
SUBMIT_STEP = "submit"


def questionnaire_for_patient(*, patient: Patient) -> IntakeQuestionnaire:
    """The patient's intake draft, opened on the first visit."""
    questionnaire, _created = IntakeQuestionnaire.objects.get_or_create(patient=patient)
    questionnaire.patient = patient
    return questionnaire


@dataclass
class StepSaved:
    questionnaire: IntakeQuestionnaire
    form: object  # the step form bound to what was saved
    valid: bool
    alerts: list = field(default_factory=list)  # safety alerts the step's answers opened (or found open)


@transaction.atomic
def questionnaire_save_step(
    *, questionnaire: IntakeQuestionnaire, slug: str, data: dict, by, action: str = "continue"
) -> StepSaved:
    """Keep what the patient sent for step `slug` (always, valid or not) and note whether it is complete.

    `action` says where the patient goes next, kept as the step to resume: "continue" moves on when
    the step is valid, "back" to the step before, anything else stays. A completed step has its
    effects: "about" is copied onto the chart, "medications" replaces the medication rows, a measure
    opens the safety alerts its answers call for. The first save moves an invited patient to intake.
    Raises ValidationError once the intake is submitted (it is read-only then).
    """
    section = sections.BY_SLUG[slug]
    questionnaire = (
        IntakeQuestionnaire.objects.select_for_update(of=("self",))
        .select_related("patient__clinic")
        .get(pk=questionnaire.pk)
    )
    if not questionnaire.is_editable:
        raise ValidationError(_("Your intake was already submitted; it can't be changed now."), code="submitted")
    patient = questionnaire.patient
    answers = dict(questionnaire.answers or {})
    answers[slug] = data
    questionnaire.answers = answers
    form = sections.bind(questionnaire, slug, data)
    valid = form.is_valid()
    completed = [step for step in questionnaire.completed_steps if step != slug]
    if valid:
        completed.append(slug)
    questionnaire.completed_steps = [s.slug for s in sections.SECTIONS if s.slug in completed]
    questionnaire.current_step = _step_after(slug, action, valid)
    questionnaire.save(update_fields=["answers", "completed_steps", "current_step", "updated_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        patient=patient,
        obj=questionnaire,
        detail=f"intake step {slug} saved ({'complete' if valid else 'draft'})",
    )
    if patient.stage == Patient.Stage.INVITED:
        patient_set_stage(patient=patient, stage=Patient.Stage.INTAKE, by=by)
    alerts = []
    if valid:
        if slug == "about":
            _copy_about(patient=patient, cleaned=form.cleaned_data, by=by)
        elif section.kind == "medications":
            _replace_medications(questionnaire=questionnaire, rows=form.cleaned_data["medications"])
        elif section.kind == "measure" and form.score_result is not None:
            alerts = safety_alerts_for_score(patient=patient, result=form.score_result)
    return StepSaved(questionnaire=questionnaire, form=form, valid=valid, alerts=alerts)


def _step_after(slug: str, action: str, valid: bool) -> str:
    if action == "continue" and valid:
        following = sections.next_section(slug)
        return following.slug if following else SUBMIT_STEP
    if action == "back":
        before = sections.previous_section(slug)
        return before.slug if before else slug
    return slug


def _copy_about(*, patient: Patient, cleaned: dict, by) -> None:
    changed = []
    for name in sections.steps.PATIENT_FIELDS:
        value = cleaned.get(name)
        value = value.strip() if isinstance(value, str) else value
        if getattr(patient, name) != value:
            setattr(patient, name, value)
            changed.append(name)
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=by, action=AuditEvent.Action.UPDATE, patient=patient, obj=patient, detail="details from intake"
        )


def _replace_medications(*, questionnaire: IntakeQuestionnaire, rows: list[dict]) -> None:
    questionnaire.medications.all().delete()
    Medication.objects.bulk_create(
        Medication(
            questionnaire=questionnaire,
            position=number,
            name=row["name"],
            dose=row["dose"],
            unit=row["unit"],
            frequency=row["frequency"],
            **medication_details(name=row["name"], dose=row["dose"], unit=row["unit"], frequency=row["frequency"]),
        )
        for number, row in enumerate(rows)
    )


@transaction.atomic
def questionnaire_submit(*, questionnaire: IntakeQuestionnaire, by) -> tuple[IntakeQuestionnaire, bool]:
    """Send the intake for review: once. Returns (questionnaire, True) when this call submitted it,
    (questionnaire, False) when it was already submitted (then nothing is written).

    Every required section must be valid (else ValidationError naming those missing). Writes the
    baseline measures (PHQ-9, GAD-7, PCL-5 with its index event, the risk screen; on a resubmission
    only those whose answers changed), stores the screening flags, moves the chart to assessment.
    """
    questionnaire = (
        IntakeQuestionnaire.objects.select_for_update(of=("self",))
        .select_related("patient__clinic")
        .get(pk=questionnaire.pk)
    )
    if not questionnaire.is_editable:
        return questionnaire, False
    missing = sections.missing_sections(questionnaire)
    if missing:
        raise ValidationError(
            _("Some sections still need answers: %(sections)s.")
            % {"sections": ", ".join(str(section.title) for section in missing)},
            code="missing_sections",
        )
    patient = questionnaire.patient
    for section in sections.MEASURE_SECTIONS:
        form = sections.bind(questionnaire, section.slug)
        form.is_valid()
        answers = form.answers()
        index_event = (form.cleaned_data.get("index_event") or "").strip()
        if _baseline_unchanged(
            patient=patient, instrument=section.instrument.key, answers=answers, index_event=index_event
        ):
            continue
        measure_record(
            patient=patient,
            instrument=section.instrument.key,
            answers=answers,
            by=by,
            context=MeasureResponse.Context.BASELINE,
            index_event=index_event,
        )
    questionnaire.flags = screen_questionnaire(questionnaire)
    questionnaire.status = IntakeQuestionnaire.Status.SUBMITTED
    questionnaire.submitted_at = timezone.now()
    questionnaire.current_step = SUBMIT_STEP
    questionnaire.save(update_fields=["flags", "status", "submitted_at", "current_step", "updated_at"])
    if patient.stage in (Patient.Stage.INVITED, Patient.Stage.INTAKE):
        patient_set_stage(patient=patient, stage=Patient.Stage.ASSESSMENT, by=by)
    audit_record(actor=by, action=AuditEvent.Action.SUBMIT, patient=patient, obj=questionnaire, detail="intake")
    return questionnaire, True


def _baseline_unchanged(*, patient: Patient, instrument: str, answers: dict, index_event: str) -> bool:
    """On a resubmission (a returned intake), a measure answered the same way is not recorded twice."""
    latest = (
        MeasureResponse.objects.filter(patient=patient, instrument=instrument, context=MeasureResponse.Context.BASELINE)
        .order_by("-completed_at", "-pk")
        .first()
    )
    return (
        latest is not None
        and latest.answers == {key: int(value) for key, value in answers.items()}
        and latest.index_event == index_event
    )
