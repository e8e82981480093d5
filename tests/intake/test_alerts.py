"""Safety alerts stay open until a clinician acknowledges them with a note; they show on clinicians' pages."""

import pytest
from django.urls import reverse

from intake.models import SafetyAlert
from kap_clinic.audit.models import AuditEvent

from .review_helpers import open_alert

pytestmark = pytest.mark.django_db

ALERTS = reverse("intake:alert_list")
HOME = reverse("dashboards:clinician_home")


def ack_url(alert, patient=None) -> str:
    return reverse("intake:alert_acknowledge", args=[(patient or alert.patient).code, alert.pk])


def token(client, url) -> str:
    return str(client.get(url).context["form"]["submission"].value())


def test_an_open_alert_shows_on_the_clinician_home_the_list_the_chart_and_the_nav(world, client):
    alert = open_alert(world.patient_a, SafetyAlert.Source.CSSRS_HIGH)
    client.force_login(world.therapist)

    home = client.get(HOME)
    assert home.context["alert_count"] == 1
    assert list(home.context["alerts"]) == [alert]
    home_page = home.content.decode()
    assert world.patient_a.legal_name in home_page and ack_url(alert) in home_page
    listed = client.get(ALERTS).content.decode()
    assert "Risk screen: high risk" in listed and ack_url(alert) in listed
    assert ack_url(alert) in client.get(world.patient_a.get_absolute_url()).content.decode()
    assert 'text-bg-danger">1<span class="visually-hidden"> open' in home_page  # the navigation badge


def test_empty_states(world, client):
    client.force_login(world.nurse)
    assert "No open safety alerts." in client.get(HOME).content.decode()
    assert "No intakes are waiting for review." in client.get(HOME).content.decode()
    listed = client.get(ALERTS).content.decode()
    assert "No open safety alerts." in listed and "None acknowledged yet." in listed


def test_acknowledging_needs_a_note(world, client):
    alert = open_alert(world.patient_a)
    client.force_login(world.nurse)

    response = client.post(ack_url(alert), {"submission": token(client, ack_url(alert)), "note": "   "})

    assert response.status_code == 200
    assert "Write what was done about this alert before closing it." in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open


def test_acknowledging_with_a_note_closes_the_alert_and_audits_it(world, client):
    alert = open_alert(world.patient_a)
    client.force_login(world.therapist)
    note = "Called the patient at 14:10: passive thoughts only, safety plan reviewed, crisis line given."

    response = client.post(ack_url(alert), {"submission": token(client, ack_url(alert)), "note": note})

    assert response["Location"] == world.patient_a.get_absolute_url()
    alert.refresh_from_db()
    assert not alert.is_open
    assert alert.acknowledged_by == world.therapist and alert.acknowledgement_note == note
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACKNOWLEDGE, actor=world.therapist).count() == 1
    home = client.get(HOME)
    assert home.context["alert_count"] == 0
    listed = client.get(ALERTS).content.decode()
    assert "No open safety alerts." in listed and note in listed  # under "recently acknowledged"


def test_a_double_submitted_acknowledgement_records_once(world, client):
    alert = open_alert(world.patient_a)
    client.force_login(world.prescriber)
    data = {"submission": token(client, ack_url(alert)), "note": "Seen in clinic today."}

    client.post(ack_url(alert), data)
    again = client.post(ack_url(alert), data, follow=True)

    assert "This was already recorded." in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACKNOWLEDGE).count() == 1


def test_an_acknowledged_alert_shows_who_closed_it(world, client):
    alert = open_alert(world.patient_a)
    client.force_login(world.prescriber)
    client.post(ack_url(alert), {"submission": token(client, ack_url(alert)), "note": "Reviewed."})

    response = client.get(ack_url(alert))

    assert "form" in response.context and "Acknowledged by" in response.content.decode()
    assert "Acknowledge and close" not in response.content.decode()


@pytest.mark.parametrize("persona", ["other_clinician", "other_admin", "admin", "patient_a", "patient_b"])
def test_outsiders_are_told_the_alert_does_not_exist(world, client, persona):
    alert = open_alert(world.patient_a)
    users = {"patient_a": world.patient_a.user, "patient_b": world.patient_b.user}
    client.force_login(users.get(persona) or getattr(world, persona))

    assert client.get(ack_url(alert)).status_code == 404
    assert client.post(ack_url(alert), {"note": "closing it"}).status_code == 404
    alert.refresh_from_db()
    assert alert.is_open


def test_an_alert_must_belong_to_the_patient_in_the_url(world, client):
    alert = open_alert(world.patient_b)
    client.force_login(world.prescriber)

    assert client.get(ack_url(alert, patient=world.patient_a)).status_code == 404
    assert client.post(ack_url(alert, patient=world.patient_a), {"note": "x"}).status_code == 404


def test_another_clinics_alerts_are_not_listed(world, client):
    open_alert(world.other_patient)
    client.force_login(world.prescriber)

    response = client.get(ALERTS)

    assert list(response.context["page"]) == []
    assert world.other_patient.legal_name not in response.content.decode()
    assert client.get(HOME).context["alert_count"] == 0


@pytest.mark.parametrize("persona", ["admin", "patient_a"])
def test_the_alert_list_is_for_clinicians(world, client, persona):
    client.force_login(world.patient_a.user if persona == "patient_a" else world.admin)
    assert client.get(ALERTS).status_code == 403
