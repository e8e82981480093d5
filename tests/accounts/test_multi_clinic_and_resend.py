"""Staff who work at two clinics, resending invitations, and what reaches the clinic's audit log."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from kap_clinic.accounts.models import Invitation, Membership, User
from kap_clinic.audit.models import AuditEvent
from tests.factories import PASSWORD, PatientFactory, PatientUserFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_deactivating_at_one_clinic_keeps_the_other_clinic_working(world, client):
    clinician = StaffFactory(clinic=world.clinic, clinician_kind=User.ClinicianKind.NURSE)
    Membership.objects.create(user=clinician, clinic=world.other_clinic)
    client.force_login(world.admin)

    client.post(reverse("accounts:staff_toggle_active", args=[clinician.code]))

    clinician.refresh_from_db()
    assert clinician.is_active  # still works at the other clinic
    browser = Client()
    browser.force_login(clinician)
    assert browser.get(reverse("intake:patient_chart", args=[world.patient_a.code])).status_code == 404
    assert browser.get(reverse("intake:patient_chart", args=[world.other_patient.code])).status_code == 200
    listed = browser.get(reverse("intake:patient_list")).content.decode()
    assert world.other_patient.legal_name in listed and world.patient_a.legal_name not in listed


def test_the_account_closes_when_its_last_clinic_deactivates_it(world, client):
    clinician = StaffFactory(clinic=world.clinic, clinician_kind=User.ClinicianKind.NURSE)
    Membership.objects.create(user=clinician, clinic=world.other_clinic)
    for admin in (world.admin, world.other_admin):
        client.force_login(admin)
        client.post(reverse("accounts:staff_toggle_active", args=[clinician.code]))

    clinician.refresh_from_db()
    assert not clinician.is_active
    login = Client().post(reverse("accounts:login"), {"username": clinician.email, "password": PASSWORD})
    assert "deactivated" in login.content.decode()


def test_clinician_resends_a_patients_invitation_and_only_the_new_link_works(
    world, client, django_capture_on_commit_callbacks
):
    patient = PatientFactory(clinic=world.clinic, user=PatientUserFactory(password=None))
    old = Invitation.objects.create(user=patient.user, clinic=world.clinic, invited_by=world.nurse)
    client.force_login(world.nurse)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_resend_invitation", args=[patient.code]), follow=True)

    assert f"A new invitation was sent to {patient.user.email}" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [patient.user.email]
    new = Invitation.objects.filter(user=patient.user).latest("created_at")
    assert new != old
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/invitation/" in line)
    assert Client().get(link[link.index("/accounts/") :]).status_code == 200


def test_resend_is_refused_once_the_patient_has_a_password(world, client):
    client.force_login(world.nurse)

    response = client.post(reverse("intake:patient_resend_invitation", args=[world.patient_a.code]), follow=True)

    assert "has already set a password" in response.content.decode()
    assert not Invitation.objects.filter(user=world.patient_a.user).exists()
    assert len(mail.outbox) == 0


def test_resend_for_another_clinics_patient_is_404_and_sends_nothing(world, client):
    client.force_login(world.nurse)

    response = client.post(reverse("intake:patient_resend_invitation", args=[world.other_patient.code]))

    assert response.status_code == 404
    assert not Invitation.objects.exists() and len(mail.outbox) == 0


def test_patient_cannot_resend_their_own_invitation(world, client):
    client.force_login(world.patient_a.user)

    assert client.post(reverse("intake:patient_resend_invitation", args=[world.patient_a.code])).status_code == 404


def test_admin_resends_a_staff_invitation(world, client, django_capture_on_commit_callbacks):
    invited = StaffFactory(clinic=world.clinic, password=None)
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:staff_resend_invitation", args=[invited.code]), follow=True)

    assert f"A new invitation was sent to {invited.email}" in response.content.decode()
    assert mail.outbox[0].to == [invited.email]
    assert (
        client.post(reverse("accounts:staff_resend_invitation", args=[world.other_clinician.code])).status_code == 404
    )


def test_failed_logins_on_a_clinics_account_appear_in_its_audit_log(world, client):
    Client().post(reverse("accounts:login"), {"username": world.nurse.email, "password": "wrong-password-typed"})
    client.force_login(world.admin)

    page = client.get(reverse("dashboards:audit_log"), {"action": AuditEvent.Action.LOGIN_FAILED})

    assert world.nurse.email in page.content.decode()
    client.force_login(world.other_admin)
    other = client.get(reverse("dashboards:audit_log"), {"action": AuditEvent.Action.LOGIN_FAILED})
    assert world.nurse.email not in other.content.decode()


def test_a_password_reset_is_audited(world, client):
    client.post(reverse("accounts:password_reset"), {"email": world.nurse.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link[link.index("/accounts/") :]
    form_page = client.get(path, follow=True)

    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )

    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_RESET)
    assert (event.actor, event.clinic) == (world.nurse, world.clinic)
