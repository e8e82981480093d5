"""A write view records each sent form once, however often it is sent (a double click, a resent POST).

The form carries a submission token (`forms.OnceForm`); `write_once` writes through
`services.submission_record`, which commits the token with what the form wrote; `once_per_form`
answers a form that was already recorded.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import services


def once_per_form(view):
    """The same form sent again writes nothing: the user lands on what the first sending created, told so.

    Checked before the view runs, so that nothing the view checks first (the form, "already
    witnessed") answers instead; and after, when its write lost the race to a copy sent at the same time.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        earlier = _recorded_before(request)
        if earlier is None:
            try:
                return view(request, *args, **kwargs)
            except services.AlreadyRecorded as already:
                earlier = already.record
        messages.info(request, _("This was already recorded."))
        return redirect(earlier)

    return wrapped


def _recorded_before(request):
    """What the POSTed form created when it was sent before, if it was."""
    if request.method != "POST":
        return None
    try:
        token = uuid.UUID(request.POST.get("submission", ""))
    except ValueError:
        return None
    return services.submission_earlier(token)


def write_once(request, form, write):
    """Write a valid POSTed form through `write(cleaned_data)`, one service call returning what it created.

    Returns that, or None to show the form (again): not sent, not valid, or refused by the service,
    whose message then goes on the form. A form recorded before raises `services.AlreadyRecorded`,
    for `once_per_form` on the view to answer.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return services.submission_record(
            token=form.submission_token, by=request.user, write=lambda: write(form.cleaned_data)
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
