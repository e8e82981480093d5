"""Measure steps that signal risk open a safety alert at once and show the patient crisis resources."""

import pytest
from django.core import mail
from django.urls import reverse

from intake.models import SafetyAlert

from .test_questionnaire_helpers import cssrs, gad7, phq9, post_step, step_url

pytestmark = pytest.mark.django_db

SAFETY_NOTICE = "Your care team has been told and will contact you."
CRISIS = "Suicide &amp; Crisis Lifeline"


@pytest.fixture
def client_a(login, world):
    return login(world.patient_a.user)


def sources(patient) -> set[str]:
    return set(
        SafetyAlert.objects.filter(patient=patient, acknowledged_at__isnull=True).values_list("source", flat=True)
    )


def test_phq9_item9_opens_an_alert_and_shows_crisis_resources(client_a, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_step(client_a, "phq9", phq9(q9="1"), follow=True)

    assert sources(world.patient_a) == {"phq9_item9"}
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == step_url("gad7")
    assert SAFETY_NOTICE in page and CRISIS in page and "988" in page
    assert world.clinic.phone in page
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.clinic.contact_email]


@pytest.mark.parametrize(
    ("answers", "source"),
    [
        (cssrs(q2="1", q3="1", q4="0", q5="0"), "cssrs_moderate"),
        (cssrs(q6="1", q6_recent="0"), "cssrs_moderate"),
        (cssrs(q2="1", q3="0", q4="1", q5="0"), "cssrs_high"),
        (cssrs(q6="1", q6_recent="1"), "cssrs_high"),
    ],
)
def test_risk_screen_moderate_or_high_opens_an_alert_and_shows_crisis_resources(client_a, world, answers, source):
    response = post_step(client_a, "cssrs", answers, follow=True)

    assert sources(world.patient_a) == {source}
    page = response.content.decode()
    assert SAFETY_NOTICE in page and CRISIS in page


def test_finishing_later_after_a_risk_answer_still_shows_crisis_resources_first(client_a, world):
    response = post_step(client_a, "phq9", phq9(q9="2"), action="later", follow=True)

    assert response.redirect_chain[-1][0] == reverse("intake:patient_home")
    assert SAFETY_NOTICE in response.content.decode()


def test_returning_to_the_step_shows_crisis_resources_while_the_answer_stands(client_a, world):
    post_step(client_a, "phq9", phq9(q9="1"))
    client_a.get(step_url("gad7"))  # the one-time notice is shown there

    assert SAFETY_NOTICE in client_a.get(step_url("phq9")).content.decode()


@pytest.mark.parametrize(
    ("slug", "answers"),
    [("phq9", phq9(q1="3", q2="3")), ("gad7", gad7(q1="3")), ("cssrs", cssrs(q1="1", q2="0"))],
)
def test_clean_answers_open_no_alert_and_no_crisis_notice(client_a, world, slug, answers):
    response = post_step(client_a, slug, answers, follow=True)

    assert sources(world.patient_a) == set()
    assert SAFETY_NOTICE not in response.content.decode()


def test_saving_the_same_answer_again_keeps_one_open_alert(client_a, world):
    post_step(client_a, "phq9", phq9(q9="1"))
    post_step(client_a, "phq9", phq9(q9="3"))

    assert SafetyAlert.objects.filter(patient=world.patient_a).count() == 1


def test_an_incomplete_measure_opens_nothing(client_a, world):
    response = post_step(client_a, "phq9", {"q9": "3"})

    assert response.status_code == 200
    assert sources(world.patient_a) == set()
