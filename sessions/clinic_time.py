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
