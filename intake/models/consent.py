import hashlib

from django.conf import settings
from django.db import models

from ._locks import append_only, locked_once


class ConsentDocument(models.Model):
    """One version of a clinic's informed-consent text (elements: domain.md §5). Editable as a draft;
    published, it is frozen (the database refuses UPDATE and DELETE) and becomes the one patients sign."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="consent_documents")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["clinic", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "version"], name="consent_version_unique"),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True, published_by__isnull=True)
                | models.Q(published_at__isnull=False, published_by__isnull=False),
                name="consent_published_by_whom",
            ),
        ]
        triggers = [locked_once("consent_published_frozen", "published_at")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def text_sha256(self) -> str:
        return consent_text_hash(self.title, self.body)


def consent_text_hash(title: str, body: str) -> str:
    """The hash of exactly what a patient is shown and signs: title, blank line, body (UTF-8)."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


class ConsentSignature(models.Model):
    """A patient's signature of one published version: typed name, explicit agreement, when, from where,
    and the hash of the text signed. Append-only."""

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="consent_signatures")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(max_length=200)
    agreed = models.BooleanField()
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    text_sha256 = models.CharField(max_length=64)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "document"], name="consent_signed_once"),
            models.CheckConstraint(condition=models.Q(agreed=True), name="consent_agreed"),
            models.CheckConstraint(condition=~models.Q(typed_name=""), name="consent_typed_name"),
        ]
        triggers = [append_only("consent_signature_append_only")]

    def __str__(self) -> str:
        return f"{self.patient} signed {self.document}"
