"""A clinic's own calendar: its time zone, the date today there, the local date of a moment.

Callers use these through the module (`clinic_time.clinic_today(clinic)`), so that a test can move
"today" for every caller by patching this one module.
"""

import datetime
import zoneinfo

from django.utils import timezone


def clinic_zone(clinic) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(clinic.time_zone)


def clinic_today(clinic) -> datetime.date:
    return timezone.localdate(timezone=clinic_zone(clinic))


def clinic_date(clinic, at: datetime.datetime) -> datetime.date:
    return timezone.localtime(at, clinic_zone(clinic)).date()


def wall_clock(value: datetime.datetime | None, zone) -> datetime.datetime | None:
    """A typed date and time read as the clinic's wall clock (whatever zone the page was served in)."""
    if value is None:
        return None
    return timezone.make_aware(timezone.make_naive(value).replace(tzinfo=None), zone)


CLOCK_SKEW = datetime.timedelta(minutes=2)  # a tablet's clock a little ahead of the server's is not "the future"


def local_hm(clinic, at: datetime.datetime) -> str:
    return f"{timezone.localtime(at, clinic_zone(clinic)):%H:%M}"


def session_time_check(session, at: datetime.datetime, *, what: str) -> datetime.datetime:
    """Refuse a time in a session's record that is in the future (beyond a little clock skew) or before the
    patient checked in. Forms give times to the minute, so the check-in minute itself counts as after it."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if timezone.is_naive(at):
        raise ValueError("times must be aware datetimes")
    clinic = session.patient.clinic
    if at > timezone.now() + CLOCK_SKEW:
        raise ValidationError(
            _("The %(what)s time %(at)s is in the future: enter the time it happened.")
            % {"what": what, "at": local_hm(clinic, at)},
            code="future",
        )
    if session.checked_in_at is not None and at < session.checked_in_at.replace(second=0, microsecond=0):
        raise ValidationError(
            _("The %(what)s time %(at)s is before the patient checked in (%(checked_in)s).")
            % {"what": what, "at": local_hm(clinic, at), "checked_in": local_hm(clinic, session.checked_in_at)},
            code="before_check_in",
        )
    return at
