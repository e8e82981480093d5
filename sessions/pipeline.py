"""The dosing session's status pipeline as data (style.md §5, after django-oscar's `pipeline`).

    scheduled → checked_in → dosing → observing → discharged, or cancelled / no-show

`TRANSITIONS` lists every allowed move; `GUARDS` names what must be true before a move (checked by
`sessions.services.pipeline.session_set_status`), each with the message shown when it isn't.
"""

from django.utils.translation import gettext_lazy as _

from .models.dosing import Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.SCHEDULED: (Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW),
    Status.CHECKED_IN: (Status.DOSING, Status.CANCELLED),
    Status.DOSING: (Status.OBSERVING,),
    Status.OBSERVING: (Status.DISCHARGED,),
    Status.DISCHARGED: (),
    Status.CANCELLED: (),
    Status.NO_SHOW: (),
}

# (from, to) → (guard name, message when it fails). The guard functions live in the service module.
GUARDS: dict[tuple[str, str], tuple[str, str]] = {
    (Status.CHECKED_IN, Status.DOSING): (
        "pre_dose_cleared",
        _("The pre-dose check must pass (or a prescriber must clear it with a reason) before the dose."),
    ),
    (Status.DOSING, Status.OBSERVING): (
        "has_administration",
        _("Record the administration before starting observation."),
    ),
    (Status.OBSERVING, Status.DISCHARGED): (
        "discharge_recorded",
        _("Discharge through the discharge checklist."),
    ),
}

# Statuses in which the timeline takes entries, and which count as "in session now" on the board.
IN_CLINIC = (Status.CHECKED_IN, Status.DOSING, Status.OBSERVING)
# A reason is asked for these moves.
NEEDS_REASON = (Status.CANCELLED, Status.NO_SHOW)
