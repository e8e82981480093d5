"""The reminder job: each due questionnaire reminded once, whatever runs at once or again."""

import datetime
import threading
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from intake.models import Patient
from integration.models import MeasureDue
from integration.services import measures as services
from tests.factories import ClinicFactory, PatientFactory

from .measures_helpers import days, dosing_session, due, measure, signed_plan, today

pytestmark = pytest.mark.django_db


def active(patient):
    Patient.objects.filter(pk=patient.pk).update(stage=Patient.Stage.FOLLOW_UP)
    patient.refresh_from_db()
    return patient


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_measure_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_running_twice_sends_one_email_per_due_time_point(world):
    patient = active(world.patient_a)
    month_1 = [due(patient, i, "month_1", due_on=today(patient) - days(1)) for i in ("phq9", "gad7", "pcl5")]
    due(active(world.patient_b), "phq9", "month_3")

    assert run() == "2 reminders sent, 0 failed"
    assert run() == "0 reminders sent, 0 failed"

    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.patient_a.email, world.patient_b.email])
    assert all(item.reminded_at for item in MeasureDue.objects.filter(pk__in=[i.pk for i in month_1]))


def test_the_email_links_to_the_measure_and_says_nothing_clinical(world):
    patient = active(world.patient_a)
    first = due(patient, "phq9", "month_1")
    due(patient, "gad7", "month_1")

    run()

    [email] = mail.outbox
    assert email.to == [patient.email]
    assert "a questionnaire is due" in email.subject
    assert settings.SITE_URL + reverse("integration:measure_take", args=[first.code]) in email.body
    for clinical in ("PHQ", "GAD", "PCL", "depress", "anxiety", "month", patient.legal_name):
        assert clinical not in email.body


def test_future_completed_and_ended_courses_are_not_reminded(world):
    patient = active(world.patient_a)
    due(patient, "phq9", "month_3", due_on=today(patient) + days(1))
    done = measure(patient, "phq9", 4, context="follow_up")
    due(patient, "phq9", "month_1", completed_by=done)
    ended = world.patient_b
    Patient.objects.filter(pk=ended.pk).update(stage=Patient.Stage.DISCHARGED)
    due(ended, "phq9", "month_1", due_on=today(ended) - days(3))

    assert run() == "0 reminders sent, 0 failed"
    assert not mail.outbox
    assert not MeasureDue.objects.filter(reminded_at__isnull=False).exists()


def test_today_is_each_clinics_own_date(world, monkeypatch):
    # 13:00 UTC on 1 June is 01:00 on 2 June in Auckland (UTC+12) and 06:00 on 1 June in Los Angeles (UTC−7)
    moment = datetime.datetime(2031, 6, 1, 13, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    east = active(PatientFactory(clinic=ClinicFactory(time_zone="Pacific/Auckland")))
    west = active(PatientFactory(clinic=ClinicFactory(time_zone="America/Los_Angeles")))
    june_2 = datetime.date(2031, 6, 2)
    due(east, "phq9", "month_1", due_on=june_2)
    due(west, "phq9", "month_1", due_on=june_2)

    assert run("--no-refresh") == "1 reminder sent, 0 failed"
    assert [m.to for m in mail.outbox] == [[east.email]]


def test_a_failed_email_is_not_counted_as_sent_and_the_next_run_retries(world, monkeypatch):
    patient = active(world.patient_a)
    item = due(patient, "phq9", "month_1")

    def refuse(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(services, "send_mail", refuse)
    with pytest.raises(CommandError):
        run()
    item.refresh_from_db()
    assert item.reminded_at is None  # the claim was rolled back with the failed email

    monkeypatch.undo()
    assert run() == "1 reminder sent, 0 failed"
    assert len(mail.outbox) == 1


def test_the_job_brings_schedules_up_to_date_before_reminding(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=1, spacing=1)
    dosing_session(patient, plan, world.prescriber, number=1, day=today(patient) - days(1))

    assert run() == "1 reminder sent, 0 failed"  # end of induction: one email for its four questionnaires
    assert MeasureDue.objects.filter(patient=patient, time_point="end_of_induction").count() == 4
    assert MeasureDue.objects.filter(patient=patient, reminded_at__isnull=False).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_claim_each_reminder_once(world, monkeypatch):
    patient = active(world.patient_a)
    due(patient, "phq9", "month_1")
    due(patient, "gad7", "month_1")
    real_send = services.send_mail

    def slow_send(*args, **kwargs):
        time.sleep(0.3)  # the first run holds its claim while the other one tries
        return real_send(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", slow_send)
    barrier = threading.Barrier(2)
    results = []

    def job():
        try:
            barrier.wait(timeout=10)
            results.append(services.measure_reminders_send(refresh=False).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 1
