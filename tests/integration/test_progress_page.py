"""The progress page, and the follow-up cards on the patient's home and the chart."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import MeasureResponse, Patient
from integration.models import MeasureDue

from .measures_helpers import days, dosing_session, due, measure, signed_plan, text, today

pytestmark = pytest.mark.django_db

HOME = reverse("intake:patient_home")


def progress_url(patient) -> str:
    return reverse("integration:progress", args=[patient.code])


def chart_url(patient) -> str:
    return reverse("intake:patient_chart", args=[patient.code])


def trajectory(patient, by=None):
    """Baselines at intake and two follow-ups: PHQ-9 17 → 9 → 6, GAD-7 12 → 11, PCL-5 45 → 34."""
    start = timezone.now() - datetime.timedelta(days=120)
    for instrument, total in (("phq9", 17), ("gad7", 12), ("pcl5", 45)):
        measure(patient, instrument, total, when=start, by=by)
    measure(patient, "phq9", 9, context=MeasureResponse.Context.END_OF_INDUCTION, when=start + datetime.timedelta(30))
    measure(patient, "phq9", 6, context=MeasureResponse.Context.FOLLOW_UP, when=start + datetime.timedelta(60))
    measure(patient, "gad7", 11, context=MeasureResponse.Context.FOLLOW_UP, when=start + datetime.timedelta(60))
    measure(patient, "pcl5", 34, context=MeasureResponse.Context.FOLLOW_UP, when=start + datetime.timedelta(60))


def test_the_care_team_sees_every_measure_against_baseline_with_markers(world, login):
    trajectory(world.patient_a)

    response = login(world.therapist).get(progress_url(world.patient_a))

    page = text(response)
    assert response.status_code == 200
    assert "PHQ-9 went from 17 to 6: a response (a drop of at least half)." in page
    assert "GAD-7 went from 12 to 11: no meaningful change." in page
    assert "PCL-5 went from 45 to 34: a response (a drop of at least 10 points)." in page
    assert "-47.0 %" in page and "-64.7 %" in page  # 17 → 9 and 17 → 6
    assert "End of induction" in page and "Clinically significant" in page
    assert "[S137]" in page  # the definitions, with their sources


def test_pcl5_remission_follows_the_clinics_cutoff(world, login):
    world.clinic.pcl5_cutoff = 35
    world.clinic.save(update_fields=["pcl5_cutoff"])
    trajectory(world.patient_a)

    page = text(login(world.nurse).get(progress_url(world.patient_a)))

    assert "remission (below the clinic's cutoff of 35)" in page


def test_the_patient_reads_their_own_progress_in_plain_language_and_not_anothers(world, login):
    trajectory(world.patient_a)
    client = login(world.patient_a.user)

    own = text(client.get(progress_url(world.patient_a)))
    assert "Your PHQ-9 went from 17 to 6: a response (a drop of at least half)." in own
    assert client.get(progress_url(world.patient_b)).status_code == 404
    assert login(world.other_clinician).get(progress_url(world.patient_a)).status_code == 404


def test_a_patient_with_baselines_only_is_told_what_comes_next(world, login):
    measure(world.patient_a, "phq9", 14)

    page = text(login(world.prescriber).get(progress_url(world.patient_a)))

    assert "Baseline only: no repeat measure yet." in page


def test_the_patient_home_lists_questionnaires_due_within_a_week_with_the_link(world, login):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=1, spacing=1)
    dosing_session(patient, plan, world.prescriber, number=1, day=today(patient) - days(2))

    page = text(login(patient.user).get(HOME))

    first = MeasureDue.objects.get(patient=patient, instrument="phq9", time_point="end_of_induction")
    assert "Questionnaires due" in page
    assert "PHQ-9, GAD-7, PCL-5, Risk screen" in page and "overdue" in page
    assert reverse("integration:measure_take", args=[first.code]) in page
    assert "1 month after the course" not in page  # a month away: not yet


def test_the_patient_home_says_when_nothing_is_due(world, login):
    patient = world.patient_a
    Patient.objects.filter(pk=patient.pk).update(stage=Patient.Stage.FOLLOW_UP)
    due(patient, "phq9", "month_3", due_on=today(patient) + days(30))

    page = text(login(patient.user).get(HOME))

    assert "Nothing due right now." in page


def test_the_patient_home_shows_progress_in_plain_language(world, login):
    trajectory(world.patient_a)

    page = text(login(world.patient_a.user).get(HOME))

    assert "Your progress" in page
    assert "Your PHQ-9 went from 17 to 6: a response (a drop of at least half)." in page
    assert progress_url(world.patient_a) in page


def test_the_chart_shows_the_care_team_progress_and_the_measures_due(world, login):
    patient = world.patient_a
    trajectory(patient)
    plan = signed_plan(patient, world.prescriber, sessions=2, spacing=3)
    dosing_session(patient, plan, world.prescriber, number=1, day=today(patient) - days(10))
    dosing_session(patient, plan, world.prescriber, number=2, day=today(patient) - days(7))

    page = text(login(world.nurse).get(chart_url(patient)))

    assert "Progress against baseline" in page and "Response" in page
    assert progress_url(patient) in page
    assert "Measures due" in page and "End of induction" in page and "6 months after the course" in page
    assert "overdue" in page
    admin_page = text(login(world.admin).get(chart_url(patient)))
    assert "Progress against baseline" not in admin_page and "Measures due" not in admin_page
