from django.db import models
from django.utils.translation import gettext_lazy as _


class IntakeQuestionnaire(models.Model):
    """The patient's intake forms: one draft, saved step by step, submitted once for review.

    `answers` keeps what the patient typed for each step, by step slug, exactly as sent (strings):
    nothing typed is lost on a validation error; each step's form re-validates it when read
    (`intake.sections.cleaned_section`). Medications are also kept as rows (`Medication`), since
    the screening and later visits compare them.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        RETURNED = "returned", _("Returned for more information")
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        REVIEWED = "reviewed", _("Reviewed")

    patient = models.OneToOneField("intake.Patient", on_delete=models.PROTECT, related_name="questionnaire")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_step = models.CharField(max_length=32, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    completed_steps = models.JSONField(default=list, blank=True)
    # computed at submission, shown in the review queue without re-reading every answer
    flags = models.JSONField(default=list, blank=True)
    return_message = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # the review queue: submitted intakes, oldest first
            models.Index(fields=["status", "submitted_at"], name="intake_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "returned", "submitted", "reviewed"]),
                name="intake_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["submitted", "reviewed"]) | models.Q(submitted_at__isnull=False),
                name="intake_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake of {self.patient}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Medication(models.Model):
    """One current medication as the patient listed it, with the class the app recognised."""

    class Unit(models.TextChoices):
        MG = "mg", _("mg")
        MCG = "mcg", _("mcg")
        G = "g", _("g")
        ML = "mL", _("mL")
        UNITS = "units", _("units")
        PUFFS = "puffs", _("puffs")
        OTHER = "other", _("other")

    class Frequency(models.TextChoices):
        ONCE = "once_daily", _("Once a day")
        TWICE = "twice_daily", _("Twice a day")
        THREE = "three_daily", _("Three times a day")
        FOUR = "four_daily", _("Four times a day")
        BEDTIME = "bedtime", _("At bedtime")
        AS_NEEDED = "as_needed", _("As needed")
        WEEKLY = "weekly", _("Once a week")
        OTHER = "other", _("Other")

    class DrugClass(models.TextChoices):
        BENZODIAZEPINE = "benzodiazepine", _("Benzodiazepine")
        LAMOTRIGINE = "lamotrigine", _("Lamotrigine")
        MAOI = "maoi", _("MAO inhibitor")
        STIMULANT = "stimulant", _("Psychostimulant")
        OPIOID = "opioid", _("Opioid")
        SEDATIVE_HYPNOTIC = "sedative_hypnotic", _("Sedative-hypnotic (non-benzodiazepine)")

    questionnaire = models.ForeignKey(IntakeQuestionnaire, on_delete=models.CASCADE, related_name="medications")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    dose = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=8, choices=Unit.choices, blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, blank=True)
    drug_class = models.CharField(max_length=24, choices=DrugClass.choices, blank=True)
    generic_name = models.CharField(max_length=60, blank=True)  # what the list recognised, e.g. "alprazolam"
    diazepam_mg_per_day = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(dose__isnull=True) | models.Q(dose__gt=0), name="med_dose_pos"),
        ]

    def __str__(self) -> str:
        return self.name
