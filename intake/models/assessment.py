from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kap_clinic.vitals import hard_bound_constraints

from ._locks import locked_once


class Route(models.TextChoices):
    IV = "iv", _("Intravenous infusion (IV)")
    IM = "im", _("Intramuscular (IM)")
    SL = "sl", _("Sublingual / buccal (SL)")
    IN = "in", _("Intranasal (IN)")


class Drug(models.TextChoices):
    RACEMIC = "racemic", _("Racemic ketamine")
    ESKETAMINE = "esketamine", _("Esketamine (Spravato)")


class DoseUnit(models.TextChoices):
    MG = "mg", _("mg")
    MG_PER_KG = "mg_per_kg", _("mg/kg")


class VitalSigns(models.Model):
    """One set of vitals, typed columns with their units, hard bounds as CHECK constraints (domain.md §8).
    Taken at assessment (baseline) and before doses; every column is optional, so a weight alone is a set."""

    class Context(models.TextChoices):
        BASELINE = "baseline", _("Baseline (assessment)")
        PRE_DOSE = "pre_dose", _("Pre-dose check")
        OTHER = "other", _("Other")

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="vitals")
    context = models.CharField(max_length=16, choices=Context.choices, default=Context.BASELINE)
    measured_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(_("systolic BP (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic BP (mmHg)"), null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(_("heart rate (bpm)"), null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(_("SpO₂ (%)"), null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(_("respiratory rate (/min)"), null=True, blank=True)
    temperature_c = models.DecimalField(_("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-measured_at", "-pk"]
        verbose_name_plural = "vital signs"
        indexes = [
            # "latest weight" for mg/kg, and the chart's vitals history
            models.Index(fields=["patient", "measured_at"], name="vitals_patient_time"),
        ]
        constraints = [
            *hard_bound_constraints("vitals"),
            models.CheckConstraint(
                condition=models.Q(height_cm__isnull=True) | models.Q(height_cm__gte=100, height_cm__lte=250),
                name="vitals_height_cm_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"Vitals {self.measured_at:%Y-%m-%d %H:%M}"

    @property
    def blood_pressure(self) -> str:
        return f"{self.systolic}/{self.diastolic}" if self.systolic and self.diastolic else ""


class Indication(models.TextChoices):
    PTSD = "ptsd", _("PTSD")
    DEPRESSION = "depression", _("Depression")
    ANXIETY = "anxiety", _("Anxiety")
    OTHER = "other", _("Other")


class Assessment(models.Model):
    """A clinician's pre-treatment assessment of a submitted intake, and the eligibility decision.

    A draft until a prescriber signs it; signed, the database refuses UPDATE and DELETE. The flags
    shown to the reviewer are kept as they were (`flags`); "eligible" with an absolute contraindication
    needs a prescriber's written override reason (a CHECK constraint as well as the service).
    """

    Indication = Indication

    class Decision(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        NEEDS_INFO = "needs_info", _("Needs more information")

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="assessments")
    questionnaire = models.ForeignKey(
        "intake.IntakeQuestionnaire", on_delete=models.PROTECT, related_name="assessments"
    )
    evaluation = models.TextField(_("psychological evaluation"), blank=True)
    indication = models.CharField(max_length=16, choices=Indication.choices, blank=True)
    indication_other = models.CharField(max_length=200, blank=True)
    treatment_resistant = models.BooleanField(null=True, blank=True)
    prior_treatments = models.TextField(blank=True)
    vitals = models.ForeignKey(VitalSigns, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decision_note = models.TextField(blank=True)  # why not eligible; for "needs info", the message to the patient
    flags = models.JSONField(default=list, blank=True)
    has_absolute_contraindication = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=["", "eligible", "not_eligible", "needs_info"]),
                name="assessment_decision_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="eligible", has_absolute_contraindication=True, override_reason=""),
                name="assessment_absolute_needs_override",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | (models.Q(signed_at__isnull=False, signed_by__isnull=False) & ~models.Q(decision="")),
                name="assessment_signed_has_decision",
            ),
        ]
        triggers = [locked_once("assessment_signed_locked", "signed_at")]

    def __str__(self) -> str:
        return f"Assessment of {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("intake:assessment_edit", args=[self.patient.code])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class RouteProtocol(models.Model):
    """A clinic's settings for one route: fasting before a dose, dose range and maximum (domain.md §3, §5).
    Without a row, `intake.protocol.route_defaults` applies."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="route_protocols")
    route = models.CharField(max_length=4, choices=Route.choices)
    fasting_food_hours = models.DecimalField(max_digits=4, decimal_places=1)
    fasting_fluids_hours = models.DecimalField(max_digits=4, decimal_places=1)
    dose_unit = models.CharField(max_length=10, choices=DoseUnit.choices)
    dose_min = models.DecimalField(max_digits=7, decimal_places=3)
    dose_max = models.DecimalField(max_digits=7, decimal_places=3)
    maximum_mg = models.DecimalField(max_digits=7, decimal_places=1, help_text=_("No single dose above this."))
    min_observation_minutes = models.PositiveSmallIntegerField(
        default=120, help_text=_("Minimum observation after the last dose before discharge.")
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "route"], name="route_protocol_unique"),
            models.CheckConstraint(
                condition=models.Q(dose_min__gt=0, dose_max__gte=models.F("dose_min")), name="route_dose_range"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    fasting_food_hours__gte=0,
                    fasting_fluids_hours__gte=0,
                    fasting_food_hours__lte=24,
                    fasting_fluids_hours__lte=24,
                ),
                name="route_fasting_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} at {self.clinic}"


class TreatmentPlan(models.Model):
    """The prescriber's plan for a course. Signed, it is locked; a changed plan is a new plan, and the
    latest signed one is current."""

    Route = Route
    Drug = Drug
    DoseUnit = DoseUnit

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="treatment_plans")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    indication = models.CharField(max_length=16, choices=Indication.choices)
    drug = models.CharField(max_length=12, choices=Drug.choices, default=Drug.RACEMIC)
    route = models.CharField(max_length=4, choices=Route.choices)
    dose_unit = models.CharField(max_length=10, choices=DoseUnit.choices)
    planned_dose = models.DecimalField(max_digits=7, decimal_places=3)
    dose_min = models.DecimalField(max_digits=7, decimal_places=3)
    dose_max = models.DecimalField(max_digits=7, decimal_places=3)
    induction_sessions = models.PositiveSmallIntegerField()
    spacing_days = models.PositiveSmallIntegerField()
    measure_schedule = models.JSONField(default=list)  # time-point keys, defaults from domain.md §7.2
    fasting_food_hours = models.DecimalField(max_digits=4, decimal_places=1)
    fasting_fluids_hours = models.DecimalField(max_digits=4, decimal_places=1)
    medication_holds = models.TextField(blank=True)
    escort_required = models.BooleanField(default=True)
    instructions = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-created_at"]
        indexes = [models.Index(fields=["patient", "signed_at"], name="plan_patient_signed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dose_min__gt=0)
                & models.Q(dose_min__lte=models.F("planned_dose"))
                & models.Q(planned_dose__lte=models.F("dose_max")),
                name="plan_dose_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(induction_sessions__gte=1, induction_sessions__lte=24), name="plan_sessions_range"
            ),
            models.CheckConstraint(
                condition=models.Q(spacing_days__gte=1, spacing_days__lte=60), name="plan_spacing_range"
            ),
            models.CheckConstraint(
                condition=models.Q(route__in=[r.value for r in Route]) & models.Q(drug__in=[d.value for d in Drug]),
                name="plan_route_drug_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="plan_signed_by_whom",
            ),
        ]
        triggers = [locked_once("plan_signed_locked", "signed_at")]

    def __str__(self) -> str:
        return f"{self.get_route_display()} plan for {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("intake:plan_edit", args=[self.patient.code])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
