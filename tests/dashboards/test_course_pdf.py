"""The course summary PDF: the care team and the clinic's admins download it (audited); it names the plan,
every dose, the adverse events, the measures against baseline, the integration sessions and the outcome;
nobody else gets it, the patient included (404); printing fetches nothing; a fixed number of queries."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from integration.models import CourseOutcome, IntegrationSession
from kap_clinic.audit.models import AuditEvent
from kap_clinic.dashboards import pdf

from .helpers import adverse_event, baseline, days_ago, discharged_after, give, measure, plan_for, stocked_lot

pytestmark = pytest.mark.django_db


def url(patient) -> str:
    return reverse("dashboards:course_summary_pdf", args=[patient.code])


@pytest.fixture
def printed(monkeypatch):
    """The HTML each download printed (what WeasyPrint was given), as a reader would see its text."""
    pages = []
    real = pdf.html_to_pdf

    def keep(markup):
        pages.append(html.unescape(markup))
        return real(markup)

    monkeypatch.setattr(pdf, "html_to_pdf", keep)
    return pages


def full_course(world, patient, *, sessions: int = 2):
    """An IM course: a signed plan for PTSD, `sessions` doses of 40 mg (0.5 mg/kg at 80 kg), a mild nausea in the
    first, PHQ-9 20 → 8 and PCL-5 50 → 30, two completed integration sessions and a recorded outcome."""
    plan_for(patient, world.prescriber, indication="ptsd", route="im")
    lot = stocked_lot(world)
    for n in range(sessions):
        session = discharged_after(world, patient, 110, dosed_at=days_ago(40 - n))
        give(session, lot, world.nurse, mg=40, mg_per_kg="0.5", weight_kg=80)
        if n == 0:
            adverse_event(session, world.nurse, severity="mild")
    baseline(patient, "phq9", 20, at=days_ago(45), by=world.prescriber)
    measure(patient, "phq9", 8, at=days_ago(5), by=world.prescriber)
    baseline(patient, "pcl5", 50, at=days_ago(45), by=world.prescriber)
    measure(patient, "pcl5", 30, at=days_ago(5), by=world.prescriber)
    for n in range(2):
        IntegrationSession.objects.create(
            patient=patient,
            scheduled_at=days_ago(39 - n),
            therapist=world.therapist,
            status=IntegrationSession.Status.COMPLETED,
            created_by=world.therapist,
        )
    CourseOutcome.objects.create(
        patient=patient,
        outcome=CourseOutcome.Outcome.MAINTENANCE,
        ended_on=timezone.localdate() - datetime.timedelta(days=3),
        maintenance_plan="A booster every six weeks if symptoms return.",
        summary="Well tolerated; clear improvement.",
        recorded_by=world.prescriber,
    )


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse", "admin"])
def test_care_team_and_admin_download_a_pdf(world, login, persona):
    full_course(world, world.patient_a)

    response = login(getattr(world, persona)).get(url(world.patient_a))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith('attachment; filename="course-summary_')
    assert response["Cache-Control"] == "no-store"


def test_the_summary_names_the_doses_measures_and_outcome(world, login, printed):
    full_course(world, world.patient_a)

    login(world.prescriber).get(url(world.patient_a))

    page = printed[0]
    assert world.patient_a.legal_name in page
    assert "PTSD" in page and "Racemic ketamine · Intramuscular (IM)" in page  # the plan
    assert page.count("<td>Intramuscular (IM)</td>") == 2  # one row per dose
    assert '<td class="num">40</td><td class="num">0.500</td><td class="num">80</td>' in page
    assert "2 dosing sessions" in page
    assert "Nausea or vomiting" in page and "Mild" in page
    assert "PHQ-9 went from 20 to 8: a response (a drop of at least half)." in page
    assert "PCL-5 went from 50 to 30" in page
    assert "-12 (-60.0 %)" in page  # PHQ-9 change
    assert "2 integration sessions completed" in page
    assert "Completed induction → maintenance" in page and "A booster every six weeks" in page


def test_a_course_just_begun_says_what_is_missing(world, login, printed):
    login(world.admin).get(url(world.patient_a))

    page = printed[0]
    assert "No signed treatment plan." in page
    assert "No dose given yet." in page
    assert "No adverse events recorded." in page
    assert "No baseline PHQ-9, GAD-7 or PCL-5 on record." in page
    assert "no outcome recorded yet" in page


def test_download_is_audited(world, login):
    login(world.admin).get(url(world.patient_a))

    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.actor, event.patient_code, event.clinic) == (world.admin, world.patient_a.code, world.clinic)


@pytest.mark.parametrize("persona", ["other_clinician", "other_admin", "patient_b"])
def test_anyone_outside_the_care_team_is_told_it_doesnt_exist(world, login, persona):
    user = getattr(world, persona)
    user = getattr(user, "user", user)  # a patient persona is the chart; log in as its account

    response = login(user).get(url(world.patient_a))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.DENIED).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_the_patient_gets_404_for_their_own_summary(world, login):
    """The summary is the clinic's record for the care team; patients see their progress on their home page."""
    response = login(world.patient_a.user).get(url(world.patient_a))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_an_unknown_chart_is_404(world, login):
    import uuid

    assert login(world.admin).get(reverse("dashboards:course_summary_pdf", args=[uuid.uuid4()])).status_code == 404


def test_chart_links_to_the_summary_for_staff_only(world, login):
    link = url(world.patient_a)
    assert link in login(world.nurse).get(reverse("intake:patient_chart", args=[world.patient_a.code])).content.decode()
    patient_page = login(world.patient_a.user).get(reverse("intake:patient_chart", args=[world.patient_a.code]))
    assert patient_page.status_code == 200 and link not in patient_page.content.decode()


def test_printing_fetches_nothing(monkeypatch):
    """Neither a template nor typed text can make the server fetch a URL or read a file while printing."""
    from urllib import request

    opened = []
    # WeasyPrint's fetcher opens every URL through urllib's OpenerDirector.open: record instead of opening
    monkeypatch.setattr(request.OpenerDirector, "open", lambda self, url, *args, **kwargs: opened.append(url))

    content = pdf.html_to_pdf(
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>Hi</p>'
        '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">'
    )

    assert content.startswith(b"%PDF")
    assert opened == []


def test_typed_markup_is_printed_as_text(world):
    world.patient_a.legal_name = '<img src="http://127.0.0.1:9/x.png">Ann'
    world.patient_a.save(update_fields=["legal_name"])

    markup = pdf.render_html(world.patient_a, pdf.course_summary(world.patient_a))

    assert "&lt;img src=" in markup and '<img src="http' not in markup


@pytest.mark.parametrize("sessions", [1, 8])
def test_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, sessions):
    full_course(world, world.patient_a, sessions=sessions)
    client = login(world.prescriber)
    client.get(reverse("home"))  # the first request also saves the new login's session

    with django_assert_max_num_queries(12):
        assert client.get(url(world.patient_a)).status_code == 200
