"""Logging in with an email address, logging out, deactivated accounts and resetting a forgotten password."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from kap_clinic.accounts.models import User
from tests.factories import PASSWORD, PatientUserFactory

pytestmark = pytest.mark.django_db

RESET_PATH = re.compile(r"https?://[^/\s]+(/accounts/password-reset/[^/\s]+/[^/\s]+/)")

HOMES = {
    "patient_a": "intake:patient_home",
    "prescriber": "dashboards:clinician_home",
    "therapist": "dashboards:clinician_home",
    "nurse": "dashboards:clinician_home",
    "admin": "dashboards:admin_home",
    "other_admin": "dashboards:admin_home",
}


def persona(world, name) -> User:
    value = getattr(world, name)
    return value.user if name.startswith("patient") else value


def log_in(client, email, password=PASSWORD, **kwargs):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **kwargs)


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("name", sorted(HOMES))
def test_email_login_lands_each_role_on_its_own_home(world, client, name):
    user = persona(world, name)

    response = log_in(client, user.email, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(HOMES[name])
    assert response.context["user"] == user
    assert user.full_name in response.content.decode()


def test_patient_home_is_under_intake_me(world, client):
    response = log_in(client, world.patient_a.user.email, follow=True)
    assert response.redirect_chain[-1][0] == "/intake/me/"


def test_email_login_ignores_letter_case_and_spaces(world, client):
    email = world.nurse.email
    response = log_in(client, f"  {email.upper()} ", follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:clinician_home")
    assert logged_in_user_id(client) == str(world.nurse.pk)


def test_login_follows_next_to_the_page_asked_for(world, client):
    chart = reverse("intake:patient_chart", args=[world.patient_a.code])
    asked = client.get(chart)
    assert asked.status_code == 302 and asked.url.startswith(reverse("accounts:login"))

    response = client.post(asked.url, {"username": world.prescriber.email, "password": PASSWORD, "next": chart})

    assert response.status_code == 302 and response.url == chart


def test_wrong_password_shows_a_clear_message_and_does_not_log_in(world, client, faker):
    response = log_in(client, world.prescriber.email, faker.password(length=16))

    assert response.status_code == 200
    assert "don&#x27;t match an active account" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_unknown_email_gets_the_same_message_as_a_wrong_password(world, client, faker):
    unknown = log_in(client, faker.unique.email(), PASSWORD)
    wrong = log_in(client, world.prescriber.email, faker.password(length=16))
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_deactivated_user_with_the_right_password_is_told_and_not_logged_in(world, client):
    world.nurse.is_active = False
    world.nurse.save(update_fields=["is_active"])

    response = log_in(client, world.nurse.email)

    assert response.status_code == 200
    assert "deactivated" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert client.get(reverse("dashboards:clinician_home")).status_code == 302


def test_deactivated_user_with_a_wrong_password_learns_nothing_about_the_account(world, client, faker):
    world.nurse.is_active = False
    world.nurse.save(update_fields=["is_active"])

    response = log_in(client, world.nurse.email, faker.password(length=16))

    assert "deactivated" not in response.content.decode()
    assert "don&#x27;t match an active account" in response.content.decode()


def test_deactivated_users_existing_session_stops_on_the_next_request(world, client):
    log_in(client, world.nurse.email)
    assert client.get(reverse("dashboards:clinician_home")).status_code == 200

    User.objects.filter(pk=world.nurse.pk).update(is_active=False)

    response = client.get(reverse("dashboards:clinician_home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_logout_is_a_post_and_ends_the_session(world, client):
    log_in(client, world.prescriber.email)
    session_key = client.session.session_key

    refused = client.get(reverse("accounts:logout"))
    assert refused.status_code == 405
    assert client.get(reverse("dashboards:clinician_home")).status_code == 200

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not Session.objects.filter(session_key=session_key).exists()
    after = client.get(reverse("dashboards:clinician_home"))
    assert after.status_code == 302 and after.url.startswith(reverse("accounts:login"))


def test_logged_out_session_cookie_can_not_be_replayed(world, client):
    log_in(client, world.prescriber.email)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get(reverse("dashboards:clinician_home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_login_gives_a_new_session_key(world, client):
    session = client.session
    session["probe"] = "before login"
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    log_in(client, world.prescriber.email)

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert logged_in_user_id(client) == str(world.prescriber.pk)


def request_reset(client, email, **kwargs):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **kwargs)


def test_password_reset_emails_a_known_active_address(world, client):
    email = world.patient_a.user.email

    response = request_reset(client, email.upper())

    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    assert RESET_PATH.search(mail.outbox[0].body)


@pytest.mark.parametrize("who", ["unknown", "deactivated"])
def test_password_reset_shows_the_same_page_and_sends_nothing_for_other_addresses(world, client, faker, who):
    known = request_reset(client, world.prescriber.email, follow=True)
    mail.outbox.clear()
    if who == "deactivated":
        world.nurse.is_active = False
        world.nurse.save(update_fields=["is_active"])
        email = world.nurse.email
    else:
        email = faker.unique.email()

    response = request_reset(client, email, follow=True)

    assert response.redirect_chain == known.redirect_chain
    assert response.content == known.content
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_emailed_reset_link_sets_a_new_password_once(world, client, faker):
    user = world.patient_a.user
    request_reset(client, user.email)
    link = RESET_PATH.search(mail.outbox[0].body).group(1)
    new_password = faker.password(length=16)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    saved = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert saved.status_code == 302 and saved.url == reverse("accounts:password_reset_complete")

    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not user.check_password(PASSWORD)
    assert log_in(Client(), user.email, new_password).status_code == 302
    assert log_in(Client(), user.email, PASSWORD).status_code == 200

    again = Client().get(link, follow=True)
    assert again.status_code == 200
    assert not again.context["validlink"]
    assert "expired or was already used" in again.content.decode()


def test_reset_link_refuses_a_weak_password(world, client):
    user = world.patient_a.user
    request_reset(client, user.email)
    form_page = client.get(RESET_PATH.search(mail.outbox[0].body).group(1), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "password1234", "new_password2": "password1234"}
    )

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_ends_the_users_other_sessions(world, client, faker):
    user = world.patient_a.user
    elsewhere = Client()
    log_in(elsewhere, user.email)
    assert elsewhere.get(reverse("intake:patient_home")).status_code == 200

    request_reset(client, user.email)
    form_page = client.get(RESET_PATH.search(mail.outbox[0].body).group(1), follow=True)
    new_password = faker.password(length=16)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})

    response = elsewhere.get(reverse("intake:patient_home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_invited_patient_who_never_set_a_password_can_not_log_in(client, faker):
    patient = PatientUserFactory(password=None)  # set_password(None): no usable password, as after an invite
    assert not patient.has_usable_password()
    response = log_in(client, patient.email, faker.password(length=16))
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
