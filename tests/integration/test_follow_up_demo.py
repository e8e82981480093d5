"""seed_demo shows a patient a few months into follow-up with a real trajectory, built through the services."""

import pytest
from django.urls import reverse

from intake.models import Patient
from integration.models import CourseOutcome, MeasureDue
from integration.progress import progress_for
from kap_clinic.accounts.models import User
from kap_clinic.demo.clinic import seed

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_patient_months_into_follow_up(client):
    seed()
    seed()  # idempotent
    noah = Patient.objects.get(email="patient8@harbor.demo")

    assert noah.stage == Patient.Stage.FOLLOW_UP
    assert noah.course_outcome.outcome == CourseOutcome.Outcome.MAINTENANCE
    assert noah.dosing_sessions.filter(signed_at__isnull=False).count() == 6
    assert noah.integration_sessions.filter(signed_at__isnull=False).count() == 6
    assert noah.reflections.exists() and noah.self_care_goals.count() == 2
    assert not noah.safety_alerts.exists()  # item 9 stayed at 0
    phq9 = [m.total for m in noah.measures.filter(instrument="phq9").order_by("completed_at")]
    assert phq9 == [16, 8, 6]  # baseline, end of induction, 1 month: a response, then still improving
    progress = {p.rule.instrument: p for p in progress_for(noah)}
    assert len(progress["phq9"].later) == 2
    overdue = MeasureDue.objects.filter(patient=noah, time_point="month_3", completed_by__isnull=True)
    assert overdue.count() == 3

    client.force_login(User.objects.get(email="therapist@harbor.demo"))
    assert noah.legal_name in client.get(reverse("integration:measures_overdue")).content.decode()
