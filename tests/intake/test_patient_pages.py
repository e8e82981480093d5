"""The patient list, the chart and the patient's own home: each shows only what its reader may see."""

import re
import uuid
from urllib.parse import urlencode

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from intake.models import Patient
from kap_clinic.accounts.models import Membership
from kap_clinic.audit.models import AuditEvent
from tests.factories import ClinicFactory, PatientFactory, PatientUserFactory, StaffFactory

pytestmark = pytest.mark.django_db


def shown(response) -> set[int]:
    return {patient.pk for patient in response.context["page"]}


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def chart_url(patient) -> str:
    return reverse("intake:patient_chart", args=[patient.code])


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse", "admin"])
def test_patient_list_shows_only_the_users_clinics(world, client, persona):
    client.force_login(getattr(world, persona))

    response = client.get(reverse("intake:patient_list"))

    assert response.status_code == 200
    assert shown(response) == {world.patient_a.pk, world.patient_b.pk}
    content = response.content.decode()
    assert world.patient_a.legal_name in content
    assert world.other_patient.legal_name not in content


def test_clinician_at_two_clinics_lists_both_with_the_clinic_named(world, client):
    clinician = StaffFactory(clinic=world.clinic)
    Membership.objects.create(user=clinician, clinic=world.other_clinic)
    elsewhere = PatientFactory(clinic=ClinicFactory())
    client.force_login(clinician)

    response = client.get(reverse("intake:patient_list"))

    assert shown(response) == {world.patient_a.pk, world.patient_b.pk, world.other_patient.pk}
    assert world.other_clinic.name in response.content.decode()
    assert elsewhere.legal_name not in response.content.decode()


@pytest.mark.parametrize("field", ["legal_name", "preferred_name", "email"])
def test_patient_list_search_finds_by_name_or_email(world, client, faker, field):
    world.patient_a.preferred_name = faker.unique.first_name()
    world.patient_a.save(update_fields=["preferred_name"])
    value = getattr(world.patient_a, field)
    client.force_login(world.prescriber)

    response = client.get(reverse("intake:patient_list"), {"q": value.upper()})

    assert shown(response) == {world.patient_a.pk}


def test_patient_list_search_does_not_reach_another_clinic(world, client):
    client.force_login(world.prescriber)
    response = client.get(reverse("intake:patient_list"), {"q": world.other_patient.legal_name})
    assert shown(response) == set()
    assert "No patient matches that search." in response.content.decode()


def test_patient_list_filters_by_stage(world, client):
    Patient.objects.filter(pk=world.patient_b.pk).update(stage=Patient.Stage.INVITED)
    client.force_login(world.prescriber)

    invited = client.get(reverse("intake:patient_list"), {"stage": Patient.Stage.INVITED})
    intake = client.get(reverse("intake:patient_list"), {"stage": Patient.Stage.INTAKE})
    unknown = client.get(reverse("intake:patient_list"), {"stage": "no-such-stage"})

    assert shown(invited) == {world.patient_b.pk}
    assert shown(intake) == {world.patient_a.pk}
    assert shown(unknown) == {world.patient_a.pk, world.patient_b.pk}
    assert '<option value="invited" selected>' in invited.content.decode()


def test_patient_list_pagination_keeps_the_filters(world, client, faker):
    surname = faker.unique.last_name()
    named = factory.LazyFunction(lambda: f"{faker.first_name()} {surname}")
    PatientFactory.create_batch(27, clinic=world.clinic, stage=Patient.Stage.DOSING, legal_name=named)
    PatientFactory.create_batch(3, clinic=world.clinic, stage=Patient.Stage.INTAKE, legal_name=named)
    client.force_login(world.prescriber)
    filters = urlencode({"q": surname, "stage": Patient.Stage.DOSING})

    first = client.get(f"{reverse('intake:patient_list')}?{filters}")

    assert len(first.context["page"].object_list) == 25
    content = first.content.decode()
    assert "Page 1 of 2" in content
    assert f"?{escape(filters)}&amp;page=2" in content
    second = client.get(f"{reverse('intake:patient_list')}?{filters}&page=2")
    assert len(second.context["page"].object_list) == 2
    assert {p.stage for p in second.context["page"]} == {Patient.Stage.DOSING}
    assert f"?{escape(filters)}&amp;page=1" in second.content.decode()
    assert second.context["query"] == surname and second.context["stage"] == Patient.Stage.DOSING


