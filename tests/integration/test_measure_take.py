"""The patient fills in a due follow-up questionnaire from the reminder's link."""

import re

import pytest
from django.urls import reverse

from intake.models import MeasureResponse, SafetyAlert, ScreenerWording
from integration.models import MeasureDue
from kap_clinic.audit.models import AuditEvent
from tests.factories import PASSWORD

from .measures_helpers import answers, cssrs_no, due, measure, post_data, text

pytestmark = pytest.mark.django_db


def url(item) -> str:
    return reverse("integration:measure_take", args=[item.code])


def end_of_induction(patient) -> list[MeasureDue]:
    return [due(patient, i, "end_of_induction") for i in ("phq9", "gad7", "pcl5", "cssrs")]


def test_the_patient_sees_the_phq9_with_the_pfizer_notice_and_the_read_is_audited(world, login):
    item = due(world.patient_a, "phq9", "month_1")

    response = login(world.patient_a.user).get(url(item))

    page = text(response)
    assert response.status_code == 200
    assert "Little interest or pleasure in doing things" in page
    assert "educational grant from Pfizer Inc." in page
    assert AuditEvent.objects.filter(
        actor=world.patient_a.user, action=AuditEvent.Action.VIEW, object_id=str(item.code)
    ).exists()


def test_another_patients_code_is_not_found_like_a_missing_one_and_audited(world, login):
    item = due(world.patient_b, "phq9", "month_1")
    client = login(world.patient_a.user)

    other = client.get(url(item))
    missing = client.get(reverse("integration:measure_take", args=["00000000-0000-4000-8000-000000000000"]))

    assert other.status_code == missing.status_code == 404
    assert AuditEvent.objects.filter(
        actor=world.patient_a.user, action=AuditEvent.Action.DENIED, detail__contains=str(item.code)
    ).exists()
    response = client.post(url(item), post_data(answers("phq9", 3)))
    assert response.status_code == 404 and not MeasureResponse.objects.exists()


def test_the_reminder_link_brings_the_patient_back_to_the_measure_after_login(world, client):
    item = due(world.patient_a, "phq9", "month_1")

    response = client.get(url(item))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))

    login = client.post(
        response["Location"], {"username": world.patient_a.user.email, "password": PASSWORD}, follow=False
    )
    assert login.status_code == 302 and login["Location"] == url(item)


def test_sending_one_goes_on_to_the_next_of_the_time_point_and_the_last_says_done(world, login):
    patient = world.patient_a
    phq9, gad7, pcl5, cssrs = end_of_induction(patient)
    client = login(patient.user)

    first = client.post(url(phq9), post_data(answers("phq9", 7)))
    assert first.status_code == 302 and first["Location"] == url(gad7)
    assert client.post(url(gad7), post_data(answers("gad7", 5)))["Location"] == url(pcl5)
    assert client.post(url(pcl5), post_data(answers("pcl5", 20)))["Location"] == url(cssrs)
    last = client.post(url(cssrs), post_data(cssrs_no()), follow=True)

    assert "That's everything for this check-in" in text(last)
    phq9.refresh_from_db()
    assert phq9.completed_by.total == 7
    assert phq9.completed_by.context == MeasureResponse.Context.END_OF_INDUCTION
    assert set(MeasureResponse.objects.values_list("instrument", flat=True)) == {"phq9", "gad7", "pcl5", "cssrs"}
    assert not MeasureDue.objects.filter(patient=patient, completed_by__isnull=True).exists()


def test_a_completed_one_shows_already_done_with_the_score(world, login):
    item = due(world.patient_a, "gad7", "month_3")
    client = login(world.patient_a.user)
    client.post(url(item), post_data(answers("gad7", 6)))

    page = text(client.get(url(item)))

    assert "already done" in page
    assert "Your score: 6 of 21 (Mild)." in page
    item.refresh_from_db()
    assert item.completed_by.context == MeasureResponse.Context.FOLLOW_UP


def test_a_missing_answer_keeps_what_was_chosen_and_records_nothing(world, login):
    item = due(world.patient_a, "phq9", "month_1")
    values = answers("phq9", 5)
    del values["q4"]
    values["q2"] = "2"

    data = post_data(values)
    response = login(world.patient_a.user).post(url(item), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Please answer this question." in page
    assert re.search(r'name="q2" value="2"\s+id="id_q2_2" required checked', page)
    assert f'value="{data["submission"]}"' in page  # the same form, sent again, still counts once
    assert not MeasureResponse.objects.exists()
    item.refresh_from_db()
    assert not item.is_completed


def test_the_same_form_sent_twice_records_one_response(world, login):
    item = due(world.patient_a, "phq9", "month_1")
    client = login(world.patient_a.user)
    data = post_data(answers("phq9", 4))

    client.post(url(item), data)
    again = client.post(url(item), data, follow=True)

    assert MeasureResponse.objects.filter(patient=world.patient_a).count() == 1
    assert "This was already recorded." in text(again)
    assert "already done" in text(again)


def test_a_second_tab_sending_a_completed_one_records_nothing_more(world, login):
    item = due(world.patient_a, "phq9", "month_1")
    client = login(world.patient_a.user)
    client.post(url(item), post_data(answers("phq9", 4)))

    other_tab = client.post(url(item), post_data(answers("phq9", 9)), follow=True)

    assert MeasureResponse.objects.count() == 1
    assert "already done" in text(other_tab)


def test_thoughts_of_self_harm_open_an_alert_and_show_crisis_resources_at_once(world, login):
    phq9, gad7, *_rest = end_of_induction(world.patient_a)
    client = login(world.patient_a.user)

    response = client.post(url(phq9), post_data(answers("phq9", 10, item9=1)), follow=True)

    assert response.redirect_chain[-1][0] == url(gad7)
    page = text(response)
    assert "Your safety comes first" in page and "988" in page
    alert = SafetyAlert.objects.get(patient=world.patient_a)
    assert alert.source == SafetyAlert.Source.PHQ9_ITEM9 and alert.measure.context == "end_of_induction"
    assert "Your safety comes first" not in text(client.get(url(gad7)))  # shown once, at once


def test_the_pcl5_is_about_the_baseline_event_and_keeps_it(world, login):
    patient = world.patient_a
    baseline = measure(patient, "pcl5", 40)
    MeasureResponse.objects.create(  # a second baseline, the one with the event
        patient=patient,
        instrument="pcl5",
        version="8/14/2013",
        answers=answers("pcl5", 41, as_int=True),
        total=41,
        index_event="The flood in 2019",
        completed_at=baseline.completed_at,
        entered_by=patient.user,
    )
    item = due(patient, "pcl5", "month_1")
    client = login(patient.user)

    page = text(client.get(url(item)))
    client.post(url(item), post_data(answers("pcl5", 22)))

    assert "The flood in 2019" in page
    assert 'name="index_event"' not in page
    item.refresh_from_db()
    assert item.completed_by.index_event == "The flood in 2019"


def test_the_risk_screen_uses_the_clinics_licensed_wording(world, login, faker):
    wording = {key: faker.sentence() + "?" for key in ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")}
    ScreenerWording.objects.create(
        clinic=world.clinic, licence_reference="Licence 42", updated_by=world.admin, **wording
    )
    item = due(world.patient_a, "cssrs", "end_of_induction")

    page = text(login(world.patient_a.user).get(url(item)))

    assert wording["q1"] in page and wording["q6_recent"] in page
    assert "neutral wording" not in page


def test_staff_cannot_open_a_patients_measure(world, login):
    item = due(world.patient_a, "phq9", "month_1")
    assert login(world.prescriber).get(url(item)).status_code == 403
