"""The course timeline on the chart (integration/timeline.py): every step newest first, each dose with its
observation summary computed from the entries, and a fixed number of queries whatever the course's length."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from intake.models import IntakeQuestionnaire, MeasureResponse, Patient, TreatmentPlan
from integration.models import IntegrationSession
from integration.timeline import course_timeline
from sessions.models import Administration, AdverseEvent, DosingSession, PreDoseCheck
from tests import course as build
from tests.dosing.session_helpers import administer, observe
from tests.factories import receive_lot

from .measures_helpers import measure, text

pytestmark = pytest.mark.django_db

fake = Faker()
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


def chart_url(patient) -> str:
    return reverse("intake:patient_chart", args=[patient.code])


def intake_to_plan(world, patient, start) -> TreatmentPlan:
    """Intake sent at `start`, the assessment signed two days later, the plan three days later (ORM: both
    are locked once signed, so they are written with their times)."""
    questionnaire = build.intake(
        patient, status=IntakeQuestionnaire.Status.REVIEWED, submitted_at=start, reviewed_at=start + DAY
    )
    assessment = build.signed_assessment(
        patient, by=world.prescriber, questionnaire=questionnaire, signed_at=start + 2 * DAY
    )
    return build.treatment_plan(
        patient,
        by=world.prescriber,
        assessment=assessment,
        signed_at=start + 3 * DAY,
        stage=Patient.Stage.DOSING,
        dose_min="0.25",
        induction_sessions=12,
        spacing_days=7,
        measure_schedule=["end_of_induction"],
    )


def pre_dose(session, by, at, *, systolic, diastolic) -> PreDoseCheck:
    """The pre-dose check 15 minutes before the dose: its vitals and risk screen (a pre-dose measure)."""
    return build.pre_dose_check(
        session,
        by=by,
        vitals_at=at - 15 * MINUTE,
        screened_at=at - 20 * MINUTE,
        vital_signs={"systolic": systolic, "diastolic": diastolic, "spo2": None, "respiratory_rate": None},
    )


def dose(world, plan, lot, *, number, at, mg=40, kg=80, observations=(), systolic=132, diastolic=84):
    """A discharged session dosed `at`: its pre-dose check (BP `systolic/diastolic`), one administration of
    `mg` at `kg`, and the observation entries given as (minutes after the dose, values)."""
    session = build.dosing_session(
        plan,
        prescriber=world.prescriber,
        monitor=world.nurse,
        status=DosingSession.Status.DISCHARGED,
        number=number,
        checked_in_at=at - 30 * MINUTE,
        dosed_at=at,
        discharged_at=at + 150 * MINUTE,
    )
    pre_dose(session, world.nurse, at, systolic=systolic, diastolic=diastolic)
    given = administer(session, world.nurse, at=at, mg=mg, lot=lot)
    Administration.objects.filter(pk=given.pk).update(
        weight_kg=Decimal(kg), mg_per_kg=(Decimal(mg) / Decimal(kg)).quantize(Decimal("0.001"))
    )
    for minutes, values in observations:
        observe(session, world.nurse, at + minutes * MINUTE, **values)
    return session


def adverse_event(world, session, at, kind="hypertension"):
    return AdverseEvent.objects.create(
        session=session,
        kind=kind,
        severity=AdverseEvent.Severity.MODERATE,
        onset_at=at,
        action_taken="Rested, BP rechecked after 15 minutes.",
        outcome=AdverseEvent.Outcome.RESOLVED,
        recorded_by=world.nurse,
    )


def integration(world, patient, at, *, after=None, signed=True, status=IntegrationSession.Status.COMPLETED):
    return IntegrationSession.objects.create(
        patient=patient,
        dosing_session=after,
        scheduled_at=at,
        therapist=world.therapist,
        status=status,
        experience=fake.paragraph(),
        signed_at=at + 50 * MINUTE if signed else None,
        signed_by=world.therapist if signed else None,
        created_by=world.nurse,
    )


HAND_MADE = [  # peak BP 162/95 at 60 min; discharge 128/80; lowest SpO₂ 93; deepest MOAA/S 2
    (20, {"systolic": 150, "diastolic": 92, "spo2": 95, "moaas": 3, "heart_rate": 88}),
    (60, {"systolic": 162, "diastolic": 95, "spo2": 93, "moaas": 2, "heart_rate": 92}),
    (90, {"spo2": 96, "moaas": 4}),
    (120, {"systolic": 128, "diastolic": 80, "spo2": 97, "moaas": 5, "heart_rate": 74}),
]


@pytest.fixture
def course(world):
    """Intake 100 days ago; baseline measures; assessment; plan; two doses (the first with hand-made
    observations, the second with an adverse event); an integration session after the first; a follow-up."""
    patient = world.patient_a
    start = timezone.now() - 100 * DAY
    measure(patient, "phq9", 17, when=start - 60 * MINUTE)
    measure(patient, "gad7", 12, when=start - 55 * MINUTE)
    plan = intake_to_plan(world, patient, start)
    lot = receive_lot(clinic=world.clinic, by=world.nurse)
    first = dose(world, plan, lot, number=1, at=start + 10 * DAY, mg=100, kg=80, observations=HAND_MADE)
    second = dose(world, plan, lot, number=2, at=start + 17 * DAY, observations=[(40, {"systolic": 140})])
    adverse_event(world, second, start + 17 * DAY + 30 * MINUTE)
    integration(world, patient, start + 11 * DAY, after=first)
    measure(patient, "phq9", 8, context=MeasureResponse.Context.FOLLOW_UP, when=start + 40 * DAY)
    # not on the timeline: a booked (undosed) session, a booked integration session, a cancelled one
    build.dosing_session(
        plan, prescriber=world.prescriber, monitor=world.nurse, number=3, scheduled_at=timezone.now() + 2 * DAY
    )
    integration(world, patient, timezone.now() + DAY, signed=False, status=IntegrationSession.Status.SCHEDULED)
    integration(world, patient, start + 12 * DAY, signed=False, status=IntegrationSession.Status.CANCELLED)
    patient.refresh_from_db()
    return patient


def test_every_step_of_the_course_newest_first(course):
    events = course_timeline(course)

    assert [(event.kind, getattr(event.record, "number", None)) for event in events] == [
        ("measures", None),
        ("adverse_event", None),
        ("dose", 2),
        ("measures", None),  # the pre-dose risk screen
        ("integration", None),
        ("dose", 1),
        ("measures", None),
        ("plan", None),
        ("assessment", None),
        ("intake", None),
        ("measures", None),
    ]
    follow_up, baseline = events[0], events[-1]
    assert [(row.name, row.measure.total) for row in baseline.measures] == [("PHQ-9", 17), ("GAD-7", 12)]
    assert [(row.name, row.measure.total) for row in follow_up.measures] == [("PHQ-9", 8)]
    assert follow_up.measures[0].markers.response and baseline.measures[0].markers is None
    assert [row.measure.band for row in events[3].measures] == ["No risk identified"]
    assert events[1].record.kind == "hypertension" and events[2].adverse_events == 1


def test_a_doses_observation_summary_comes_from_its_entries(course):
    first = next(event for event in course_timeline(course) if event.kind == "dose" and event.record.number == 1)

    summary = first.summary
    assert summary.pre_dose_bp.value == "132/84"
    assert summary.peak_bp.value == "162/95"
    assert summary.last_bp.value == "128/80"
    assert summary.lowest_spo2.value == 93
    assert summary.deepest_sedation.value == 2
    assert summary.entries == 4
    assert [(a.dose_mg, a.mg_per_kg) for a in first.administrations] == [(Decimal("100.00"), Decimal("1.250"))]


def test_the_chart_shows_the_timeline_to_the_care_team(course, world, login):
    page = text(login(world.nurse).get(chart_url(course)))

    timeline = page[page.index("Course timeline") :]
    assert "100 mg" in timeline and "1.25 mg/kg" in timeline and "Intramuscular (IM)" in timeline
    for shown in ("132/84 mmHg", "162/95 mmHg", "128/80 mmHg", "93%", "MOAA/S 2"):
        assert shown in timeline
    assert "Assessment signed: Eligible" in timeline and "Treatment plan signed" in timeline
    assert "0.5 mg/kg planned" in timeline and "Adverse event: Hypertension" in timeline
    order = ["Measures · Follow-up", "Adverse event", "Dose · session 2", "Integration session", "Dose · session 1"]
    assert [timeline.index(step) for step in order] == sorted(timeline.index(step) for step in order)
    assert timeline.index("Intake sent") < timeline.index("Measures · Baseline")


def test_no_timeline_for_an_admin_or_the_patient_and_another_clinic_gets_404(course, world, login, client):
    assert "Course timeline" not in text(login(world.admin).get(chart_url(course)))
    assert login(world.other_clinician).get(chart_url(course)).status_code == 404
    client.force_login(course.user)
    assert "Course timeline" not in text(client.get(reverse("intake:patient_home")))


def test_an_empty_chart_says_so(world, login):
    page = text(login(world.prescriber).get(chart_url(world.patient_b)))

    assert "Nothing yet: the timeline starts when the patient sends their intake." in page


def grow(world, patient, sessions: int):
    """A course with `sessions` doses, each with observations, an adverse event, an integration session and
    a follow-up measure."""
    start = timezone.now() - 200 * DAY
    measure(patient, "phq9", 20, when=start)
    measure(patient, "pcl5", 50, when=start)
    plan = intake_to_plan(world, patient, start)
    lot = receive_lot(clinic=world.clinic, by=world.nurse, containers=4)
    for n in range(1, sessions + 1):
        at = start + (7 * n) * DAY
        session = dose(world, plan, lot, number=n, at=at, observations=HAND_MADE)
        adverse_event(world, session, at + 20 * MINUTE, kind="nausea_vomiting")
        integration(world, patient, at + DAY, after=session)
        measure(patient, "phq9", 20 - n, context=MeasureResponse.Context.FOLLOW_UP, when=at + 2 * DAY)
    patient.refresh_from_db()
    return Patient.objects.select_related("clinic").get(pk=patient.pk)


def test_the_same_queries_with_two_sessions_and_with_eight(world, login):
    small, large = grow(world, world.patient_a, 2), grow(world, world.patient_b, 8)

    counts = []
    for patient in (small, large):
        with CaptureQueriesContext(connection) as queries:
            events = course_timeline(patient)
        counts.append(len(queries))
        assert sum(event.kind == "dose" for event in events) in (2, 8)
    assert counts[0] == counts[1] <= 10

    client = login(world.prescriber)
    for patient in (small, large):  # first views write once (the login's session, the follow-up schedule)
        client.get(chart_url(patient))
    pages = []
    for patient in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(chart_url(patient)).status_code == 200
        pages.append(len(queries))
    assert pages[0] == pages[1]
