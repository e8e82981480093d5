"""A sent form writes once: its service call and the record of its token commit together, or not at all."""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from .models import Submission

Record = TypeVar("Record", bound=models.Model)


class AlreadyRecorded(Exception):
    """The form was sent before and recorded then; `record` is what that first sending created."""

    def __init__(self, record: models.Model):
        super().__init__("this form was already recorded")
        self.record = record


def submission_earlier(token: uuid.UUID) -> models.Model | None:
    """What the form with `token` created when it was sent before; None if it hasn't been recorded.

    Whoever sends it again lands on that record's page, which checks their access as always.
    """
    submission = Submission.objects.filter(token=token).first()
    return submission.record if submission is not None else None


def submission_record(*, token: uuid.UUID, by, write: Callable[[], Record]) -> Record:
    """Call `write` (one service call, returning what it created) once for the form with `token`.

    What it writes and the token are committed together. If the form was recorded before, this
    raises `AlreadyRecorded` with that first record and writes nothing: at once when the token is
    already there, or after `write` when a copy of the request sent at the same time committed
    first. Then the unique token refuses this copy (or `write` itself did, having waited for the
    first copy's locks and seen what it wrote), and all it wrote is rolled back with the savepoint,
    which also keeps a caller's own transaction usable.
    """
    earlier = submission_earlier(token)
    if earlier is not None:
        raise AlreadyRecorded(earlier)
    try:
        with transaction.atomic():
            record = write()
            Submission.objects.create(token=token, created_by=by, record=record)
    except (IntegrityError, ValidationError):
        earlier = submission_earlier(token)
        if earlier is None:
            raise
        raise AlreadyRecorded(earlier) from None
    return record
