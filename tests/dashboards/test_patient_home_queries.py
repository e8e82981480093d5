"""The patient's home runs a fixed number of queries whatever the size of their course: the same maximum
for a patient with one session, measure, reflection and goal as for one with six of each, and every card
the issue asks for is there (next appointment with its preparation, measures due, progress, reflections,
crisis resources)."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from intake.models import MeasureResponse, Patient
from integration.models import IntegrationSession, Reflection, SelfCareCheckIn, SelfCareGoal
from integration.services.journal import this_week
from tests.integration.measures_helpers import days, dosing_session, measure, signed_plan, today

pytestmark = pytest.mark.django_db

fake = Faker()
HOME = reverse("intake:patient_home")
# session, user, the chart (code, then with its clinic), the audit event, questionnaire, plan; the follow-up
# schedule (savepoint, rows, plan, sessions, release); next session, next integration session; journal (2),
# self-care (1), progress (1), trends (2); consent (2)
MAX_QUERIES = 22


def course(world, patient, n: int) -> None:
    """`n` of everything the home reads: doses held (a day apart, from 2n days ago), follow-up PHQ-9,
    GAD-7 and PCL-5 responses, reflections, integration sessions held, self-care goals with a check-in;
    plus the baseline, one session and one integration session still to come."""
    plan = signed_plan(patient, world.prescriber, sessions=max(n, 1), spacing=1, stage=Patient.Stage.FOLLOW_UP)
    start = today(patient) - days(2 * n + 10)
    for instrument, total in (("phq9", 18), ("gad7", 15), ("pcl5", 50)):
        measure(patient, instrument, total, when=timezone.now() - days(2 * n + 20))
    for i in range(n):
        dose = dosing_session(patient, plan, world.nurse, number=i + 1, day=start + days(i))
        for instrument, total in (("phq9", 12 - i), ("gad7", 10 - i), ("pcl5", 40 - i)):
            measure(patient, instrument, total, context=MeasureResponse.Context.FOLLOW_UP, when=dose.scheduled_at)
        Reflection.objects.create(patient=patient, dosing_session=dose, kind="reflection", body=fake.paragraph())
        IntegrationSession.objects.create(
            patient=patient,
            dosing_session=dose,
            scheduled_at=dose.scheduled_at + days(1),
            therapist=world.therapist,
            created_by=world.nurse,
        )
        goal = SelfCareGoal.objects.create(
            patient=patient, category="movement", description=fake.sentence(), agreed_with=world.therapist
        )
        SelfCareCheckIn.objects.create(goal=goal, week_of=this_week(patient.clinic), rating=2)
    dosing_session(patient, plan, world.nurse, number=n + 1, day=today(patient) + days(3), held=False)
    IntegrationSession.objects.create(
        patient=patient,
        scheduled_at=timezone.now() + datetime.timedelta(days=4),
        therapist=world.therapist,
        created_by=world.nurse,
    )


def home(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_patient_home_runs_the_same_queries_with_a_short_and_a_long_course(
    world, login, django_assert_max_num_queries
):
    short, long = world.patient_a, world.patient_b
    course(world, short, 1)
    course(world, long, 6)
    counts = {}
    for patient in (short, long):
        client = login(patient.user)
        client.get(HOME)  # the first visit brings the follow-up schedule up to date (writes its rows once)
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            home(client)
        counts[patient] = len(captured)

    assert counts[long] == counts[short]


def test_the_home_shows_the_next_appointment_measures_progress_reflections_and_crisis_resources(world, login):
    patient = world.patient_a
    course(world, patient, 3)

    page = home(login(patient.user))

    for card in (
        "Your next session",  # the next dose, with its preparation
        "How to prepare",
        "Your next integration session",
        "Questionnaires due",
        "Your progress",
        "Your journal",  # their reflections
        "Self-care this week",
        "If you are in crisis",
    ):
        assert card in page, card
    assert "Your PHQ-9 went from 18 to 10" in page  # their progress in plain words
    assert "988" in page


def test_the_crisis_card_comes_first_on_a_small_screen(world, login):
    page = home(login(world.patient_a.user))

    crisis_column = page[: page.index('aria-labelledby="crisis-title"')].rsplit("<div", 1)[1]
    assert "order-first" in crisis_column and "order-lg-last" in crisis_column


def test_a_patient_before_treatment_sees_the_crisis_card_and_no_course_cards(world, login):
    page = home(login(world.patient_a.user))

    assert "If you are in crisis" in page and "Your intake" in page
    assert "Your next session" not in page and "Your progress" not in page
