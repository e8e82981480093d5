"""Dosing sessions: the visit, its status changes, pre-dose check, administrations, observation timeline,
adverse events, discharge, notes and addenda (domain.md §2, §3, §8).

Signing the session locks it: database triggers refuse UPDATE and DELETE of the session and of every
row that belongs to it once `DosingSession.signed_at` is set; corrections are addenda.
"""

import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intake.models import Drug, Route
from kap_clinic.vitals import VITALS, hard_bound_constraints

OBSERVATION_VITALS = {
    name: VITALS[name] for name in ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "temperature_c")
}


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CHECKED_IN = "checked_in", _("Checked in")
    DOSING = "dosing", _("Dosing")
    OBSERVING = "observing", _("Observing")
    DISCHARGED = "discharged", _("Discharged")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


def session_locked(name: str, *, on_session: bool = False) -> pgtrigger.Trigger:
    """Refuse UPDATE and DELETE once the session is signed. On the session's own table, signing itself
    (setting signed_at from NULL) is the last change allowed; on its rows, any change after signing."""
    if on_session:
        return pgtrigger.Protect(
            name=name,
            operation=pgtrigger.Update | pgtrigger.Delete,
            condition=pgtrigger.Q(old__signed_at__isnull=False),
        )
    return pgtrigger.Trigger(
        name=name,
        operation=pgtrigger.Update | pgtrigger.Delete,
        when=pgtrigger.Before,
        func="""
            IF EXISTS (SELECT 1 FROM dosing_dosingsession WHERE id = OLD.session_id AND signed_at IS NOT NULL) THEN
                RAISE EXCEPTION 'the dosing session is signed: its records can no longer be changed (add an addendum)'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        """,
    )


