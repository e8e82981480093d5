"""A clinic admin's staff page: the clinic's own staff only, deactivating and reactivating accounts."""

import pytest
from django.test import Client
from django.urls import reverse

from kap_clinic.accounts.models import Membership, User
from kap_clinic.accounts.services import membership_set_active
from kap_clinic.audit.models import AuditEvent
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def toggle_url(member) -> str:
    return reverse("accounts:staff_toggle_active", args=[member.code])


def staff_events():
    return AuditEvent.objects.filter(action__in=[AuditEvent.Action.DEACTIVATE, AuditEvent.Action.REACTIVATE])


def deactivate(world, member) -> None:
    membership = Membership.objects.get(user=member, clinic=world.clinic)
    membership_set_active(membership=membership, active=False, by=world.admin)


def is_active(user) -> bool:
    user.refresh_from_db(fields=["is_active"])
    return user.is_active


def test_admin_sees_only_their_clinics_staff(world, client):
    client.force_login(world.admin)

    response = client.get(reverse("accounts:staff_list"))

    content = response.content.decode()
    for member in (world.prescriber, world.therapist, world.nurse, world.admin):
        assert member.email in content
    for outsider in (world.other_clinician, world.other_admin, world.patient_a.user):
        assert outsider.email not in content
    assert {membership.user.pk for membership in response.context["page"]} == {
        world.prescriber.pk,
        world.therapist.pk,
        world.nurse.pk,
        world.admin.pk,
    }


def test_staff_list_is_paginated_at_25(world, client):
    StaffFactory.create_batch(26, clinic=world.clinic)  # 30 staff in all
    client.force_login(world.admin)

    first = client.get(reverse("accounts:staff_list"))
    second = client.get(reverse("accounts:staff_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert len(second.context["page"].object_list) == 5
    shown = {m.user.pk for m in first.context["page"]} | {m.user.pk for m in second.context["page"]}
    assert shown == set(User.objects.filter(memberships__clinic=world.clinic).values_list("pk", flat=True))


def test_staff_list_shows_each_members_status(world, client):
    deactivate(world, world.therapist)
    invited = StaffFactory(clinic=world.clinic, password=None)  # no usable password until the invite is accepted
    client.force_login(world.admin)

    page = client.get(reverse("accounts:staff_list")).content.decode()

    def row(member):
        start = page.index(member.email)
        return page[start : page.index("</tr>", start)]

    assert "Deactivated" in row(world.therapist) and "Reactivate" in row(world.therapist)
    assert "Invited" in row(invited)
    assert "Active" in row(world.nurse) and "Deactivate" in row(world.nurse)
    assert toggle_url(world.admin) not in page  # no button to deactivate yourself


def test_deactivate_asks_for_confirmation_and_changes_nothing_on_get(world, client):
    client.force_login(world.admin)

    response = client.get(toggle_url(world.nurse))

    assert response.status_code == 200
    assert f"Deactivate {world.nurse.full_name}?" in response.content.decode()
    assert is_active(world.nurse)
    assert not staff_events().exists()


def test_deactivate_on_post_with_an_audit_event(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(toggle_url(world.nurse), follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:staff_list")
    assert f"{world.nurse.full_name} was deactivated" in response.content.decode()
    assert not is_active(world.nurse)
    event = staff_events().get()
    assert event.action == AuditEvent.Action.DEACTIVATE
    assert event.actor == world.admin
    assert event.clinic == world.clinic
    assert event.object_id == str(world.nurse.code)
    refused = Client().post(reverse("accounts:login"), {"username": world.nurse.email, "password": PASSWORD})
    assert "deactivated" in refused.content.decode()


def test_deactivating_logs_the_member_out_everywhere(world, client, django_capture_on_commit_callbacks):
    nurse_browser = Client()
    nurse_browser.force_login(world.nurse)
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(toggle_url(world.nurse))

    response = nurse_browser.get(reverse("dashboards:clinician_home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:staff_list")).status_code == 200  # the admin's own session stays


def test_reactivate_lets_the_member_log_in_again(world, client, django_capture_on_commit_callbacks):
    deactivate(world, world.nurse)
    client.force_login(world.admin)

    confirm = client.get(toggle_url(world.nurse))
    assert f"Reactivate {world.nurse.full_name}?" in confirm.content.decode()
    assert not is_active(world.nurse)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(toggle_url(world.nurse), follow=True)

    assert f"{world.nurse.full_name} was reactivated" in response.content.decode()
    assert is_active(world.nurse)
    event = staff_events().filter(action=AuditEvent.Action.REACTIVATE).get()
    assert (event.actor, event.clinic) == (world.admin, world.clinic)
    nurse_browser = Client()
    login = nurse_browser.post(reverse("accounts:login"), {"username": world.nurse.email, "password": PASSWORD})
    assert login.status_code == 302


def test_admin_can_not_deactivate_themselves(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(toggle_url(world.admin), follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:staff_list")
    assert "You can&#x27;t deactivate your own account." in response.content.decode()
    assert is_active(world.admin)
    assert not staff_events().exists()
    assert client.get(reverse("accounts:staff_list")).status_code == 200


def test_admin_may_deactivate_another_admin_of_the_clinic(world, client, django_capture_on_commit_callbacks):
    second_admin = StaffFactory(clinic=world.clinic, role=User.Role.ADMIN, clinician_kind="")
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(toggle_url(second_admin))
    assert not is_active(second_admin)


@pytest.mark.parametrize("outsider", ["other_clinician", "other_admin", "patient"])
def test_another_clinics_staff_or_a_patient_is_not_found_and_unchanged(
    world, client, django_capture_on_commit_callbacks, outsider
):
    target = world.other_patient.user if outsider == "patient" else getattr(world, outsider)
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        shown = client.get(toggle_url(target))
        posted = client.post(toggle_url(target))

    assert shown.status_code == 404
    assert posted.status_code == 404
    assert is_active(target)
    assert not staff_events().exists()


def test_other_clinics_admin_can_not_deactivate_our_staff(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.other_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(toggle_url(world.nurse))
    assert response.status_code == 404
    assert is_active(world.nurse)
    assert not staff_events().exists()


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse"])
def test_clinicians_are_refused_the_staff_pages(world, client, django_capture_on_commit_callbacks, persona):
    client.force_login(getattr(world, persona))

    with django_capture_on_commit_callbacks(execute=True):
        listed = client.get(reverse("accounts:staff_list"))
        confirm = client.get(toggle_url(world.admin))
        posted = client.post(toggle_url(world.admin))

    assert (listed.status_code, confirm.status_code, posted.status_code) == (403, 403, 403)
    assert is_active(world.admin)
    assert not staff_events().exists()
    denied = AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, actor=getattr(world, persona))
    assert denied.count() == 3
