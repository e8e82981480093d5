"""The live observation board: the clinic's patients in session now, with their last vitals, the next
check and open alerts; it refreshes through an htmx partial, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import SafetyAlert
from intake.services.safety import safety_alert_open
from kap_clinic.audit.models import AuditEvent
from sessions.board import board_rows, observation_summary
from sessions.models import DosingSession
from sessions.services.observation import observation_record
from tests.factories import PatientFactory

from .observation_helpers import make_session, minutes_ago, pre_dose_check

pytestmark = pytest.mark.django_db
Status = DosingSession.Status
BOARD = reverse("dosing:board")
ROWS = reverse("dosing:board_rows")


def record(session, by, minutes, **values):
    return observation_record(session=session, observed_at=minutes_ago(minutes), by=by, **values)


def test_shows_only_the_clinics_patients_in_session_now(world, login):
    observing = make_session(world, room="Chair 3")
    checked_in = make_session(world, world.patient_b, status=Status.CHECKED_IN, room="Chair 4")
    waiting = PatientFactory(clinic=world.clinic)
    make_session(world, waiting, status=Status.SCHEDULED)
    gone = PatientFactory(clinic=world.clinic)
    make_session(world, gone, status=Status.DISCHARGED)
    make_session(world, world.other_patient)

    page = login(world.nurse).get(BOARD).content.decode()

    assert world.patient_a.display_name in page and "Chair 3" in page
    assert world.patient_b.display_name in page and "Chair 4" in page
    assert waiting.display_name not in page and gone.display_name not in page
    assert world.other_patient.display_name not in page
    for session in (observing, checked_in):
        assert f"{reverse('dosing:observation_add', args=[session.code])}?next=board" in page


def test_another_clinics_sessions_never_appear(world, login):
    make_session(world)
    theirs = make_session(world, world.other_patient, room="Their chair")

    ours = login(world.prescriber).get(BOARD).content.decode()
    assert world.other_patient.display_name not in ours and str(theirs.code) not in ours

    other = login(world.other_clinician).get(BOARD).content.decode()
    assert world.other_patient.display_name in other and "Their chair" in other
    assert world.patient_a.display_name not in other

    rows = login(world.other_clinician).get(ROWS).content.decode()
    assert world.patient_a.display_name not in rows


def test_empty_board(world, login):
    page = login(world.therapist).get(BOARD).content.decode()
    assert "No one is in session now." in page


def test_last_vitals_and_news2_of_each_patient(world, login):
    session = make_session(world, dosed_minutes_ago=50)
    record(session, world.nurse, 40, systolic=165, diastolic=96, heart_rate=104, spo2=96)
    record(session, world.nurse, 10, spo2=94, moaas=4, dissociation=2)

    page = login(world.nurse).get(BOARD).content.decode()

    assert "165/96" in page and "104" in page and "94%" in page  # the latest SpO₂, not the earlier 96
    assert "50 min" in page
    assert "1 · Low" in page  # the last scored entry: SpO₂ 94 → 1, partial
    assert "partial" in page


def test_next_check_due_and_overdue(world, login):
    due = make_session(world, dosed_minutes_ago=5)
    late = make_session(world, world.patient_b, dosed_minutes_ago=20)
    rows = board_rows([world.clinic], timezone.now())
    by_session = {row.session.pk: row for row in rows}

    assert not by_session[due.pk].schedule.overdue
    assert by_session[late.pk].schedule.overdue and by_session[late.pk].schedule.minutes_overdue == 5

    page = login(world.nurse).get(BOARD).content.decode()
    assert "Overdue 5 min" in page
    assert "in 10 min" in page


def test_the_40_minute_bp_prompt(world, login):
    due = make_session(world, dosed_minutes_ago=36)
    record(due, world.nurse, 20, systolic=140, diastolic=85)  # 16 minutes after the dose
    missing = make_session(world, world.patient_b, dosed_minutes_ago=70)
    record(missing, world.nurse, 5, systolic=138, diastolic=84)  # 65 minutes after the dose
    client = login(world.nurse)

    page = client.get(BOARD).content.decode()
    assert "40-min BP due" in page and "40-min BP missing" in page

    record(due, world.nurse, 0, systolic=150, diastolic=90)  # 36 minutes after: counts
    page = client.get(BOARD).content.decode()
    assert "40-min BP due" not in page


def test_open_alerts_stay_until_a_newer_reading(world, login):
    session = make_session(world, dosed_minutes_ago=40)
    record(session, world.nurse, 20, spo2=90)
    record(session, world.nurse, 10, heart_rate=80, note="calm")
    client = login(world.nurse)

    assert "SpO₂ ≤91%" in client.get(BOARD).content.decode()  # a newer entry without SpO₂ leaves it open

    record(session, world.nurse, 1, spo2=97)
    assert "SpO₂ ≤91%" not in client.get(BOARD).content.decode()


def test_an_urgent_alert_or_open_safety_alert_marks_the_row(world, login):
    session = make_session(world)
    record(session, world.nurse, 5, moaas=2)
    make_session(world, world.patient_b)
    safety_alert_open(patient=world.patient_b, source=SafetyAlert.Source.CSSRS_HIGH, detail="pre-dose screen")

    rows = {row.patient.pk: row for row in board_rows([world.clinic], timezone.now())}
    assert rows[world.patient_a.pk].serious and rows[world.patient_a.pk].top_level == "urgent"
    assert rows[world.patient_b.pk].serious and rows[world.patient_b.pk].safety_alerts

    page = login(world.nurse).get(BOARD).content.decode()
    assert page.count('class="table-danger"') == 2
    assert "Risk screen: high risk" in page


def test_the_rows_partial_is_what_htmx_swaps_in(world, login):
    make_session(world, room="Chair 7")
    client = login(world.nurse)

    page = client.get(BOARD).content.decode()
    assert f'hx-get="{ROWS}"' in page and 'hx-trigger="every 30s"' in page
    assert "vendor/htmx/htmx.min.js" in page and 'name="htmx-config"' in page
    assert f'href="{BOARD}"' in page  # works without JavaScript: a Refresh link

    rows = client.get(ROWS, headers={"HX-Request": "true"})
    assert rows.status_code == 200
    html = rows.content.decode()
    assert html.lstrip().startswith("<tr") and "<html" not in html
    assert "Chair 7" in html and world.patient_a.display_name in html


def test_htmx_loads_only_on_the_board(world, login):
    page = login(world.nurse).get(reverse("dosing:landing")).content.decode()
    assert "htmx.min.js" not in page and "htmx-config" not in page


def test_the_record_button_is_for_those_who_run_sessions(world, login):
    make_session(world)
    assert "?next=board" not in login(world.therapist).get(BOARD).content.decode()
    assert "?next=board" in login(world.prescriber).get(BOARD).content.decode()


@pytest.mark.parametrize("persona", ["admin", "other_admin"])
def test_admins_do_not_see_the_board(world, login, persona):
    client = login(getattr(world, persona))
    assert client.get(BOARD).status_code == 403
    assert client.get(ROWS).status_code == 403


def test_patients_do_not_see_the_board(world, login):
    make_session(world)
    client = login(world.patient_a.user)
    assert client.get(BOARD).status_code == 403
    assert client.get(ROWS).status_code == 403


def test_the_nav_links_to_the_board_for_clinicians_only(world, login):
    link = f'href="{BOARD}"'
    assert link in login(world.nurse).get(reverse("home"), follow=True).content.decode()
    assert link not in login(world.admin).get(reverse("home"), follow=True).content.decode()


def test_each_view_and_refresh_is_audited_once_per_clinic(world, login):
    make_session(world)
    client = login(world.nurse)
    client.get(BOARD)
    client.get(ROWS)
    events = AuditEvent.objects.filter(actor=world.nurse, action=AuditEvent.Action.VIEW, clinic=world.clinic)
    assert sorted(events.values_list("detail", flat=True)) == ["observation board", "observation board, refreshed"]


def _grow(world, n):
    for _ in range(n):
        patient = PatientFactory(clinic=world.clinic)
        session = make_session(world, patient, dosed_minutes_ago=45)
        pre_dose_check(session, world.nurse)
        record(session, world.nurse, 30, systolic=150, diastolic=90, spo2=91)
        record(session, world.nurse, 10, heart_rate=125, moaas=3)
        safety_alert_open(patient=patient, source=SafetyAlert.Source.PHQ9_ITEM9, detail="item 9")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [BOARD, ROWS])
def test_the_board_runs_a_fixed_number_of_queries(world, login, url, django_assert_max_num_queries):
    client = login(world.nurse)
    client.get(url)  # the first request of a login also caches the clinic's time zone
    _grow(world, 2)
    two = _queries(client, url)
    _grow(world, 10)
    with django_assert_max_num_queries(two):
        response = client.get(url)
    assert response.content.decode().count("?next=board") == 12
    assert two <= 12, f"the board runs {two} queries"


def test_observation_summary(world):
    session = make_session(world, dosed_minutes_ago=60)
    pre_dose_check(session, world.nurse, systolic=128, diastolic=82)
    record(session, world.nurse, 50, systolic=150, diastolic=90, spo2=95, moaas=4)
    record(session, world.nurse, 20, systolic=172, diastolic=99, spo2=92, moaas=3, dissociation=2)
    record(session, world.nurse, 5, systolic=140, diastolic=86, spo2=97, moaas=5, dissociation=0)

    summary = observation_summary(session)

    assert summary.pre_dose_bp.value == "128/82"
    assert summary.peak_bp.value == "172/99"
    assert summary.last_bp.value == "140/86"
    assert summary.lowest_spo2.value == 92
    assert summary.deepest_sedation.value == 3
    assert summary.peak_dissociation.value == 2
    assert summary.entries == 3 and summary.serious_alerts == 1
    assert summary.peak_bp.at < summary.last_bp.at


def test_an_expired_login_sends_the_board_to_the_login_page(client):
    polled = client.get(ROWS, headers={"HX-Request": "true"})
    assert polled.status_code == 204
    assert polled["HX-Redirect"].startswith(reverse("accounts:login")) and "next=" in polled["HX-Redirect"]


def test_a_clinician_of_two_clinics_sees_both(world, login):
    from kap_clinic.accounts.models import Membership

    Membership.objects.create(user=world.nurse, clinic=world.other_clinic)
    make_session(world)
    make_session(world, world.other_patient)

    page = login(world.nurse).get(BOARD).content.decode()

    assert world.patient_a.display_name in page and world.other_patient.display_name in page
    assert world.clinic.name in page and world.other_clinic.name in page
    events = AuditEvent.objects.filter(actor=world.nurse, detail="observation board")
    assert set(events.values_list("clinic", flat=True)) == {world.clinic.pk, world.other_clinic.pk}
