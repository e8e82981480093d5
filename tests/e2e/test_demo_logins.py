"""Each demo login reaches its own role's home page in a real browser."""

import pytest

from kap_clinic.demo.clinic import DEMO_PASSWORD, seed

pytestmark = pytest.mark.django_db(transaction=True)

HOMES = {
    "admin@harbor.demo": ("/home/admin/", "Harbor Light Ketamine Clinic"),
    "prescriber@harbor.demo": ("/home/clinician/", "Patients by stage"),
    "nurse@harbor.demo": ("/home/clinician/", "Patients by stage"),
    "therapist@harbor.demo": ("/home/clinician/", "Patients by stage"),
    "patient1@harbor.demo": ("/intake/me/", "If you are in crisis"),
}


@pytest.mark.parametrize("email", HOMES)
def test_demo_login_lands_on_its_role_home(email, log_in):
    seed()
    page = log_in(email, DEMO_PASSWORD)
    path, text = HOMES[email]
    assert page.url.endswith(path)
    assert page.get_by_text(text).first.is_visible()
    # styles come from the npm-installed Bootstrap served by Django, not a CDN
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"


def test_patient_cannot_open_the_clinician_pages(log_in):
    seed()
    page = log_in("patient1@harbor.demo", DEMO_PASSWORD)
    response = page.goto("/intake/patients/")
    assert response.status == 403
    assert page.get_by_role("link", name="Patients").count() == 0


def test_wrong_password_shows_a_clear_message(log_in):
    seed()
    page = log_in("nurse@harbor.demo", "not-the-password-at-all")
    assert page.url.endswith("/accounts/login/")
    assert page.get_by_text("don't match an active account").is_visible()
