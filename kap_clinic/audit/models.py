import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    DENIED = "denied", _("Access denied")
    INVITE = "invite", _("Invited")
    ACCEPT_INVITATION = "accept_invitation", _("Accepted invitation")
    PASSWORD_RESET = "password_reset", _("Reset password")
    DEACTIVATE = "deactivate", _("Deactivated account")
    REACTIVATE = "reactivate", _("Reactivated account")
    SUBMIT = "submit", _("Submitted")
    SIGN = "sign", _("Signed")
    PUBLISH = "publish", _("Published")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    DOWNLOAD = "download", _("Downloaded")
    ALERT = "alert", _("Safety alert opened")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class AuditEvent(models.Model):
    """Who did what to which patient's data, when and from where. Append-only in the database."""

    Action = Action
    Outcome = Outcome

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The email as typed or as it was at the time: a failed login may name no existing user.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    clinic = models.ForeignKey("accounts.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The patient's public code: core does not import the intake app that owns the chart.
    patient_code = models.UUIDField(null=True, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # the clinic audit log page: one clinic's events, newest first, filtered by patient or user
            models.Index(fields=["clinic", "-at"], name="audit_clinic_at"),
            models.Index(fields=["patient_code", "-at"], name="audit_patient_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=[a.value for a in Action]), name="audit_action_valid"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o.value for o in Outcome]), name="audit_outcome_valid"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_type}"
