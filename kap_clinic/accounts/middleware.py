import zoneinfo

from django.utils import timezone

SESSION_KEY = "clinic_time_zone"


def user_time_zone(user) -> str | None:
    """The time zone of the user's clinic (a patient's own clinic, a staff member's first)."""
    membership = user.memberships.filter(is_active=True).select_related("clinic").order_by("clinic__name").first()
    if membership:
        return membership.clinic.time_zone
    chart = getattr(user, "patient", None)
    return chart.clinic.time_zone if chart else None


class ClinicTimeZoneMiddleware:
    """Times are stored in UTC and shown in the clinic's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if name is None:
                name = user_time_zone(request.user) or "UTC"
                request.session[SESSION_KEY] = name
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)
