"""The course outcome: recorded once, by a prescriber; it moves the chart (maintenance → follow-up, a
discharge or a referral → discharged from the program); each outcome asks for what it needs; afterwards the
page shows it read-only; audited; other clinics' staff and patients are told the page doesn't exist."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from intake.models import Patient
from integration.models import CourseOutcome
from integration.services import sessions as services
from kap_clinic.audit.models import AuditEvent
from sessions import clinic_time

from .sessions_helpers import dose, fake, form_data, text

pytestmark = pytest.mark.django_db
Outcome = CourseOutcome.Outcome


def record(world, patient=None, *, by=None, **values):
    patient = patient or world.patient_a
    fields = {
        "outcome": Outcome.MAINTENANCE,
        "ended_on": clinic_time.clinic_today(world.clinic),
        "maintenance_plan": "One session every 6 weeks at 100 mg SL; review at 3 months.",
        "referred_to": "",
        "summary": fake.paragraph(),
    } | values
    return services.course_outcome_record(patient=patient, by=by or world.prescriber, **fields)


def url(patient):
    return reverse("integration:course_outcome", args=[patient.code])


@pytest.mark.parametrize(
    ("outcome", "extra", "stage"),
    [
        (Outcome.MAINTENANCE, {}, Patient.Stage.FOLLOW_UP),
        (Outcome.DISCHARGED, {"maintenance_plan": ""}, Patient.Stage.DISCHARGED),
        (
            Outcome.REFERRED,
            {"maintenance_plan": "", "referred_to": "Community mental health team"},
            Patient.Stage.DISCHARGED,
        ),
    ],
)
def test_the_outcome_moves_the_chart(world, outcome, extra, stage):
    dose(world)
    recorded = record(world, outcome=outcome, **extra)

    world.patient_a.refresh_from_db()
    assert world.patient_a.stage == stage
    assert recorded.recorded_by == world.prescriber
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="integration.CourseOutcome").exists()
    assert AuditEvent.objects.filter(detail__contains=f"→ {stage}").exists()


def test_it_is_recorded_once(world):
    dose(world)
    record(world)
    with pytest.raises(ValidationError, match="already recorded"):
        record(world, outcome=Outcome.DISCHARGED, maintenance_plan="")
    assert CourseOutcome.objects.get().outcome == Outcome.MAINTENANCE


@pytest.mark.parametrize("who", ["therapist", "nurse", "admin", "other_clinician"])
def test_only_a_prescriber_of_the_clinic_records_it(world, who):
    dose(world)
    with pytest.raises(PermissionDenied):
        record(world, by=getattr(world, who))
    assert not CourseOutcome.objects.exists()


def test_each_outcome_asks_for_what_it_needs(world):
    with pytest.raises(ValidationError) as refused:
        record(world, maintenance_plan="", summary=" ")
    errors = refused.value.message_dict
    assert "maintenance plan" in errors["maintenance_plan"][0]
    assert "Summarise" in errors["summary"][0]
    assert "no dose has been given" in errors["outcome"][0]
    with pytest.raises(ValidationError) as refused:
        record(world, outcome=Outcome.REFERRED, referred_to="")
    assert "referred to" in refused.value.message_dict["referred_to"][0]


def test_a_day_in_the_future_is_refused(world):
    dose(world)
    tomorrow = clinic_time.clinic_today(world.clinic) + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="in the future"):
        record(world, ended_on=tomorrow)


# --- the page -------------------------------------------------------------------------------------


def test_the_prescriber_records_it_on_the_page_and_then_sees_it_read_only(world, login):
    dose(world)
    client = login(world.prescriber)
    assert "Record the course outcome" in text(client.get(url(world.patient_a)))
    data = form_data(
        outcome="maintenance",
        ended_on=clinic_time.clinic_today(world.clinic).isoformat(),
        maintenance_plan="Monthly booster, review at 3 months.",
        referred_to="",
        summary="Six doses; PHQ-9 from 19 to 6.",
    )

    response = client.post(url(world.patient_a), data)

    assert response["Location"] == url(world.patient_a)
    page = text(client.get(url(world.patient_a)))
    assert "Monthly booster, review at 3 months." in page and "can't be changed" in page
    assert 'name="outcome"' not in page
    again = client.post(url(world.patient_a), data)
    assert again.status_code == 302 and CourseOutcome.objects.count() == 1
    chart = text(client.get(reverse("intake:patient_chart", args=[world.patient_a.code])))
    assert "Completed induction → maintenance" in chart and "Follow-up" in chart


def test_the_page_keeps_what_was_typed_on_an_error(world, login):
    dose(world)
    client = login(world.prescriber)
    summary = "A summary that must survive the error."
    response = client.post(
        url(world.patient_a),
        form_data(
            outcome="referred",
            ended_on=clinic_time.clinic_today(world.clinic).isoformat(),
            maintenance_plan="",
            referred_to="",
            summary=summary,
        ),
    )
    assert response.status_code == 200
    page = text(response)
    assert summary in page and "Say where the patient is referred to." in page
    assert not CourseOutcome.objects.exists()


def test_the_chart_shows_the_outcome_to_the_care_team(world, login):
    dose(world)
    record(world, outcome=Outcome.REFERRED, maintenance_plan="", referred_to="Trauma service")
    page = text(login(world.therapist).get(reverse("intake:patient_chart", args=[world.patient_a.code])))
    assert "Referred elsewhere" in page and "Trauma service" in page
    assert "Record the course outcome" not in page


@pytest.mark.parametrize("who", ["therapist", "nurse", "admin", "other_clinician", "other_admin"])
def test_everyone_but_the_prescriber_is_told_the_page_does_not_exist(world, login, who):
    assert login(getattr(world, who)).get(url(world.patient_a)).status_code == 404


def test_patients_are_told_the_page_does_not_exist(world, login):
    assert login(world.patient_a.user).get(url(world.patient_a)).status_code == 404
    assert login(world.patient_b.user).get(url(world.patient_a)).status_code == 404
