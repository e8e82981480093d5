import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    INVITED = "invited", _("Invited")
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Assessment")
    PLANNED = "planned", _("Treatment planned")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    DOSING = "dosing", _("Dosing")
    INTEGRATION = "integration", _("Integration")
    FOLLOW_UP = "follow_up", _("Follow-up")
    COMPLETED = "completed", _("Course completed")
    DISCHARGED = "discharged", _("Discharged from program")


class SexAtBirth(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Prefer not to say")


class Patient(models.Model):
    """The chart: who the patient is and where they are in the course. Its UUID `code` is what URLs carry."""

    Stage = Stage
    SexAtBirth = SexAtBirth

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient")
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="patients")
    legal_name = models.CharField(_("legal name"), max_length=200)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex_at_birth = models.CharField(_("sex assigned at birth"), max_length=16, choices=SexAtBirth.choices, blank=True)
    gender = models.CharField(_("gender identity"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"))
    address = models.TextField(_("address"), blank=True)
    emergency_contact_name = models.CharField(_("emergency contact name"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=40, blank=True)
    emergency_contact_relationship = models.CharField(_("relationship"), max_length=100, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["legal_name"]
        indexes = [
            # the clinician patient list: one clinic's patients by name, filtered by stage
            models.Index(fields=["clinic", "legal_name"], name="patient_clinic_name"),
            models.Index(fields=["clinic", "stage"], name="patient_clinic_stage"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(stage__in=[s.value for s in Stage]), name="patient_stage_valid"),
            models.CheckConstraint(
                condition=models.Q(sex_at_birth__in=["", *[s.value for s in SexAtBirth]]),
                name="patient_sex_at_birth_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("intake:patient_chart", args=[self.code])

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.legal_name:
            return f"{self.legal_name} ({self.preferred_name})"
        return self.legal_name
