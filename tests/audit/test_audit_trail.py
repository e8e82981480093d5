"""The audit trail: what is recorded, that the database refuses to change it, and the clinic's audit log page."""

import datetime
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def chart_url(patient) -> str:
    return reverse("intake:patient_chart", args=[patient.code])


def log_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_one_view_event_per_chart_view_with_who_what_and_where(world, client, faker):
    client.force_login(world.therapist)
    user_agent = faker.user_agent()

    response = client.get(chart_url(world.patient_a), HTTP_USER_AGENT=user_agent)

    event = AuditEvent.objects.get(action=Action.VIEW)
    assert event.actor == world.therapist
    assert event.actor_email == world.therapist.email
    assert event.patient_code == world.patient_a.code
    assert event.clinic == world.clinic
    assert event.object_type == "intake.Patient"
    assert event.object_id == str(world.patient_a.code)
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.ip == "127.0.0.1"
    assert event.path == chart_url(world.patient_a)
    assert event.user_agent == user_agent
    assert event.request_id == response["X-Request-ID"] and len(event.request_id) == 32
    assert timezone.now() - event.at < datetime.timedelta(minutes=1)

    client.get(chart_url(world.patient_a))
    client.get(chart_url(world.patient_a))
    events = AuditEvent.objects.filter(action=Action.VIEW, patient_code=world.patient_a.code)
    assert events.count() == 3
    assert len(set(events.values_list("request_id", flat=True))) == 3


def test_patient_viewing_their_home_is_a_view_of_their_chart(world, client):
    client.force_login(world.patient_a.user)
    client.get(reverse("intake:patient_home"))
    event = AuditEvent.objects.get(action=Action.VIEW)
    assert (event.actor, event.patient_code, event.clinic) == (
        world.patient_a.user,
        world.patient_a.code,
        world.clinic,
    )


def test_login_and_logout_are_recorded(world, client):
    log_in(client, world.nurse.email, PASSWORD)
    client.post(reverse("accounts:logout"))

    login = AuditEvent.objects.get(action=Action.LOGIN)
    logout = AuditEvent.objects.get(action=Action.LOGOUT)
    for event in (login, logout):
        assert event.actor == world.nurse
        assert event.clinic == world.clinic
        assert event.outcome == AuditEvent.Outcome.SUCCESS
        assert event.ip == "127.0.0.1"
    assert login.path == reverse("accounts:login")
    assert logout.path == reverse("accounts:logout")


def test_patient_login_is_recorded_in_their_clinic(world, client):
    log_in(client, world.patient_a.user.email, PASSWORD)
    assert AuditEvent.objects.get(action=Action.LOGIN).clinic == world.clinic


def test_failed_login_is_recorded_with_the_typed_email_never_the_password(world, client, faker):
    wrong_password = faker.password(length=16)
    unknown_email = faker.unique.email()

    log_in(client, world.nurse.email.upper(), wrong_password)
    log_in(client, unknown_email, wrong_password)

    events = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("id")
    assert [event.actor_email for event in events] == [world.nurse.email.upper(), unknown_email]
    for event in events:
        assert event.actor is None
        assert event.outcome == AuditEvent.Outcome.FAILURE
        assert event.ip == "127.0.0.1"
        assert wrong_password not in " ".join(str(value) for value in event.__dict__.values())
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_login_attempt_on_a_deactivated_account_is_recorded_as_failed(world, client):
    world.nurse.is_active = False
    world.nurse.save(update_fields=["is_active"])

    log_in(client, world.nurse.email, PASSWORD)

    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor_email == world.nurse.email
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert PASSWORD not in " ".join(str(value) for value in event.__dict__.values())
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def some_event(world) -> AuditEvent:
    return audit_record(actor=world.prescriber, action=Action.VIEW, patient=world.patient_a, obj=world.patient_a)


def snapshot(event: AuditEvent) -> dict:
    return AuditEvent.objects.filter(pk=event.pk).values().get()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET actor_email = 'someone@else.test', action = 'login' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_raw_sql_update_and_delete_of_audit_rows(world, sql):
    event = some_event(world)
    before = snapshot(event)

    with (
        pytest.raises(InternalError, match="Cannot update or delete rows"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])

    assert snapshot(event) == before


def test_database_refuses_deleting_the_whole_table(world):
    some_event(world)
    before = AuditEvent.objects.count()
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("change", ["queryset_update", "queryset_delete", "save", "delete"])
def test_orm_can_not_change_or_delete_audit_rows(world, change):
    event = some_event(world)
    before = snapshot(event)

    with pytest.raises(InternalError), transaction.atomic():
        if change == "queryset_update":
            AuditEvent.objects.filter(pk=event.pk).update(detail="edited")
        elif change == "queryset_delete":
            AuditEvent.objects.filter(pk=event.pk).delete()
        elif change == "save":
            event.actor_email = "someone@else.test"
            event.save()
        else:
            event.delete()

    assert snapshot(event) == before


# The clinic audit log page


def audit_log(client, **filters):
    return client.get(reverse("dashboards:audit_log"), filters)


