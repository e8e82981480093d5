"""The integration worklist (the area's landing page): doses waiting for an integration session until one is
booked (overdue in red), the sessions to come, and notes to write and sign (the user's own first); only
the user's clinic; each list counted, paginated, with an empty state; a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration.services import sessions as services
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from sessions import clinic_time
from tests.factories import PatientFactory, StaffFactory

from .sessions_helpers import book, dose, held, text

pytestmark = pytest.mark.django_db
URL = reverse("integration:landing")


def test_a_dose_waits_on_the_worklist_until_a_session_is_booked(world, login):
    given = dose(world)
    client = login(world.therapist)
    booking = reverse("integration:session_schedule", args=[world.patient_a.code]) + f"?dose={given.code}"

    page = text(client.get(URL))
    assert world.patient_a.display_name in page and booking in page
    assert "Integration due by" in page

    session = book(world, after=given)
    page = text(client.get(URL))
    assert booking not in page
    assert "Every recent dose has an integration session booked." in page
    assert session.get_absolute_url() in page  # now among the upcoming

    services.integration_cancel(session=session, reason="Therapist ill", by=world.nurse)
    assert booking in text(client.get(URL))  # waiting again


def test_an_overdue_dose_is_shown_in_red(world, login):
    dose(world, days_ago=5)
    response = login(world.nurse).get(URL)
    page = text(response)
    assert "Overdue: due by" in page and "table-danger" in page
    row = response.context["due"]["page"][0]
    assert row.overdue
    assert row.due_by == clinic_time.clinic_date(world.clinic, row.dosed_at) + datetime.timedelta(days=2)


def test_a_dose_within_the_cadence_is_not_overdue(world, login):
    dose(world, minutes_ago=30)
    response = login(world.nurse).get(URL)
    assert not response.context["due"]["page"][0].overdue
    assert "Overdue" not in text(response)


def test_doses_not_discharged_or_of_an_ended_course_or_long_ago_are_left_out(world, login):
    from integration.models import CourseOutcome
    from tests.dosing.observation_helpers import make_session

    make_session(world, world.patient_a, status="observing")
    ended = dose(world, world.patient_b)
    CourseOutcome.objects.create(
        patient=world.patient_b,
        outcome="discharged",
        ended_on=timezone.localdate(),
        summary="Done",
        recorded_by=world.prescriber,
    )
    dose(world, world.patient_a, days_ago=services.WORKLIST_DOSE_DAYS + 1)

    response = login(world.nurse).get(URL)

    assert response.context["due"]["page"].paginator.count == 0
    assert ended.patient.display_name not in text(response)


def test_another_clinics_doses_and_sessions_never_show(world, login):
    theirs = dose(world, world.other_patient)
    book(world, world.other_patient, therapist=world.other_clinician, by=world.other_clinician)
    page = text(login(world.therapist).get(URL))
    assert world.other_patient.display_name not in page
    assert str(theirs.code) not in page
    # and they see their own
    assert world.other_patient.display_name in text(login(world.other_clinician).get(URL))


def test_notes_to_sign_list_the_users_own_first(world, login):
    colleague = StaffFactory(clinic=world.clinic, clinician_kind=User.ClinicianKind.THERAPIST)
    theirs = held(world, world.patient_b, therapist=colleague, hours_ago=5)
    mine = held(world, world.patient_a, hours_ago=1)

    response = login(world.therapist).get(URL)

    rows = list(response.context["notes"]["page"])
    assert [row.pk for row in rows] == [mine.pk, theirs.pk]
    assert "Notes to write and sign" in text(response)


def test_a_signed_note_leaves_the_list(world, login):
    from .sessions_helpers import complete_note

    session = held(world)
    services.integration_note_save(session=session, fields=complete_note(), by=world.therapist)
    services.integration_note_sign(session=session, by=world.therapist)
    page = text(login(world.therapist).get(URL))
    assert "No notes waiting" in page


def test_admins_see_doses_and_bookings_but_not_the_notes_list(world, login):
    dose(world)
    held(world, world.patient_b)
    response = login(world.admin).get(URL)
    assert response.status_code == 200
    assert response.context["notes"] is None and "Notes to write and sign" not in text(response)
    assert world.patient_a.display_name in text(response)


def test_patients_may_not_open_the_worklist(world, login):
    assert login(world.patient_a.user).get(URL).status_code == 403


def test_empty_states(world, login):
    page = text(login(world.therapist).get(URL))
    assert "Every recent dose has an integration session booked." in page
    assert "No integration sessions are booked." in page
    assert "No notes waiting" in page


def test_the_worklist_is_audited_per_clinic(world, login):
    login(world.therapist).get(URL)
    event = AuditEvent.objects.get(actor=world.therapist, action=AuditEvent.Action.VIEW)
    assert event.clinic_id == world.clinic.pk and event.detail.startswith("integration worklist")


def test_each_list_pages_on_its_own(world, login):
    from integration.views import PER_PAGE

    for patient in PatientFactory.create_batch(PER_PAGE + 2, clinic=world.clinic):
        dose(world, patient)
    client = login(world.nurse)

    first = client.get(URL)
    assert first.context["due"]["page"].paginator.count == PER_PAGE + 2
    assert "due_page=2" in text(first)
    second = client.get(URL + "?due_page=2&upcoming_page=1")
    assert len(second.context["due"]["page"]) == 2
    assert "upcoming_page=1" in text(second)


def grow(world, n: int) -> None:
    """`n` more patients with a dose waiting, a booked session, and a held session with an unsigned note."""
    for patient in PatientFactory.create_batch(n, clinic=world.clinic):
        dose(world, patient, days_ago=3)
        book(world, patient, at=timezone.now() + datetime.timedelta(days=2))
        held(world, patient)


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["therapist", "admin"])
def test_the_worklist_runs_a_fixed_number_of_queries(world, login, persona):
    client = login(getattr(world, persona))
    queries(client)
    grow(world, 2)
    few = queries(client)
    grow(world, 12)
    many = queries(client)
    assert many == few, f"{few} queries with few rows, {many} with many"
    assert many <= 15
