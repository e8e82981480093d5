"""What the clinicians' intake pages read, in a fixed number of queries however much data there is."""

from django.db.models import Count, Prefetch, Q

from .models import Assessment, IntakeQuestionnaire, MeasureResponse, Medication, SafetyAlert, TreatmentPlan, VitalSigns


def review_queue(clinics):
    """Submitted intakes of `clinics` awaiting review, oldest first, with the patient and clinic, and each
    patient's number of open safety alerts (`open_alerts`). The flags are on the questionnaire row."""
    open_alerts = Count("patient__safety_alerts", filter=Q(patient__safety_alerts__acknowledged_at__isnull=True))
    return (
        IntakeQuestionnaire.objects.filter(status=IntakeQuestionnaire.Status.SUBMITTED, patient__clinic__in=clinics)
        .select_related("patient__clinic")
        .annotate(open_alerts=open_alerts)
        .order_by("submitted_at", "pk")
    )


def open_alerts(clinics):
    """Open safety alerts of `clinics`' patients, newest first."""
    return (
        SafetyAlert.objects.filter(acknowledged_at__isnull=True, patient__clinic__in=clinics)
        .select_related("patient__clinic", "measure")
        .order_by("-opened_at", "-pk")
    )


def recently_acknowledged_alerts(clinics, limit: int = 10):
    return (
        SafetyAlert.objects.filter(acknowledged_at__isnull=False, patient__clinic__in=clinics)
        .select_related("patient__clinic", "acknowledged_by")
        .order_by("-acknowledged_at", "-pk")[:limit]
    )


def patient_open_alerts(patient):
    return list(patient.safety_alerts.filter(acknowledged_at__isnull=True).order_by("-opened_at", "-pk"))


def questionnaire_of(patient) -> IntakeQuestionnaire | None:
    """The patient's questionnaire with its medications, or None before the patient has started one."""
    return (
        IntakeQuestionnaire.objects.filter(patient=patient)
        .prefetch_related(Prefetch("medications", queryset=Medication.objects.order_by("position", "pk")))
        .first()
    )


def baseline_measures(patient) -> list[MeasureResponse]:
    """The latest baseline response of each instrument."""
    latest: dict[str, MeasureResponse] = {}
    for response in patient.measures.filter(context=MeasureResponse.Context.BASELINE).order_by("completed_at", "pk"):
        latest[response.instrument] = response
    return list(latest.values())


def assessment_draft(patient) -> Assessment | None:
    """The unsigned assessment being written, if any."""
    return (
        Assessment.objects.filter(patient=patient, signed_at__isnull=True)
        .select_related("vitals", "created_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def assessment_signed(patient) -> Assessment | None:
    """The latest signed assessment: the patient's current eligibility decision."""
    return (
        Assessment.objects.filter(patient=patient, signed_at__isnull=False)
        .select_related("vitals", "signed_by")
        .order_by("-signed_at", "-pk")
        .first()
    )


def eligible_assessment(patient) -> Assessment | None:
    """The latest signed assessment if it found the patient eligible (a plan builds on it), else None."""
    signed = assessment_signed(patient)
    return signed if signed is not None and signed.decision == Assessment.Decision.ELIGIBLE else None


def plan_current(patient) -> TreatmentPlan | None:
    """The latest signed plan: the one in force."""
    return (
        TreatmentPlan.objects.filter(patient=patient, signed_at__isnull=False)
        .select_related("signed_by")
        .order_by("-signed_at", "-pk")
        .first()
    )


def plan_draft(patient) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(patient=patient, signed_at__isnull=True).order_by("-created_at", "-pk").first()


def latest_weight(patient) -> VitalSigns | None:
    """The latest vitals with a weight (for mg/kg doses)."""
    return VitalSigns.objects.filter(patient=patient, weight_kg__isnull=False).order_by("-measured_at", "-pk").first()