def listed(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def record_at(moment: datetime.datetime, **kwargs) -> AuditEvent:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return audit_record(**kwargs)


def test_audit_log_shows_only_the_clinics_events(world, client):
    ours, theirs = Client(), Client()
    ours.force_login(world.prescriber)
    theirs.force_login(world.other_clinician)
    ours.get(chart_url(world.patient_a))
    theirs.get(chart_url(world.other_patient))
    client.force_login(world.admin)

    response = audit_log(client)

    assert response.status_code == 200
    events = listed(response)
    assert events and {event.clinic_id for event in events} == {world.clinic.pk}
    content = response.content.decode()
    assert world.patient_a.legal_name in content
    assert world.other_patient.legal_name not in content
    assert world.other_clinician.full_name not in content


def test_audit_log_filters_by_patient_user_and_action(world, client):
    for actor, patient in [
        (world.prescriber, world.patient_a),
        (world.prescriber, world.patient_b),
        (world.nurse, world.patient_a),
    ]:
        audit_record(actor=actor, action=Action.VIEW, patient=patient, obj=patient)
    audit_record(actor=world.admin, action=Action.INVITE, clinic=world.clinic, obj=world.nurse)
    client.force_login(world.admin)

    by_patient = listed(audit_log(client, patient=world.patient_a.code))
    by_user = listed(audit_log(client, actor=world.prescriber.code))
    by_action = listed(audit_log(client, action=Action.INVITE))
    combined = listed(audit_log(client, patient=world.patient_a.code, actor=world.nurse.code, action=Action.VIEW))

    assert len(by_patient) == 2 and {e.patient_code for e in by_patient} == {world.patient_a.code}
    assert len(by_user) == 2 and {e.actor for e in by_user} == {world.prescriber}
    assert [(e.action, e.actor) for e in by_action] == [(Action.INVITE, world.admin)]
    assert [(e.actor, e.patient_code) for e in combined] == [(world.nurse, world.patient_a.code)]


def test_audit_log_can_not_be_pointed_at_another_clinics_patient(world, client):
    audit_record(actor=world.other_clinician, action=Action.VIEW, patient=world.other_patient)
    client.force_login(world.admin)
    response = audit_log(client, patient=world.other_patient.code)
    assert listed(response) == []
    assert world.other_patient.legal_name not in response.content.decode()


def test_audit_log_filters_by_date_range_in_the_clinics_time_zone(world, client):
    new_york = datetime.timezone(datetime.timedelta(hours=-5))  # the factory clinic's zone in winter (EST)
    kwargs = {"actor": world.prescriber, "action": Action.VIEW, "patient": world.patient_a}
    record_at(datetime.datetime(2026, 1, 9, 23, 30, tzinfo=new_york), **kwargs)
    inside = [
        record_at(datetime.datetime(2026, 1, 10, 0, 30, tzinfo=new_york), **kwargs),
        record_at(datetime.datetime(2026, 1, 12, 23, 30, tzinfo=new_york), **kwargs),  # 04:30 UTC on the 13th
    ]
    record_at(datetime.datetime(2026, 1, 13, 0, 30, tzinfo=new_york), **kwargs)
    client.force_login(world.admin)

    response = audit_log(client, date_from="2026-01-10", date_to="2026-01-12")

    assert {event.pk for event in listed(response)} == {event.pk for event in inside}
    one_day = audit_log(client, date_from="2026-01-13", date_to="2026-01-13")
    assert len(listed(one_day)) == 1


def test_audit_log_rejects_an_end_date_before_the_start_date(world, client):
    audit_record(actor=world.prescriber, action=Action.VIEW, patient=world.patient_a)
    client.force_login(world.admin)

    response = audit_log(client, date_from="2026-03-10", date_to="2026-03-01")

    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert response.context["form"].errors["date_to"]


def test_audit_log_paginates_at_50_and_keeps_the_filters(world, client):
    for _ in range(55):
        audit_record(actor=world.prescriber, action=Action.VIEW, patient=world.patient_a)
    audit_record(actor=world.admin, action=Action.INVITE, clinic=world.clinic)
    client.force_login(world.admin)

    # by the prescriber: the admin's own views of the log are audited too
    first = audit_log(client, action=Action.VIEW, actor=world.prescriber.code)
    second = audit_log(client, action=Action.VIEW, actor=world.prescriber.code, page=2)

    assert len(listed(first)) == 50
    assert len(listed(second)) == 5
    assert "Page 1 of 2" in first.content.decode()
    assert f"?action=view&amp;actor={world.prescriber.code}&amp;page=2" in first.content.decode()
    assert {e.action for e in listed(first) + listed(second)} == {Action.VIEW}


def test_audit_log_is_newest_first(world, client):
    kwargs = {"actor": world.prescriber, "action": Action.VIEW, "patient": world.patient_a}
    older = record_at(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), **kwargs)
    newer = record_at(datetime.datetime(2026, 2, 2, 12, tzinfo=datetime.UTC), **kwargs)
    client.force_login(world.admin)
    assert [e.pk for e in listed(audit_log(client, patient=world.patient_a.code))] == [newer.pk, older.pk]


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse"])
def test_clinicians_can_not_open_the_audit_log(world, client, persona):
    client.force_login(getattr(world, persona))
    assert audit_log(client).status_code == 403


def test_other_clinics_admin_sees_their_own_log_not_ours(world, client):
    audit_record(actor=world.prescriber, action=Action.VIEW, patient=world.patient_a)
    client.force_login(world.other_admin)
    response = audit_log(client)
    assert response.context["clinic"] == world.other_clinic
    assert all(event.clinic_id == world.other_clinic.pk for event in listed(response))
    assert world.patient_a.legal_name not in response.content.decode()
