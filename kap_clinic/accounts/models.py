import uuid
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import validate_dea_number


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone (e.g. America/New_York)."), params={"value": value})


class Clinic(models.Model):
    """A registered location: its own patients, staff, time zone and (later) its own ledger."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(help_text=_("Receives safety alerts and clinic notices."))
    dea_number = models.CharField(
        _("DEA registration number"),
        max_length=9,
        blank=True,
        validators=[validate_dea_number],
        help_text=_("This location's registration: it heads the controlled-substance records."),
    )
    pcl5_cutoff = models.PositiveSmallIntegerField(
        _("PCL-5 cutoff"),
        default=33,
        validators=[MinValueValidator(20), MaxValueValidator(60)],
        help_text=_("A PCL-5 total at or above this suggests provisional PTSD (NC-PTSD: 31–33; some programs 38)."),
    )
    observation_interval_minutes = models.PositiveSmallIntegerField(
        _("observation interval (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text=_("How often the observation board prompts for a new entry (e.g. every 15 min [S82])."),
    )
    integration_within_days = models.PositiveSmallIntegerField(
        _("integration session within (days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("An integration session is due within this many days of each dose (domain.md §7.1 [S134])."),
    )
    weight_max_age_days = models.PositiveSmallIntegerField(
        _("weight valid for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A weight-based dose needs a weight measured within this many days."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def staff_of(self, clinic: "Clinic"):
        """Active accounts working at `clinic` now (active account and active membership there)."""
        return self.filter(is_active=True, memberships__clinic=clinic, memberships__is_active=True)

    def get_by_natural_key(self, email: str):
        # Addresses are stored in lower case; people type them with capitals (phones capitalise the first letter).
        return self.get(email__iexact=email)

    def create_superuser(self, email: str, password: str, **fields):
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self.create_user(email, password, **fields)


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    CLINICIAN = "clinician", _("Clinician")
    ADMIN = "admin", _("Clinic admin")


class ClinicianKind(models.TextChoices):
    PRESCRIBER = "prescriber", _("Prescriber")
    THERAPIST = "therapist", _("Therapist")
    NURSE = "nurse", _("Nurse / monitor")


class User(AbstractBaseUser, PermissionsMixin):
    """One account per person, logging in with their email address."""

    Role = Role
    ClinicianKind = ClinicianKind

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices)
    clinician_kind = models.CharField(max_length=20, choices=ClinicianKind.choices, blank=True)
    clinics = models.ManyToManyField(Clinic, through="Membership", related_name="staff", blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text=_("May log into the Django admin site."))
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"),
            # A clinician always has a kind; nobody else has one.
            models.CheckConstraint(
                condition=(
                    models.Q(role="clinician", clinician_kind__in=[k.value for k in ClinicianKind])
                    | (~models.Q(role="clinician") & models.Q(clinician_kind=""))
                ),
                name="user_clinician_kind_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_patient(self) -> bool:
        return self.role == self.Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role == self.Role.CLINICIAN

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def role_label(self) -> str:
        if self.is_clinician and self.clinician_kind:
            return self.get_clinician_kind_display()
        return self.get_role_display()

    def active_clinics(self):
        """The clinics this staff member works at now (deactivated memberships excluded)."""
        return Clinic.objects.filter(memberships__user=self, memberships__is_active=True)

    def clinic_ids(self) -> set[int]:
        """The clinics whose data this staff member works with (cached per request object)."""
        if not hasattr(self, "_clinic_ids"):
            self._clinic_ids = set(self.memberships.filter(is_active=True).values_list("clinic_id", flat=True))
        return self._clinic_ids


class Membership(models.Model):
    """Staff belong to one or more clinics (a clinician may work at several).

    Each clinic's admin deactivates the membership at their own clinic; the account itself is
    deactivated once no active membership is left.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.clinic}"


class Invitation(models.Model):
    """An invitation to set a password: for a patient (by a clinician or admin) or a staff member (by an admin).

    The emailed link carries the signed code; it expires after INVITATION_MAX_AGE and works once.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="invitations")
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user.email}"
