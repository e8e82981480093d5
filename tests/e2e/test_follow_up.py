"""Follow-up in the browser: a patient writes a reflection and completes a due measure; a therapist books an
integration session after a dose and signs its note."""

import datetime
import re

import pytest
from django.utils import timezone

from intake.models import Patient
from integration.models import IntegrationSession, MeasureDue, Reflection
from kap_clinic.demo.clinic import DEMO_PASSWORD, seed
from sessions import clinic_time

from .filling import fill_form

pytestmark = pytest.mark.django_db(transaction=True)


def test_patient_reflects_and_answers_a_due_measure(browser, live_server, log_in, page):
    seed()
    noah = Patient.objects.get(email="patient8@harbor.demo")  # months into follow-up: the 3-month set is due

    log_in("patient8@harbor.demo", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journal").click()
    page.get_by_label("Journal", exact=True).check()
    page.get_by_label("Your entry").fill("A calm week. I walked every day.")
    page.get_by_role("button", name="Save the entry").click()
    assert page.get_by_text("A calm week. I walked every day.").is_visible()
    assert Reflection.objects.filter(patient=noah, body="A calm week. I walked every day.").exists()

    page.get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Fill them in now").click()
    for count in (9, 7, 20):  # PHQ-9, GAD-7, PCL-5: "a little" improvement on every item is 1
        fill_form(page, {f"q{n}": "1" if n != 9 or count != 9 else "0" for n in range(1, count + 1)})
        button = page.get_by_role("button", name=re.compile("Save and go on|Send my answers"))
        button.click()
    assert page.get_by_text("That's everything for this check-in").is_visible()
    month_3 = MeasureDue.objects.filter(patient=noah, time_point="month_3")
    assert month_3.count() == 3 and all(item.is_completed for item in month_3)
    assert noah.measures.filter(instrument="phq9").latest("completed_at").total == 8


def test_therapist_books_an_integration_session_after_a_dose_and_signs_the_note(browser, live_server, log_in, page):
    seed()
    log_in("therapist@harbor.demo", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Integration").click()
    row = page.get_by_role("row", name=re.compile("Jordan Kim")).first
    row.get_by_role("link", name="Book").click()
    # booked as it starts (a few minutes ago is allowed), so that its note may be signed today
    harbor = Patient.objects.get(email="patient6@harbor.demo").clinic
    started = timezone.localtime(timezone.now() - datetime.timedelta(minutes=3), clinic_time.clinic_zone(harbor))
    page.get_by_label("Date and time").fill(started.strftime("%Y-%m-%dT%H:%M"))
    if page.get_by_label("Book it anyway, later than the clinic's cadence").count():
        page.get_by_label("Book it anyway, later than the clinic's cadence").check()
    page.get_by_role("button", name="Book the session").click()
    if page.get_by_label("Book it anyway, later than the clinic's cadence").count():
        page.get_by_label("Book it anyway, later than the clinic's cadence").check()
        page.get_by_role("button", name="Book the session").click()

    page.get_by_role("link", name=re.compile("Write the note|Edit the note|Note")).first.click()
    fill_form(
        page,
        {
            "experience": "Saw the accident from far away, without the usual panic.",
            "safety_check": "No thoughts of death or self-harm since the last visit.",
            "after_effects": ["none"],
            "plan": "Same dose next week; integration the day after.",
        },
    )
    page.get_by_role("button", name="Save and sign…").click()
    page.get_by_role("button", name="Sign and lock the note").click()

    signed = IntegrationSession.objects.get(patient__email="patient6@harbor.demo")
    assert signed.is_signed and signed.status == IntegrationSession.Status.COMPLETED
    assert page.get_by_text("Signed").first.is_visible()
