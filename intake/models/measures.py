from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kap_clinic.instruments import INSTRUMENTS

from ._locks import append_only


class MeasureContext(models.TextChoices):
    BASELINE = "baseline", _("Baseline (intake)")
    PRE_DOSE = "pre_dose", _("Before a dose")
    END_OF_INDUCTION = "end_of_induction", _("End of induction")
    FOLLOW_UP = "follow_up", _("Follow-up")
    OTHER = "other", _("Other")


class MeasureResponse(models.Model):
    """One completed questionnaire (any instrument, one shape). Completed means final: the database refuses
    UPDATE and DELETE; a mistaken entry is answered by a new response."""

    Context = MeasureContext

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="measures")
    instrument = models.CharField(max_length=16, choices=[(k, i.short_name) for k, i in INSTRUMENTS.items()])
    version = models.CharField(max_length=32)
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=64, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    risk = models.CharField(max_length=16, blank=True)  # the C-SSRS triage level
    index_event = models.TextField(blank=True)  # PCL-5: the event later scores refer to
    loinc = models.CharField(max_length=16, blank=True)  # LOINC of the total (or risk level), where known
    context = models.CharField(max_length=20, choices=MeasureContext.choices, default=MeasureContext.BASELINE)
    completed_at = models.DateTimeField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_at", "pk"]
        indexes = [
            # the chart's trend per instrument, and "latest baseline" lookups
            models.Index(fields=["patient", "instrument", "completed_at"], name="measure_patient_instr"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(instrument__in=list(INSTRUMENTS)), name="measure_instrument_known"
            ),
            models.CheckConstraint(
                condition=models.Q(context__in=[c.value for c in MeasureContext]), name="measure_context_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(total__lte=80), name="measure_total_range"
            ),
        ]
        triggers = [append_only("measure_append_only")]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.total if self.total is not None else self.band}"


class SafetyAlert(models.Model):
    """A safety signal the clinic's clinicians must see and acknowledge with a note.

    Opened by a measure (PHQ-9 item 9 ≥ 1, a moderate or high risk screen); one open alert per patient
    and source at a time; it stays open until a clinician acknowledges it.
    """

    class Source(models.TextChoices):
        PHQ9_ITEM9 = "phq9_item9", _("PHQ-9 item 9 (thoughts of death or self-harm)")
        CSSRS_MODERATE = "cssrs_moderate", _("Risk screen: moderate risk")
        CSSRS_HIGH = "cssrs_high", _("Risk screen: high risk")

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="safety_alerts")
    source = models.CharField(max_length=20, choices=Source.choices)
    detail = models.CharField(max_length=255, blank=True)
    measure = models.ForeignKey(MeasureResponse, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # clinicians' open-alert list per clinic (via patient), newest first
            models.Index(fields=["acknowledged_at", "opened_at"], name="alert_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "source"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="alert_one_open_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | (
                    models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False)
                    & ~models.Q(acknowledgement_note="")
                ),
                name="alert_ack_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} — {self.patient}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class ScreenerWording(models.Model):
    """A clinic's licensed wording for the risk screen's six questions (C-SSRS is licensed, domain.md §1.5).
    Without it, neutral placeholder wording (`instruments.definitions.CSSRS_PLACEHOLDER_WORDING`) is shown."""

    clinic = models.OneToOneField("accounts.Clinic", on_delete=models.CASCADE, related_name="screener_wording")
    q1 = models.TextField()
    q2 = models.TextField()
    q3 = models.TextField()
    q4 = models.TextField()
    q5 = models.TextField()
    q6 = models.TextField()
    q6_recent = models.TextField()
    licence_reference = models.CharField(max_length=200, help_text=_("The licence under which this wording is used."))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Risk screen wording of {self.clinic}"

    def as_dict(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")}
