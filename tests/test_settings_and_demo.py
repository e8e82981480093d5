"""The app refuses to serve without a secret key; the demo clinic loads once and every demo login works."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from intake.models import Patient
from kap_clinic.accounts.models import Clinic, Invitation, Membership, User
from kap_clinic.dashboards.views import HOMES
from kap_clinic.demo.clinic import CLINICS, DEMO_PASSWORD, seed

pytestmark = pytest.mark.django_db

# Parsed, never connected to: importing the settings must not need a database.
UNREACHABLE_POSTGRES = "postgres://nobody@127.0.0.1:1/not_a_database"


def import_settings(**env: str) -> subprocess.CompletedProcess:
    return run_python("import kap_clinic.settings", **env)


def load_wsgi_application(**env: str) -> subprocess.CompletedProcess:
    """What gunicorn and runserver do first."""
    return run_python("import kap_clinic.wsgi", **env)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": UNREACHABLE_POSTGRES, **env}
    return subprocess.run(  # noqa: S603 (our own interpreter, a fixed argument list)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serving_without_secret_key_and_debug_off_fails_naming_secret_key():
    result = load_wsgi_application()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_serving_with_debug_explicitly_off_still_needs_the_secret_key():
    result = load_wsgi_application(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_serving_starts_with_a_secret_key(faker):
    result = load_wsgi_application(SECRET_KEY=faker.pystr(min_chars=50, max_chars=60))
    assert result.returncode == 0, result.stderr


def test_without_a_secret_key_nothing_can_be_signed():
    result = run_python(
        "import django; django.setup(); from django.core import signing; signing.dumps('x')",
        DJANGO_SETTINGS_MODULE="kap_clinic.settings",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_load_with_a_secret_key(faker):
    result = import_settings(SECRET_KEY=faker.pystr(min_chars=50, max_chars=60))
    assert result.returncode == 0, result.stderr


def test_settings_refuse_a_database_other_than_postgres(faker):
    result = import_settings(SECRET_KEY=faker.pystr(min_chars=50, max_chars=60), DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Clinic, User, Membership, Patient, Invitation)}


def test_seed_demo_twice_creates_nothing_twice():
    first_output = io.StringIO()
    call_command("seed_demo", stdout=first_output)
    after_first = row_counts()
    call_command("seed_demo", stdout=io.StringIO())

    assert row_counts() == after_first
    assert after_first["Clinic"] == 2
    assert after_first["Patient"] > 0
    assert DEMO_PASSWORD in first_output.getvalue()


def test_every_demo_login_logs_in_through_the_form_and_reaches_its_home(client):
    call_command("seed_demo", stdout=io.StringIO())
    logins = seed()
    roles = {User.objects.get(email=login.email).role for login in logins}
    assert roles == {User.Role.PATIENT, User.Role.CLINICIAN, User.Role.ADMIN}

    for login in logins:
        client.post(reverse("accounts:logout"))
        user = User.objects.get(email=login.email)

        response = client.post(
            reverse("accounts:login"), {"username": login.email, "password": DEMO_PASSWORD}, follow=True
        )

        assert response.status_code == 200, login.email
        assert response.redirect_chain[-1][0] == reverse(HOMES[user.role]), login.email
        assert response.context["user"] == user, login.email


def test_demo_clinics_keep_their_patients_apart(client):
    call_command("seed_demo", stdout=io.StringIO())
    harbor, desert = (Clinic.objects.get(name=spec["name"]) for spec in CLINICS)
    prescriber = User.objects.get(email="prescriber@harbor.demo")
    client.force_login(prescriber)

    listed = {patient.clinic for patient in client.get(reverse("intake:patient_list")).context["page"]}
    desert_chart = Patient.objects.filter(clinic=desert).first()

    assert listed == {harbor}
    assert client.get(reverse("intake:patient_chart", args=[desert_chart.code])).status_code == 404
