"""A clinic admin keeps the clinic's own details: contact, time zone, DEA registration."""

import zoneinfo

import pytest
from django.urls import reverse

from kap_clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def settings_form(clinic, **changes):
    data = {
        "name": clinic.name,
        "address": clinic.address,
        "phone": clinic.phone,
        "contact_email": clinic.contact_email,
        "time_zone": clinic.time_zone,
        "dea_number": clinic.dea_number,
    }
    return data | changes


def test_admin_saves_the_dea_number_and_it_heads_the_printed_ledger(world, client):
    client.force_login(world.admin)

    response = client.post(reverse("accounts:clinic_settings"), settings_form(world.clinic, dea_number="fh1234563"))

    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.dea_number == "FH1234563"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, clinic=world.clinic)
    assert event.detail == "dea_number" and event.actor == world.admin
    printed = client.get(reverse("dosing:ledger"), {"format": "print"}).content.decode()
    assert "FH1234563" in printed


def test_a_mistyped_dea_number_is_refused_and_the_rest_is_kept(world, client):
    client.force_login(world.admin)

    response = client.post(
        reverse("accounts:clinic_settings"), settings_form(world.clinic, dea_number="FH1234567", phone="(207) 555-0199")
    )

    assert response.status_code == 200
    assert "a valid DEA number: two letters and seven digits" in response.content.decode()
    assert 'value="(207) 555-0199"' in response.content.decode()  # what the admin typed is still there
    world.clinic.refresh_from_db()
    assert world.clinic.dea_number == ""


def test_changing_the_time_zone_changes_how_times_are_shown(world, client):
    client.force_login(world.admin)
    client.get(reverse("dashboards:admin_home"))  # caches the clinic's zone in the session

    client.post(reverse("accounts:clinic_settings"), settings_form(world.clinic, time_zone="Asia/Tokyo"))
    page = client.get(reverse("dashboards:audit_log"))

    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, clinic=world.clinic)
    tokyo = event.at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M:%S")
    assert tokyo in page.content.decode()


def test_an_unknown_time_zone_is_refused(world, client):
    client.force_login(world.admin)

    response = client.post(reverse("accounts:clinic_settings"), settings_form(world.clinic, time_zone="Mars/Olympus"))

    assert response.status_code == 200
    world.clinic.refresh_from_db()
    assert world.clinic.time_zone == "America/New_York"


def test_each_admin_edits_only_their_own_clinic(world, client):
    client.force_login(world.other_admin)

    client.post(reverse("accounts:clinic_settings"), settings_form(world.other_clinic, phone="(520) 555-0000"))

    world.clinic.refresh_from_db()
    world.other_clinic.refresh_from_db()
    assert world.other_clinic.phone == "(520) 555-0000"
    assert world.clinic.phone != "(520) 555-0000"
