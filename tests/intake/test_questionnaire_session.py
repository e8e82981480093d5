"""A step sent after the session expired is not lost: it waits in the session until the same patient
logs in again, and is never handed to anyone else."""

import pytest
from django.conf import settings
from django.urls import reverse

from intake.models import IntakeQuestionnaire
from intake.views.questionnaire import STASH_KEY, owner_token

from .test_questionnaire_helpers import post_step, step_url, valid_answers

pytestmark = pytest.mark.django_db


def open_step(client, patient, slug):
    """Log in, open the step (as the browser would) and return the owner token the form carries."""
    client.force_login(patient.user)
    page = client.get(step_url(slug)).content.decode()
    token = owner_token(patient)
    assert 'name="owner"' in page
    return page, token


def test_expired_session_keeps_the_answers_until_the_patient_logs_in_again(client, world):
    patient = world.patient_a
    _page, token = open_step(client, patient, "goals")
    client.logout()  # the session expires while the patient types

    response = post_step(client, "goals", {"goals": "Sleep through the night", "intentions": "Be kind", "owner": token})

    login_url = reverse(settings.LOGIN_URL)
    assert response.status_code == 302 and response["Location"].startswith(login_url)
    assert "next=" in response["Location"] and "goals" in response["Location"]
    assert "goals" not in (IntakeQuestionnaire.objects.get(patient=patient).answers or {})

    client.force_login(patient.user)  # Django keeps the anonymous session's data on login
    page = client.get(step_url("goals"), follow=True).content.decode()

    assert "We kept what you typed" in page
    assert "Sleep through the night" in page
    questionnaire = IntakeQuestionnaire.objects.get(patient=patient)
    assert questionnaire.answers["goals"]["goals"] == "Sleep through the night"
    assert "goals" in questionnaire.completed_steps
    assert STASH_KEY not in client.session
    assert "We kept what you typed" not in client.get(step_url("goals")).content.decode()


def test_a_different_patient_logging_in_does_not_get_the_stash(client, world):
    _page, token = open_step(client, world.patient_a, "goals")
    client.logout()
    post_step(client, "goals", {"goals": "Private hopes of A", "intentions": "x", "owner": token})

    client.force_login(world.patient_b.user)
    page = client.get(step_url("goals")).content.decode()

    assert "Private hopes of A" not in page
    assert "We kept what you typed" not in page
    assert STASH_KEY not in client.session
    for questionnaire in IntakeQuestionnaire.objects.all():
        assert "Private hopes of A" not in str(questionnaire.answers)


def test_a_forged_owner_token_is_not_kept(client, world):
    client.logout()
    post_step(client, "goals", {"goals": "x", "intentions": "y", "owner": str(world.patient_a.code)})

    assert STASH_KEY not in client.session


def test_the_stash_leaves_out_the_csrf_token_and_buttons(client, world):
    _page, token = open_step(client, world.patient_a, "about")
    client.logout()

    post_step(
        client, "about", {**valid_answers()["about"], "owner": token, "csrfmiddlewaretoken": "abc"}, action="later"
    )

    data = client.session[STASH_KEY]["data"]
    assert "csrfmiddlewaretoken" not in data and "action" not in data and "owner" not in data
    assert data["legal_name"]
