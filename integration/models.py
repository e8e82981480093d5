"""Integration and follow-up (domain.md §7): integration sessions and their signed notes, the patient's
reflections, the self-care plan with weekly check-ins, the schedule of follow-up measures and its
reminders, and the course outcome."""

import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intake.models._locks import append_only, locked_once


class IntegrationSession(models.Model):
    """A therapy session after a dose, to integrate the experience. Its structured note (domain.md §7.1) is
    signed by the therapist and then locked in the database; corrections are addenda."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Addressed(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    class Intensity(models.TextChoices):
        TOO_LITTLE = "too_little", _("Too little")
        ABOUT_RIGHT = "about_right", _("About right")
        TOO_MUCH = "too_much", _("Too much")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="integration_sessions")
    dosing_session = models.ForeignKey(
        "dosing.DosingSession", on_delete=models.PROTECT, null=True, blank=True, related_name="integration_sessions"
    )
    scheduled_at = models.DateTimeField()
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=255, blank=True)
    # the structured note (domain.md §7.1)
    experience = models.TextField(_("the patient's account of the experience"), blank=True)
    insights = models.TextField(_("insights and meaning"), blank=True)
    intentions_addressed = models.CharField(max_length=8, choices=Addressed.choices, blank=True)
    intentions_note = models.TextField(blank=True)
    challenging_material = models.TextField(_("challenging material"), blank=True)
    changes_since_dosing = models.TextField(_("changes since dosing"), blank=True)
    action_plan = models.TextField(_("action plan and commitments"), blank=True)
    safety_check = models.TextField(_("safety check"), blank=True)
    after_effects = models.JSONField(default=list, blank=True)  # keys of AFTER_EFFECTS (integration/note_fields.py)
    after_effects_details = models.TextField(blank=True)
    dose_intensity = models.CharField(max_length=12, choices=Intensity.choices, blank=True)
    plan = models.TextField(_("plan"), blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        indexes = [
            models.Index(fields=["patient", "scheduled_at"], name="integration_patient_time"),
            # the therapist's schedule and unsigned notes
            models.Index(fields=["therapist", "status", "scheduled_at"], name="integration_therapist"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["scheduled", "completed", "cancelled"]), name="integration_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False, status="completed"),
                name="integration_signed_when_completed",
            ),
        ]
        triggers = [locked_once("integration_signed_locked", "signed_at")]

    def __str__(self) -> str:
        return f"Integration session of {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("integration:session_detail", args=[self.code])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class IntegrationAddendum(models.Model):
    session = models.ForeignKey(IntegrationSession, on_delete=models.PROTECT, related_name="addenda")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "integration addenda"
        triggers = [append_only("integration_addendum_append_only")]

    def __str__(self) -> str:
        return f"Addendum by {self.author}"

    def get_absolute_url(self) -> str:
        return self.session.get_absolute_url()


class Reflection(models.Model):
    """The patient's own journal entry, optionally about a dosing session. Seen by the patient and their
    care team only."""

    class Kind(models.TextChoices):
        INTENTION = "intention", _("Intention before a dose")
        REFLECTION = "reflection", _("Reflection after a dose")
        JOURNAL = "journal", _("Journal")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="reflections")
    dosing_session = models.ForeignKey(
        "dosing.DosingSession", on_delete=models.PROTECT, null=True, blank=True, related_name="reflections"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.JOURNAL)
    prompt = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="reflection_patient_time")]
        constraints = [models.CheckConstraint(condition=~models.Q(body=""), name="reflection_not_empty")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("integration:reflection_list")


class SelfCareGoal(models.Model):
    """A goal the patient and therapist agreed on; the patient checks in on it weekly."""

    class Category(models.TextChoices):
        MINDFULNESS = "mindfulness", _("Mindfulness practice")
        MOVEMENT = "movement", _("Movement")
        SLEEP = "sleep", _("Sleep")
        NUTRITION = "nutrition", _("Nutrition")
        SOCIAL = "social", _("Social support")
        THERAPY = "therapy", _("Other therapy (e.g. CBT, EMDR)")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="self_care_goals")
    category = models.CharField(max_length=12, choices=Category.choices)
    description = models.CharField(max_length=255)
    agreed_with = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "category", "pk"]

    def __str__(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return reverse("integration:self_care_plan", args=[self.patient.code])


class SelfCareCheckIn(models.Model):
    """How the week went on one goal. One per goal and week (the week's Monday)."""

    class Rating(models.IntegerChoices):
        NOT_AT_ALL = 0, _("Not at all")
        SOME_DAYS = 1, _("Some days")
        MOST_DAYS = 2, _("Most days")
        EVERY_DAY = 3, _("Every day")

    goal = models.ForeignKey(SelfCareGoal, on_delete=models.PROTECT, related_name="check_ins")
    week_of = models.DateField(help_text=_("The Monday of the week."))
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week_of"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "week_of"], name="one_check_in_per_week"),
            models.CheckConstraint(condition=models.Q(rating__lte=3), name="check_in_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.goal} — week of {self.week_of}"


class MeasureDue(models.Model):
    """One follow-up measure the course's schedule asks for (domain.md §7.2): due on a date, reminded once,
    completed by a MeasureResponse. Its `code` is what the reminder's link carries."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="measures_due")
    instrument = models.CharField(max_length=16)
    time_point = models.CharField(max_length=32)  # e.g. end_of_induction, month_1 (integration/schedule.py)
    due_on = models.DateField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.OneToOneField(
        "intake.MeasureResponse", on_delete=models.PROTECT, null=True, blank=True, related_name="due"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # the reminder job and the overdue worklist: open items by due date
            models.Index(fields=["due_on"], name="measure_due_open", condition=models.Q(completed_by__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["patient", "instrument", "time_point"], name="measure_due_once"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.time_point} due {self.due_on}"

    def get_absolute_url(self) -> str:
        return reverse("integration:measure_take", args=[self.code])

    @property
    def is_completed(self) -> bool:
        return self.completed_by_id is not None


class CourseOutcome(models.Model):
    """How the course ended, recorded by the prescriber, and the maintenance plan."""

    class Outcome(models.TextChoices):
        MAINTENANCE = "maintenance", _("Completed induction → maintenance")
        DISCHARGED = "discharged", _("Discharged from the program")
        REFERRED = "referred", _("Referred elsewhere")

    patient = models.OneToOneField("intake.Patient", on_delete=models.PROTECT, related_name="course_outcome")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    ended_on = models.DateField()
    maintenance_plan = models.TextField(blank=True)
    referred_to = models.CharField(max_length=200, blank=True)
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="maintenance", maintenance_plan=""), name="outcome_maintenance_planned"
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="referred", referred_to=""), name="outcome_referred_where"
            ),
        ]
        triggers = [pgtrigger.Protect(name="outcome_final", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.get_outcome_display()

    def get_absolute_url(self) -> str:
        return reverse("integration:course_outcome", args=[self.patient.code])