def test_patient_list_empty_state_invites_the_first_patient(client):
    clinician = StaffFactory(clinic=ClinicFactory())
    client.force_login(clinician)

    response = client.get(reverse("intake:patient_list"))

    assert "No patients yet. Invite your first patient" in response.content.decode()


def test_patient_list_query_count_does_not_grow_with_patients(world, client):
    client.force_login(world.prescriber)
    client.get(reverse("intake:patient_list"))  # the session's time zone is settled on the first request
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("intake:patient_list"))
    PatientFactory.create_batch(20, clinic=world.clinic)

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("intake:patient_list"))

    assert len(response.context["page"].object_list) == 22
    assert len(many.captured_queries) == len(few.captured_queries) <= 10


def test_patient_chart_offers_the_patient_list_only_to_staff(world, client):
    client.force_login(world.patient_a.user)
    own_chart = client.get(chart_url(world.patient_a)).content.decode()
    client.force_login(world.nurse)
    nurse_view = client.get(chart_url(world.patient_a)).content.decode()

    patient_list_link = f'href="{reverse("intake:patient_list")}"'
    assert patient_list_link not in own_chart
    assert patient_list_link in nurse_view


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse", "admin", "patient_a"])
def test_chart_shows_demographics(world, client, faker, persona):
    patient = world.patient_a
    patient.preferred_name = faker.first_name()
    patient.phone = faker.numerify("(###) 555-####")
    patient.address = faker.street_address()
    patient.gender = faker.random_element(["Woman", "Man", "Non-binary"])
    patient.sex_at_birth = Patient.SexAtBirth.INTERSEX
    patient.emergency_contact_name = faker.name()
    patient.emergency_contact_phone = faker.numerify("(###) 555-####")
    patient.emergency_contact_relationship = "Sibling"
    patient.save()
    client.force_login(patient.user if persona == "patient_a" else getattr(world, persona))

    response = client.get(chart_url(patient))

    assert response.status_code == 200
    content = response.content.decode()
    for value in (
        patient.legal_name,
        patient.preferred_name,
        patient.date_of_birth.isoformat(),
        patient.email,
        patient.phone,
        patient.address,
        patient.gender,
        "Intersex",
        patient.emergency_contact_name,
        patient.emergency_contact_phone,
        "Sibling",
        patient.get_stage_display(),
        world.clinic.name,
    ):
        assert str(value) in content, value


def test_patient_home_shows_only_their_own_chart_and_the_crisis_resources(world, client):
    client.force_login(world.patient_a.user)

    response = client.get(reverse("intake:patient_home"))

    assert response.status_code == 200
    assert response.context["patient"] == world.patient_a
    content = response.content.decode()
    assert world.patient_a.legal_name in content
    assert world.patient_a.email in content
    for other in (world.patient_b, world.other_patient):
        assert other.legal_name not in content
        assert other.email not in content
    assert "<strong>988</strong>" in content
    assert "Suicide &amp; Crisis Lifeline" in content
    assert world.clinic.phone in content


def test_patient_without_a_chart_is_told_to_contact_the_clinic(client):
    client.force_login(PatientUserFactory())
    response = client.get(reverse("intake:patient_home"))
    assert response.status_code == 404
    assert "Contact your clinic" in response.content.decode()


@pytest.mark.parametrize("intruder", ["patient_b", "other_clinician", "other_admin"])
def test_swapping_another_patients_code_into_the_chart_url_is_not_found_and_audited(world, client, intruder):
    user = world.patient_b.user if intruder == "patient_b" else getattr(world, intruder)
    client.force_login(user)

    response = client.get(chart_url(world.patient_a))

    assert response.status_code == 404
    assert world.patient_a.legal_name not in response.content.decode()
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, actor=user)
    assert denied.outcome == AuditEvent.Outcome.FAILURE
    assert str(world.patient_a.code) in denied.detail
    assert denied.path == chart_url(world.patient_a)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, patient_code=world.patient_a.code).exists()


def test_a_code_that_belongs_to_nobody_answers_like_a_forbidden_one(world, client):
    client.force_login(world.other_clinician)
    forbidden = client.get(chart_url(world.patient_a))
    missing = client.get(reverse("intake:patient_chart", args=[uuid.uuid4()]))
    assert forbidden.status_code == missing.status_code == 404
    assert without_csrf_token(forbidden) == without_csrf_token(missing)


def test_patients_are_refused_the_patient_list(world, client):
    client.force_login(world.patient_a.user)
    response = client.get(reverse("intake:patient_list"))
    assert response.status_code == 403
    assert world.patient_b.legal_name not in response.content.decode()
