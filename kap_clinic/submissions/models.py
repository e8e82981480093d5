"""Sent forms that wrote something, each by the random token it carried, so that a form writes once."""

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Submission(models.Model):
    """One sent form and what it created (`submission_record`). Append-only.

    The form's token is unique here and inserted in the same transaction as what the form wrote, so
    the same form sent again (a double click, a resent POST, two copies at once) can't write twice:
    the second finds the first here instead, and the user lands on what it created.
    """

    token = models.UUIDField(editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # what the form created: e.g. a ledger entry, a count, an inventory
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token"], name="submission_token_unique")]
        triggers = [pgtrigger.Protect(name="submission_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Submission {self.token}"
