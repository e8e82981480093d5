"""A patient's course summary as a PDF: an HTML template rendered in the clinic's time zone, then printed by
WeasyPrint with the stylesheet static/css/pdf.css. Nothing is fetched while printing: no base URL, and a URL
fetcher that refuses every scheme, so neither a template nor text a person typed can make the server reach
out to the network or the file system.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from intake import selectors as intake_selectors
from integration.models import CourseOutcome, IntegrationSession
from integration.progress import progress_for
from sessions import clinic_time
from sessions.models import Administration, AdverseEvent, DosingSession

# WeasyPrint reports each layout step at INFO: not worth a log line per download.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STYLESHEET = "css/pdf.css"
TEMPLATE = "dashboards/course_summary_pdf.html"


def course_summary(patient) -> dict:
    """Everything the summary shows, in a fixed number of queries: the current plan, every session with its
    administrations and adverse events, measures against baseline, integration sessions and the outcome."""
    sessions = list(
        DosingSession.objects.filter(patient=patient)
        .select_related("plan")
        .prefetch_related(
            Prefetch("administrations", queryset=Administration.objects.order_by("started_at", "pk")),
            Prefetch("adverse_events", queryset=AdverseEvent.objects.order_by("onset_at", "pk")),
        )
        .order_by("scheduled_at", "pk")
    )
    dosed = [s for s in sessions if s.dosed_at is not None]
    doses = [(session, administration) for session in dosed for administration in session.administrations.all()]
    integration = IntegrationSession.objects.filter(patient=patient).aggregate(
        completed=Count("pk", filter=Q(status=IntegrationSession.Status.COMPLETED)),
        scheduled=Count("pk", filter=Q(status=IntegrationSession.Status.SCHEDULED)),
    )
    outcome = CourseOutcome.objects.filter(patient=patient).select_related("recorded_by").first()
    return {
        "patient": patient,
        "clinic": patient.clinic,
        "plan": intake_selectors.plan_current(patient),
        "sessions": sessions,
        "doses": doses,
        "dosed_count": len(dosed),
        "cancelled_count": sum(s.status == DosingSession.Status.CANCELLED for s in sessions),
        "no_show_count": sum(s.status == DosingSession.Status.NO_SHOW for s in sessions),
        "adverse_events": [(session, event) for session in dosed for event in session.adverse_events.all()],
        "first_dose": dosed[0].dosed_at if dosed else None,
        "last_dose": dosed[-1].dosed_at if dosed else None,
        "progress": progress_for(patient),
        "integration_completed": integration["completed"],
        "integration_scheduled": integration["scheduled"],
        "outcome": outcome,
        "printed_at": timezone.now(),
    }


def render_html(patient, context: dict) -> str:
    """The summary's HTML, times in the clinic's time zone (as every page shows them)."""
    with timezone.override(clinic_time.clinic_zone(patient.clinic)):
        return render_to_string(TEMPLATE, context)


def _stylesheet_path() -> str:
    return finders.find(STYLESHEET) or str(Path(settings.BASE_DIR) / "static" / STYLESHEET)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=())
    return HTML(string=html, base_url=None, url_fetcher=refuse_all).write_pdf(
        stylesheets=[CSS(filename=_stylesheet_path(), url_fetcher=refuse_all)]
    )


def filename(patient) -> str:
    name = slugify(patient.legal_name) or "patient"
    return f"course-summary_{name}_{clinic_time.clinic_today(patient.clinic).isoformat()}.pdf"


def course_summary_response(patient) -> HttpResponse:
    html = render_html(patient, course_summary(patient))
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(patient)}"'
    response["Cache-Control"] = "no-store"
    return response
