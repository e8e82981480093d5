"""Completed measures: scored, coded, final; the answers that call for it open one safety alert and email the clinic."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, connection, transaction

from intake.models import MeasureResponse, SafetyAlert
from intake.services import measure_record, safety_alert_acknowledge

pytestmark = pytest.mark.django_db

CLEAN_PHQ9 = {f"q{n}": 1 for n in range(1, 9)} | {"q9": 0}


def test_phq9_is_scored_banded_and_coded(world):
    response = measure_record(patient=world.patient_a, instrument="phq9", answers=CLEAN_PHQ9, by=world.patient_a.user)

    assert (response.total, response.band, response.loinc) == (8, "Mild", "44261-6")
    assert response.version == "1" and response.context == MeasureResponse.Context.BASELINE
    assert not SafetyAlert.objects.exists()


def test_pcl5_uses_the_clinics_cutoff_and_keeps_the_index_event(world):
    world.clinic.pcl5_cutoff = 38
    world.clinic.save()
    answers = {f"q{n}": 2 for n in range(1, 19)} | {"q19": 0, "q20": 0}  # total 36

    response = measure_record(
        patient=world.patient_a, instrument="pcl5", answers=answers, by=world.patient_a.user, index_event=" The fire "
    )

    assert response.total == 36
    assert "pcl5_above_cutoff" not in response.flags
    assert response.subscores == {"B": 10, "C": 4, "D": 14, "E": 8}
    assert response.index_event == "The fire"


def test_an_incomplete_measure_is_refused_and_nothing_is_stored(world):
    with pytest.raises(ValidationError, match="answer every question"):
        measure_record(patient=world.patient_a, instrument="gad7", answers={"q1": 1}, by=world.patient_a.user)
    assert not MeasureResponse.objects.exists()


def test_a_completed_measure_cannot_be_changed_even_in_sql(world):
    response = measure_record(patient=world.patient_a, instrument="phq9", answers=CLEAN_PHQ9, by=world.patient_a.user)

    with pytest.raises((InternalError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE intake_measureresponse SET total = 0 WHERE id = %s", [response.pk])
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        MeasureResponse.objects.filter(pk=response.pk).delete()


def test_item_9_opens_one_alert_and_emails_the_clinic_without_naming_the_patient(
    world, django_capture_on_commit_callbacks
):
    answers = CLEAN_PHQ9 | {"q9": 1}
    with django_capture_on_commit_callbacks(execute=True):
        measure_record(patient=world.patient_a, instrument="phq9", answers=answers, by=world.patient_a.user)
        measure_record(patient=world.patient_a, instrument="phq9", answers=answers, by=world.patient_a.user)

    alert = SafetyAlert.objects.get()
    assert alert.source == SafetyAlert.Source.PHQ9_ITEM9 and alert.is_open
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.clinic.contact_email]
    assert str(world.patient_a.code) in message.body
    assert world.patient_a.legal_name not in message.body + message.subject


@pytest.mark.parametrize(
    ("answers", "source"),
    [
        ({"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}, SafetyAlert.Source.CSSRS_MODERATE),
        ({"q1": 0, "q2": 0, "q6": 1, "q6_recent": 1}, SafetyAlert.Source.CSSRS_HIGH),
    ],
)
def test_a_moderate_or_high_risk_screen_opens_an_alert(world, answers, source):
    measure_record(patient=world.patient_a, instrument="cssrs", answers=answers, by=world.patient_a.user)
    assert SafetyAlert.objects.get().source == source


def test_a_low_risk_screen_opens_no_alert(world):
    measure_record(
        patient=world.patient_a, instrument="cssrs", answers={"q1": 1, "q2": 0, "q6": 0}, by=world.patient_a.user
    )
    assert not SafetyAlert.objects.exists()


def test_once_acknowledged_a_new_answer_opens_a_new_alert(world):
    answers = CLEAN_PHQ9 | {"q9": 2}
    measure_record(patient=world.patient_a, instrument="phq9", answers=answers, by=world.patient_a.user)
    first = SafetyAlert.objects.get()

    with pytest.raises(ValidationError):
        safety_alert_acknowledge(alert=first, by=world.prescriber, note="  ")
    safety_alert_acknowledge(alert=first, by=world.prescriber, note="Called; safety plan reviewed.")
    measure_record(patient=world.patient_a, instrument="phq9", answers=answers, by=world.patient_a.user)

    assert SafetyAlert.objects.filter(acknowledged_at__isnull=True).count() == 1
    assert SafetyAlert.objects.count() == 2