class DosingSession(models.Model):
    """One dosing visit of a patient's course, under a signed treatment plan."""

    Status = Status

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="dosing_sessions")
    plan = models.ForeignKey("intake.TreatmentPlan", on_delete=models.PROTECT, related_name="dosing_sessions")
    number = models.PositiveSmallIntegerField(help_text=_("This session's number in the course (1, 2, …)."))
    scheduled_at = models.DateTimeField()
    room = models.CharField(_("room or chair"), max_length=60)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prescriber on site")
    )
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("monitoring clinician")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    dosed_at = models.DateTimeField(null=True, blank=True)  # the first administration's start
    discharged_at = models.DateTimeField(null=True, blank=True)
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
            # the board and today's schedule: sessions by status and time
            models.Index(fields=["status", "scheduled_at"], name="dosing_status_time"),
            # the chart's course timeline
            models.Index(fields=["patient", "scheduled_at"], name="dosing_patient_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]), name="dosing_status_valid"
            ),
            models.UniqueConstraint(fields=["patient", "number"], name="dosing_number_unique"),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="dosing_signed_by_whom",
            ),
        ]
        triggers = [session_locked("dosing_session_signed_locked", on_session=True)]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("dosing:session_detail", args=[self.code])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class StatusChange(models.Model):
    """Who moved the session from one status to the next, and when. Append-only."""

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        triggers = [pgtrigger.Protect(name="dosing_status_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class PreDoseCheck(models.Model):
    """The checks before a dose (domain.md §2, §5, §8) and their outcome: pass, needs a prescriber's
    review, or hold. A hold or a review is cleared only by a prescriber's written reason."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("Pass")
        REVIEW = "review", _("Needs a prescriber's review")
        HOLD = "hold", _("Hold the dose")

    class Pregnancy(models.TextChoices):
        NOT_APPLICABLE = "not_applicable", _("Not applicable")
        NOT_PREGNANT = "not_pregnant", _("Not pregnant (patient report or test)")
        PREGNANT = "pregnant", _("Pregnant")
        UNKNOWN = "unknown", _("Unknown")

    session = models.OneToOneField(DosingSession, on_delete=models.PROTECT, related_name="pre_dose_check")
    consent_current = models.BooleanField()
    eligibility_valid = models.BooleanField()
    hours_since_food = models.DecimalField(max_digits=4, decimal_places=1)
    hours_since_fluids = models.DecimalField(max_digits=4, decimal_places=1)
    escort_name = models.CharField(max_length=200)
    escort_phone = models.CharField(max_length=40)
    alcohol_last_24h = models.BooleanField()
    held_medications_last_24h = models.BooleanField()
    new_medications = models.BooleanField()
    new_medications_details = models.TextField(blank=True)
    pregnancy = models.CharField(max_length=16, choices=Pregnancy.choices, default=Pregnancy.NOT_APPLICABLE)
    vitals = models.ForeignKey("intake.VitalSigns", on_delete=models.PROTECT, related_name="+")
    risk_screen = models.ForeignKey("intake.MeasureResponse", on_delete=models.PROTECT, related_name="+")
    phq9 = models.ForeignKey(
        "intake.MeasureResponse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    findings = models.JSONField(default=list, blank=True)  # the rules that fired: code, outcome, title, detail, source
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    hours_since_food__gte=0,
                    hours_since_fluids__gte=0,
                    hours_since_food__lte=72,
                    hours_since_fluids__lte=72,
                ),
                name="predose_fasting_range",
            ),
            models.CheckConstraint(
                condition=models.Q(override_by__isnull=True, override_at__isnull=True, override_reason="")
                | (models.Q(override_by__isnull=False, override_at__isnull=False) & ~models.Q(override_reason="")),
                name="predose_override_complete",
            ),
        ]
        triggers = [session_locked("predose_signed_locked")]

    def __str__(self) -> str:
        return f"Pre-dose check: {self.get_outcome_display()}"

    @property
    def cleared(self) -> bool:
        """May the dose go ahead: a pass, or a review/hold a prescriber overrode with a reason."""
        return self.outcome == self.Outcome.PASS or bool(self.override_reason)


class Administration(models.Model):
    """One administration (a dose, a booster, one esketamine device), drawn from a ledger lot."""

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="administrations")
    drug = models.CharField(max_length=12, choices=Drug.choices)
    route = models.CharField(max_length=4, choices=Route.choices)
    dose_mg = models.DecimalField(_("dose (mg)"), max_digits=7, decimal_places=2)
    weight_kg = models.DecimalField(_("weight used (kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    mg_per_kg = models.DecimalField(_("dose (mg/kg)"), max_digits=6, decimal_places=3, null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    lot = models.ForeignKey("dosing.Lot", on_delete=models.PROTECT, related_name="administrations")
    ledger_entry = models.OneToOneField("dosing.LedgerEntry", on_delete=models.PROTECT, related_name="administration")
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    guardrails = models.JSONField(default=list, blank=True)  # the dose rules that fired
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(dose_mg__gt=0), name="admin_dose_positive"),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="admin_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(override_by__isnull=True, override_reason="")
                | (models.Q(override_by__isnull=False) & ~models.Q(override_reason="")),
                name="admin_override_complete",
            ),
        ]
        triggers = [session_locked("admin_signed_locked")]

    def __str__(self) -> str:
        return f"{self.dose_mg} mg {self.get_route_display()}"


class ObservationEntry(models.Model):
    """One entry on the observation timeline. Vitals columns keep their hard bounds in the database;
    `news2` and `alerts` are computed when the entry is recorded (sessions/observation_rules.py)."""

    class AVPU(models.TextChoices):
        ALERT = "A", _("Alert")
        CONFUSION = "C", _("New confusion")
        VOICE = "V", _("Responds to voice")
        PAIN = "P", _("Responds to pain")
        UNRESPONSIVE = "U", _("Unresponsive")

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="observations")
    observed_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(_("systolic BP (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic BP (mmHg)"), null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(_("heart rate (bpm)"), null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(_("SpO₂ (%)"), null=True, blank=True)
    on_oxygen = models.BooleanField(default=False)
    respiratory_rate = models.PositiveSmallIntegerField(_("respiratory rate (/min)"), null=True, blank=True)
    temperature_c = models.DecimalField(_("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    avpu = models.CharField(max_length=1, choices=AVPU.choices, blank=True)
    moaas = models.PositiveSmallIntegerField(_("sedation (MOAA/S 0–5)"), null=True, blank=True)
    moaas_scale = models.CharField(max_length=40, default="MOAA/S 0-5 (Chernik 1990)")
    dissociation = models.PositiveSmallIntegerField(_("dissociation (clinician global 0–4)"), null=True, blank=True)
    # a clinic's licensed scale (DissociationScale), when it has added one: its name then, and the total
    dissociation_scale = models.CharField(max_length=60, blank=True)
    dissociation_scale_score = models.PositiveSmallIntegerField(null=True, blank=True)
    patient_state = models.CharField(_("patient-reported state"), max_length=255, blank=True)
    nausea_vomiting = models.BooleanField(default=False)
    anxiety = models.PositiveSmallIntegerField(_("anxiety (0 none – 3 severe)"), null=True, blank=True)
    note = models.TextField(blank=True)
    news2 = models.PositiveSmallIntegerField(null=True, blank=True)
    alerts = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observed_at", "pk"]
        verbose_name_plural = "observation entries"
        indexes = [models.Index(fields=["session", "observed_at"], name="obs_session_time")]
        constraints = [
            *hard_bound_constraints("obs", OBSERVATION_VITALS),
            models.CheckConstraint(
                condition=models.Q(moaas__isnull=True) | models.Q(moaas__lte=5), name="obs_moaas_range"
            ),
            models.CheckConstraint(
                condition=models.Q(dissociation__isnull=True) | models.Q(dissociation__lte=4),
                name="obs_dissociation_range",
            ),
            models.CheckConstraint(
                condition=models.Q(anxiety__isnull=True) | models.Q(anxiety__lte=3), name="obs_anxiety_range"
            ),
            models.CheckConstraint(condition=models.Q(avpu__in=["", "A", "C", "V", "P", "U"]), name="obs_avpu_valid"),
            models.CheckConstraint(
                condition=models.Q(dissociation_scale_score__isnull=True) | ~models.Q(dissociation_scale=""),
                name="obs_scale_score_named",
            ),
        ]
        triggers = [session_locked("obs_signed_locked")]

    def __str__(self) -> str:
        return f"Observation {self.observed_at:%H:%M}"


class DissociationScale(models.Model):
    """A licensed dissociation scale a clinic adds to the observation form, recorded as its total beside the
    clinician's 0–4 global rating. The CADSS is author-held (J. D. Bremner; domain.md §1.1): the app ships
    no items, only the place for a clinic's licensed total (e.g. the 23-item 0–92, or CADSS-6 0–24 [S20,S22])."""

    clinic = models.OneToOneField("accounts.Clinic", on_delete=models.CASCADE, related_name="dissociation_scale")
    name = models.CharField(
        _("scale"), max_length=60, help_text=_("As it should appear on the timeline, e.g. CADSS-6.")
    )
    max_score = models.PositiveSmallIntegerField(_("highest total"))
    licence_reference = models.CharField(
        _("licence"), max_length=200, help_text=_("The licence or permission under which the clinic uses it.")
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(max_score__gte=1, max_score__lte=200), name="scale_max_range")
        ]

    def __str__(self) -> str:
        return f"{self.name} (0–{self.max_score})"


class AdverseEvent(models.Model):
    class Kind(models.TextChoices):
        HYPERTENSION = "hypertension", _("Hypertension")
        HYPOTENSION = "hypotension", _("Hypotension")
        DESATURATION = "desaturation", _("Desaturation")
        NAUSEA_VOMITING = "nausea_vomiting", _("Nausea or vomiting")
        EMERGENCE = "emergence", _("Emergence reaction")
        EXCESSIVE_SEDATION = "excessive_sedation", _("Excessive sedation")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")
        LIFE_THREATENING = "life_threatening", _("Life-threatening")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        RESOLVING = "resolving", _("Resolving")
        ONGOING = "ongoing", _("Ongoing at discharge")
        TRANSFERRED = "transferred", _("Transferred to emergency care")

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="adverse_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    kind_other = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    onset_at = models.DateTimeField()
    action_taken = models.TextField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["onset_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind="other", kind_other=""), name="ae_other_described"),
        ]
        triggers = [session_locked("ae_signed_locked")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Discharge(models.Model):
    """The discharge checklist as it stood (computed from the timeline), and a prescriber's override."""

    session = models.OneToOneField(DosingSession, on_delete=models.PROTECT, related_name="discharge")
    criteria = models.JSONField()  # [{code, title, met, detail, source}]
    all_met = models.BooleanField()
    walks_steadily = models.BooleanField()
    escort_present = models.BooleanField()
    escort_name = models.CharField(max_length=200, blank=True)
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discharged_at = models.DateTimeField()
    discharged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(all_met=True)
                | (models.Q(override_by__isnull=False) & ~models.Q(override_reason="")),
                name="discharge_met_or_overridden",
            ),
        ]
        triggers = [session_locked("discharge_signed_locked")]

    def __str__(self) -> str:
        return f"Discharge at {self.discharged_at:%H:%M}"


class SessionNote(models.Model):
    """The monitoring clinician's or the therapist's note. Signing the monitoring note signs the session."""

    class Kind(models.TextChoices):
        MONITORING = "monitoring", _("Monitoring note")
        THERAPIST = "therapist", _("Therapist's note")

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "created_at"]
        constraints = [models.UniqueConstraint(fields=["session", "kind"], name="one_note_per_kind")]
        triggers = [
            pgtrigger.Protect(
                name="note_signed_locked",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__signed_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Addendum(models.Model):
    """A correction or addition after signing: the original stays as it was. Append-only."""

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="addenda")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "addenda"
        triggers = [pgtrigger.Protect(name="addendum_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Addendum by {self.author}"
