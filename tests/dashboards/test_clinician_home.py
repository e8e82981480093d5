"""The clinician home's worklists: each one's rows, count, links and empty state, in the clinics the user
works in only, what differs between a nurse, a therapist and a prescriber, and a fixed number of queries
whatever the data size."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from intake.models import Assessment, IntakeQuestionnaire, Patient, SafetyAlert
from integration.models import IntegrationSession, MeasureDue
from kap_clinic.accounts.models import User
from sessions import clinic_time, services
from sessions.models import DosingSession, SessionNote
from tests.dosing.observation_helpers import make_session
from tests.factories import PatientFactory, StaffFactory, receive_lot

pytestmark = pytest.mark.django_db

fake = Faker()
HOME = reverse("dashboards:clinician_home")
Status = DosingSession.Status


# --- helpers: the rows each worklist reads, written with the ORM (their own pages are tested elsewhere) ---


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


def patient_in(clinic, **values) -> Patient:
    return PatientFactory(clinic=clinic, **values)


def dosing_today(world, patient, *, status=Status.SCHEDULED, monitor=None) -> DosingSession:
    """A session booked for now (today in the clinic's calendar)."""
    session = make_session(world, patient, status=status)
    DosingSession.objects.filter(pk=session.pk).update(scheduled_at=timezone.now(), monitor=monitor or world.nurse)
    session.refresh_from_db()
    return session


def discharged_unsigned(world, patient, *, note_by=None, days_ago: int = 1) -> DosingSession:
    """A session discharged `days_ago` days ago whose monitoring note isn't signed (written by `note_by`)."""
    session = make_session(world, patient, status=Status.DISCHARGED)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    DosingSession.objects.filter(pk=session.pk).update(scheduled_at=when, discharged_at=when + hours(2))
    if note_by is not None:
        SessionNote.objects.create(
            session=session, kind=SessionNote.Kind.MONITORING, body=fake.sentence(), author=note_by
        )
    session.refresh_from_db()
    return session


def therapist_note(session, author, *, signed=False) -> SessionNote:
    return SessionNote.objects.create(
        session=session,
        kind=SessionNote.Kind.THERAPIST,
        body=fake.paragraph(),
        author=author,
        signed_at=timezone.now() if signed else None,
    )


def integration_session(world, patient, *, at=None, therapist=None, **values) -> IntegrationSession:
    return IntegrationSession.objects.create(
        patient=patient,
        scheduled_at=at or timezone.now(),
        therapist=therapist or world.therapist,
        created_by=world.nurse,
        **values,
    )


def held_unsigned(world, patient, *, therapist=None) -> IntegrationSession:
    """An integration session that took place yesterday and whose note isn't signed."""
    return integration_session(world, patient, at=timezone.now() - hours(26), therapist=therapist)


def submitted(patient, *, hours_ago: float = 1) -> IntakeQuestionnaire:
    return IntakeQuestionnaire.objects.create(
        patient=patient,
        status=IntakeQuestionnaire.Status.SUBMITTED,
        submitted_at=timezone.now() - hours(hours_ago),
    )


def assessment_draft(patient, by) -> Assessment:
    questionnaire = IntakeQuestionnaire.objects.filter(patient=patient).first() or submitted(patient)
    return Assessment.objects.create(
        patient=patient, questionnaire=questionnaire, evaluation=fake.paragraph(), created_by=by
    )


def open_alert(patient, source=SafetyAlert.Source.PHQ9_ITEM9) -> SafetyAlert:
    return SafetyAlert.objects.create(patient=patient, source=source, detail="PHQ-9 item 9 answered 1")


def overdue(patient, *, days_late: int = 3, instrument: str = "phq9") -> MeasureDue:
    Patient.objects.filter(pk=patient.pk).update(stage=Patient.Stage.FOLLOW_UP)
    today = clinic_time.clinic_today(patient.clinic)
    return MeasureDue.objects.create(
        patient=patient, instrument=instrument, time_point="month_1", due_on=today - datetime.timedelta(days=days_late)
    )


def waste(lot, by, mg: int = 5):
    return services.waste_record(
        lot=lot,
        quantity_mg=Decimal(mg),
        reason="Left in the vial after the dose",
        method="Drug disposal container",
        wasted_by=by,
    )


def page_of(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def card(page: str, name: str) -> str:
    """The text of one worklist card (its section is labelled by `<name>-heading`); "" when not shown."""
    found = re.search(rf'<section[^>]*aria-labelledby="{name}-heading".*?</section>', page, re.S)
    return found.group(0) if found else ""


def badge(section: str) -> str:
    """The count in a card's heading."""
    return re.search(r'<h2[^>]*>.*?<span class="badge[^"]*">(\d+)</span></h2>', section, re.S).group(1)


# --- each worklist's rows, and never another clinic's ---------------------------------------------------


def test_todays_sessions_list_dosing_and_integration_of_the_clinics_day_only(world, login):
    dose = dosing_today(world, world.patient_a)
    talk = integration_session(world, world.patient_b)
    tomorrow = integration_session(world, patient_in(world.clinic), at=timezone.now() + datetime.timedelta(days=1))
    other_dose = dosing_today(world, world.other_patient, monitor=world.other_clinician)
    other_talk = integration_session(world, patient_in(world.other_clinic), therapist=world.other_clinician)

    section = card(page_of(login(world.nurse)), "schedule")

    assert badge(section) == "2"
    assert dose.patient.display_name in section and reverse("dosing:session_detail", args=[dose.code]) in section
    assert dose.room in section
    assert f"monitor: {world.nurse.full_name}" in section and "Scheduled" in section
    assert talk.patient.display_name in section and f"with {world.therapist.full_name}" in section
    assert reverse("integration:session_detail", args=[talk.code]) in section
    assert tomorrow.patient.display_name not in section
    assert other_dose.patient.display_name not in section and other_talk.patient.display_name not in section
    assert f"{reverse('dosing:session_list')}?when=today" in section and reverse("integration:landing") in section


def test_todays_sessions_use_the_clinics_own_day(world, login):
    """A session at 23:30 clinic time yesterday is not today's, whatever the server's own date."""
    zone = clinic_time.clinic_zone(world.clinic)
    today = clinic_time.clinic_today(world.clinic)
    late_yesterday = datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time(23, 30), tzinfo=zone)
    early_today = datetime.datetime.combine(today, datetime.time(0, 30), tzinfo=zone)
    yesterday = integration_session(world, world.patient_a, at=late_yesterday)
    this_morning = integration_session(world, world.patient_b, at=early_today)

    section = card(page_of(login(world.therapist)), "schedule")

    assert this_morning.patient.display_name in section and "00:30" in section
    assert yesterday.patient.display_name not in section


def test_patients_in_observation_link_to_the_board_and_to_each_session(world, login):
    observing = make_session(world, world.patient_a, status=Status.OBSERVING)
    booked = dosing_today(world, world.patient_b)
    elsewhere = make_session(world, world.other_patient, status=Status.OBSERVING)

    section = card(page_of(login(world.prescriber)), "observing")

    assert badge(section) == "1"
    assert observing.patient.display_name in section
    assert reverse("dosing:session_detail", args=[observing.code]) in section
    assert reverse("dosing:board") in section
    assert booked.patient.display_name not in section and elsewhere.patient.display_name not in section


def test_open_safety_alerts_link_to_acknowledge_each(world, login):
    alert = open_alert(world.patient_a)
    closed = open_alert(world.patient_b)
    SafetyAlert.objects.filter(pk=closed.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=world.prescriber, acknowledgement_note="Called the patient."
    )
    elsewhere = open_alert(world.other_patient)

    section = card(page_of(login(world.therapist)), "alerts")

    assert badge(section) == "1"
    assert world.patient_a.display_name in section
    assert reverse("intake:alert_acknowledge", args=[world.patient_a.code, alert.pk]) in section
    assert world.patient_b.display_name not in section
    assert reverse("intake:alert_acknowledge", args=[world.other_patient.code, elsewhere.pk]) not in section
    assert world.other_patient.display_name not in section
    assert reverse("intake:alert_list") in section


def test_intakes_awaiting_review_oldest_first(world, login):
    newer = submitted(world.patient_a, hours_ago=1)
    older = submitted(world.patient_b, hours_ago=30)
    submitted(world.other_patient, hours_ago=50)

    response = login(world.nurse).get(HOME)
    section = card(html.unescape(response.content.decode()), "queue")

    assert list(response.context["queue"]) == [older, newer]
    assert badge(section) == "2"
    assert section.index(world.patient_b.display_name) < section.index(world.patient_a.display_name)
    assert reverse("intake:intake_review", args=[world.patient_b.code]) in section
    assert world.other_patient.display_name not in section
    assert reverse("intake:review_queue") in section


def test_overdue_measures_of_the_clinics_patients(world, login):
    overdue(world.patient_a, days_late=4)
    overdue(world.other_patient, days_late=9)

    section = card(page_of(login(world.therapist)), "overdue")

    assert badge(section) == "1"
    assert world.patient_a.display_name in section and "4 days overdue" in section
    assert world.other_patient.display_name not in section
    assert reverse("integration:measures_overdue") in section


# --- unsigned notes and assessments: who signs which ----------------------------------------------------


def test_a_prescriber_sees_monitoring_notes_integration_notes_and_every_assessment_draft(world, login):
    theirs = discharged_unsigned(world, world.patient_a, note_by=world.nurse, days_ago=3)
    mine = discharged_unsigned(world, world.patient_b, note_by=world.prescriber, days_ago=1)
    signed = discharged_unsigned(world, patient_in(world.clinic), note_by=world.nurse)
    DosingSession.objects.filter(pk=signed.pk).update(signed_at=timezone.now(), signed_by=world.nurse)
    therapist_note(theirs, world.therapist)
    talk = held_unsigned(world, patient_in(world.clinic))
    nurse_draft = assessment_draft(patient_in(world.clinic), world.nurse)
    discharged_unsigned(world, world.other_patient, note_by=world.other_clinician)
    other_draft = assessment_draft(patient_in(world.other_clinic), world.other_clinician)

    response = login(world.prescriber).get(HOME)
    unsigned = response.context["unsigned"]
    section = card(html.unescape(response.content.decode()), "unsigned")

    assert [s.pk for s in unsigned.monitoring.items] == [mine.pk, theirs.pk]  # their own first
    assert unsigned.therapist is None  # a therapist's note is the therapist's to sign
    assert [s.pk for s in unsigned.integration.items] == [talk.pk]
    assert [a.pk for a in unsigned.assessments.items] == [nurse_draft.pk]
    assert badge(section) == "4" and unsigned.count == 4
    assert f"draft by {world.nurse.full_name}" in section
    assert reverse("dosing:session_detail", args=[mine.code]) in section
    assert reverse("integration:session_detail", args=[talk.code]) in section
    assert reverse("intake:assessment_edit", args=[nurse_draft.patient.code]) in section
    assert signed.patient.display_name not in section
    assert world.other_patient.display_name not in section and other_draft.patient.display_name not in section


def test_the_monitor_is_first_for_a_note_nobody_has_written(world, login):
    someone_elses = discharged_unsigned(world, world.patient_a, days_ago=5)
    DosingSession.objects.filter(pk=someone_elses.pk).update(monitor=world.prescriber)
    monitored = discharged_unsigned(world, world.patient_b, days_ago=1)  # monitor: the world's nurse

    unsigned = login(world.nurse).get(HOME).context["unsigned"]

    assert [s.pk for s in unsigned.monitoring.items] == [monitored.pk, someone_elses.pk]
    assert [s.mine for s in unsigned.monitoring.items] == [True, False]


def test_a_therapist_sees_therapist_notes_and_their_integration_notes_first_but_no_monitoring_notes(world, login):
    colleague = StaffFactory(clinic=world.clinic, clinician_kind=User.ClinicianKind.THERAPIST)
    dose = discharged_unsigned(world, world.patient_a, note_by=world.nurse)
    other_dose = discharged_unsigned(world, world.patient_b)
    theirs_note = therapist_note(other_dose, colleague)
    my_note = therapist_note(dose, world.therapist)
    therapist_note(discharged_unsigned(world, patient_in(world.clinic)), world.therapist, signed=True)
    colleague_talk = held_unsigned(world, patient_in(world.clinic), therapist=colleague)
    my_talk = held_unsigned(world, patient_in(world.clinic))
    own_draft = assessment_draft(patient_in(world.clinic), world.therapist)
    assessment_draft(patient_in(world.clinic), world.prescriber)

    response = login(world.therapist).get(HOME)
    unsigned = response.context["unsigned"]
    section = card(html.unescape(response.content.decode()), "unsigned")

    assert unsigned.monitoring is None
    assert [n.pk for n in unsigned.therapist.items] == [my_note.pk, theirs_note.pk]
    assert [s.pk for s in unsigned.integration.items] == [my_talk.pk, colleague_talk.pk]
    assert [a.pk for a in unsigned.assessments.items] == [own_draft.pk]  # only prescribers see everyone's
    assert "Monitoring notes" not in section and "Therapists' notes" in section


def test_a_nurse_sees_monitoring_notes_and_only_their_own_assessment_drafts(world, login):
    dose = discharged_unsigned(world, world.patient_a)
    held_unsigned(world, world.patient_b)
    own = assessment_draft(patient_in(world.clinic), world.nurse)
    assessment_draft(patient_in(world.clinic), world.prescriber)

    unsigned = login(world.nurse).get(HOME).context["unsigned"]

    assert [s.pk for s in unsigned.monitoring.items] == [dose.pk]
    assert unsigned.therapist is None and unsigned.integration is None
    assert [a.pk for a in unsigned.assessments.items] == [own.pk]


# --- unwitnessed waste: for those who may see the ledger ----------------------------------------------


@pytest.mark.parametrize(("persona", "sees"), [("nurse", True), ("prescriber", True), ("therapist", False)])
def test_unwitnessed_waste_only_for_ledger_users(world, login, persona, sees):
    lot = receive_lot(clinic=world.clinic, by=world.nurse)
    pending = waste(lot, world.nurse, mg=7)
    witnessed = waste(lot, world.nurse, mg=3)
    services.waste_witness(waste_entry=witnessed, witness=world.prescriber, recorded_by=world.prescriber)
    other_lot = receive_lot(clinic=world.other_clinic, by=world.other_clinician)
    elsewhere = waste(other_lot, world.other_clinician, mg=11)

    page = page_of(login(getattr(world, persona)))
    section = card(page, "waste")

    assert bool(section) is sees
    assert (reverse("dosing:ledger_waste_witness", args=[pending.code]) in page) is sees
    assert reverse("dosing:ledger_waste_witness", args=[witnessed.code]) not in page
    assert reverse("dosing:ledger_waste_witness", args=[elsewhere.code]) not in page
    if sees:
        assert badge(section) == "1" and "7 mg" in section and reverse("dosing:ledger") in section


# --- counts, "see all" and empty states ---------------------------------------------------------------


def test_each_list_shows_its_first_five_and_counts_them_all(world, login):
    patients = PatientFactory.create_batch(7, clinic=world.clinic)
    for n, patient in enumerate(patients):
        open_alert(patient)
        submitted(patient, hours_ago=n + 1)

    response = login(world.prescriber).get(HOME)
    page = html.unescape(response.content.decode())

    assert response.context["alert_count"] == 7 and len(response.context["alerts"]) == 5
    assert response.context["queue_count"] == 7 and len(response.context["queue"]) == 5
    assert badge(card(page, "alerts")) == "7" and "(7 in all)" in card(page, "alerts")
    assert badge(card(page, "queue")) == "7" and "(7 in all)" in card(page, "queue")
    assert 'text-bg-danger">7<span class="visually-hidden"> open' in page  # the navigation badge agrees


@pytest.mark.parametrize("persona", ["prescriber", "nurse", "therapist"])
def test_empty_worklists_say_so(world, login, persona):
    page = page_of(login(getattr(world, persona)))

    for message in (
        "No open safety alerts.",
        "No intakes are waiting for review.",
        "No dosing sessions today.",
        "No integration sessions today.",
        "Nobody is being dosed or observed right now.",
        "Nothing is waiting for a signature.",
        "No follow-up measures are overdue.",
    ):
        assert message in page, message
    assert ("Every waste has been witnessed." in page) is (persona != "therapist")
    for name in ("alerts", "queue", "schedule", "observing", "unsigned", "overdue"):
        assert badge(card(page, name)) == "0", name


def test_a_clinician_of_two_clinics_sees_both_with_the_clinic_named(world, login):
    world.prescriber.memberships.create(clinic=world.other_clinic)
    open_alert(world.patient_a)
    open_alert(world.other_patient)

    section = card(page_of(login(world.prescriber)), "alerts")

    assert world.patient_a.display_name in section and world.other_patient.display_name in section
    assert world.clinic.name in section and world.other_clinic.name in section


# --- a fixed number of queries ------------------------------------------------------------------------

MAX_QUERIES = 14  # session, user, clinics with their stage counts, one per worklist, the audit event


def fill_every_worklist(world, n: int) -> None:
    """`n` more rows in every worklist of the world's clinic (and one in the other clinic's)."""
    lot = receive_lot(clinic=world.clinic, by=world.nurse, containers=4)
    for _ in range(n):
        a, b, c = PatientFactory.create_batch(3, clinic=world.clinic)
        dosing_today(world, a)
        make_session(world, a, status=Status.OBSERVING)
        therapist_note(discharged_unsigned(world, a, note_by=world.nurse), world.therapist)
        integration_session(world, a)
        held_unsigned(world, a)
        open_alert(b)
        assessment_draft(b, world.prescriber)
        overdue(c)
        waste(lot, world.nurse, mg=1)
    other = patient_in(world.other_clinic)
    open_alert(other)
    dosing_today(world, other)


@pytest.mark.parametrize("persona", ["prescriber", "nurse", "therapist"])
def test_the_home_runs_the_same_queries_with_few_and_many_rows(world, login, persona, django_assert_max_num_queries):
    client = login(getattr(world, persona))
    client.get(HOME)  # the first request of a session also caches the clinic's time zone
    fill_every_worklist(world, 1)
    with django_assert_max_num_queries(MAX_QUERIES) as few:
        few_page = page_of(client)
    fill_every_worklist(world, 8)

    with django_assert_max_num_queries(MAX_QUERIES) as many:
        many_page = page_of(client)

    assert len(many) == len(few)
    assert "(9 in all)" in card(many_page, "alerts") and "(9 in all)" not in card(few_page, "alerts")
