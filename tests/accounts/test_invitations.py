"""Inviting patients and staff: the emailed link, setting a password with it once, and every way it can fail."""

import datetime
import re
import time
import uuid
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from intake.models import Patient
from kap_clinic.accounts.models import Invitation, User
from kap_clinic.accounts.services import invitation_create
from kap_clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

INVITATION_PATH = re.compile(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)")


def link_path(message) -> str:
    """The path of the invitation link in an email, as a patient would click it."""
    match = INVITATION_PATH.search(message.body)
    assert match, f"no invitation link in:\n{message.body}"
    return match.group(1)


def invite_form(clinic, faker, **overrides) -> dict:
    data = {
        "clinic": clinic.pk,
        "legal_name": faker.name(),
        "preferred_name": faker.first_name(),
        "email": faker.unique.email(),
        "date_of_birth": faker.date_of_birth(minimum_age=25, maximum_age=70).isoformat(),
        "phone": faker.numerify("(###) 555-####"),
        "submission": str(uuid.uuid4()),  # the token a freshly shown form carries
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Patient.objects.count(), Invitation.objects.count()


@pytest.fixture
def invited(world, faker, client, django_capture_on_commit_callbacks):
    """A patient invited through the page by the prescriber; returns (patient, link path)."""
    client.force_login(world.prescriber)
    data = invite_form(world.clinic, faker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_invite"), data)
    assert response.status_code == 302
    client.logout()
    patient = Patient.objects.get(email=data["email"])
    return patient, link_path(mail.outbox[-1])


def strong_password(faker) -> str:
    return faker.password(length=16)


def test_clinician_invites_patient_chart_account_invitation_and_one_email(
    world, client, faker, django_capture_on_commit_callbacks
):
    client.force_login(world.prescriber)
    data = invite_form(world.clinic, faker)
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_invite"), data)

    patient = Patient.objects.get(email=data["email"])
    assert response.status_code == 302
    assert response.url == reverse("intake:patient_chart", args=[patient.code])
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert patient.clinic == world.clinic
    assert patient.legal_name == data["legal_name"]
    assert patient.stage == Patient.Stage.INVITED
    assert patient.created_by == world.prescriber
    assert patient.user.role == User.Role.PATIENT
    assert not patient.user.has_usable_password()
    invitation = Invitation.objects.get(user=patient.user)
    assert invitation.invited_by == world.prescriber and invitation.accepted_at is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [data["email"]]
    assert world.clinic.name in message.subject
    assert "expires in 7 days" in message.body

    client.logout()
    page = client.get(link_path(message))
    assert page.status_code == 200
    assert "Choose a password for" in page.content.decode()
    assert data["email"] in page.content.decode()


def test_invite_is_confirmed_on_the_new_chart(world, client, faker, django_capture_on_commit_callbacks):
    client.force_login(world.prescriber)
    data = invite_form(world.clinic, faker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_invite"), data, follow=True)
    content = response.content.decode()
    assert "the link is on its way to" in content
    assert data["email"] in content
    assert data["legal_name"] in content


def test_accepting_invitation_sets_password_and_lands_patient_on_their_home(invited, client, faker):
    patient, path = invited
    password = strong_password(faker)

    response = client.post(path, {"password1": password, "password2": password}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("intake:patient_home")
    assert response.context["user"] == patient.user
    assert "Your password is set" in response.content.decode()
    patient.user.refresh_from_db()
    assert patient.user.check_password(password)
    assert Invitation.objects.get(user=patient.user).accepted_at is not None
    client.logout()
    assert client.login(username=patient.user.email, password=password)


def test_used_invitation_link_says_already_used_and_keeps_the_password(invited, client, faker):
    patient, path = invited
    first = strong_password(faker)
    client.post(path, {"password1": first, "password2": first})
    client.logout()

    opened = client.get(path)
    second = strong_password(faker)
    posted = client.post(path, {"password1": second, "password2": second})

    for response in (opened, posted):
        assert response.status_code == 400
        assert "already been used" in response.content.decode()
    patient.user.refresh_from_db()
    assert patient.user.check_password(first)
    assert not patient.user.check_password(second)
    assert "_auth_user_id" not in client.session


def test_expired_invitation_link_says_so_and_sets_no_password(invited, client, faker):
    patient, path = invited
    password = strong_password(faker)
    eight_days_later = time.time() + settings.INVITATION_MAX_AGE + 24 * 60 * 60

    with mock.patch("django.core.signing.time.time", return_value=eight_days_later):
        opened = client.get(path)
        posted = client.post(path, {"password1": password, "password2": password})

    for response in (opened, posted):
        assert response.status_code == 400
        assert "expired" in response.content.decode()
    patient.user.refresh_from_db()
    assert not patient.user.has_usable_password()
    assert "_auth_user_id" not in client.session


def test_invitation_link_still_works_the_day_before_it_expires(invited, client, faker):
    patient, path = invited
    password = strong_password(faker)
    six_days_later = time.time() + settings.INVITATION_MAX_AGE - 24 * 60 * 60

    with mock.patch("django.core.signing.time.time", return_value=six_days_later):
        response = client.post(path, {"password1": password, "password2": password})

    assert response.status_code == 302
    patient.user.refresh_from_db()
    assert patient.user.check_password(password)


@pytest.mark.parametrize("tamper", ["signature", "truncate", "made_up"])
def test_tampered_invitation_link_is_not_valid(invited, client, faker, tamper):
    patient, path = invited
    token = path.rstrip("/").rsplit("/", 1)[1]
    if tamper == "signature":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif tamper == "truncate":
        token = token[: len(token) // 2]
    else:
        token = faker.pystr(min_chars=40, max_chars=60)
    password = strong_password(faker)
    url = reverse("accounts:accept_invitation", args=[token])

    opened = client.get(url)
    posted = client.post(url, {"password1": password, "password2": password})

    for response in (opened, posted):
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    patient.user.refresh_from_db()
    assert not patient.user.has_usable_password()


def test_newer_invitation_invalidates_the_older_link(invited, world, client, faker, django_capture_on_commit_callbacks):
    patient, old_path = invited
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(user=patient.user, clinic=world.clinic, invited_by=world.prescriber)
    new_path = link_path(mail.outbox[-1])
    assert new_path != old_path
    password = strong_password(faker)

    old = client.post(old_path, {"password1": password, "password2": password})
    assert old.status_code == 400
    assert "newer invitation" in old.content.decode()
    patient.user.refresh_from_db()
    assert not patient.user.has_usable_password()

    new = client.post(new_path, {"password1": password, "password2": password})
    assert new.status_code == 302
    patient.user.refresh_from_db()
    assert patient.user.check_password(password)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("short", "too short"),
        ("common", "too common"),
        ("numeric", "entirely numeric"),
        ("mismatch", "don&#x27;t match"),
        ("like_email", "too similar"),
    ],
)
def test_weak_password_is_refused_and_the_invitation_stays_usable(invited, client, faker, kind, message):
    patient, path = invited
    password1 = password2 = {
        "short": faker.password(length=9),
        "common": "password1234",
        "numeric": faker.numerify("#" * 14),
        "like_email": patient.user.email,
    }.get(kind, strong_password(faker))
    if kind == "mismatch":
        password2 = strong_password(faker)

    response = client.post(path, {"password1": password1, "password2": password2})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors
    patient.user.refresh_from_db()
    assert not patient.user.has_usable_password()
    assert Invitation.objects.get(user=patient.user).accepted_at is None
    assert "_auth_user_id" not in client.session

    good = strong_password(faker)
    assert client.post(path, {"password1": good, "password2": good}).status_code == 302


@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_duplicate_email_in_any_case_is_refused_and_nothing_is_created(
    world, client, faker, django_capture_on_commit_callbacks, case
):
    client.force_login(world.prescriber)
    taken = case(world.patient_a.user.email)
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_invite"), invite_form(world.clinic, faker, email=taken))

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert counts() == before
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITE).exists()


def test_staff_email_can_not_be_invited_again_as_a_patient(world, client, faker, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    before = counts()
    data = invite_form(world.clinic, faker, email=world.nurse.email.upper())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_invite"), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert counts() == before
    assert mail.outbox == []


def years_before(day: datetime.date, years: int) -> datetime.date | None:
    """The same calendar day `years` earlier, or None for a 29 February that year lacks."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return None


def test_patient_must_be_an_adult(world, client, faker):
    client.force_login(world.prescriber)
    born = years_before(timezone.localdate() + datetime.timedelta(days=1), 18)  # 18 tomorrow
    if born is None:
        pytest.skip("tomorrow is 29 February")
    before = counts()

    response = client.post(
        reverse("intake:patient_invite"), invite_form(world.clinic, faker, date_of_birth=born.isoformat())
    )

    assert response.status_code == 200
    assert "must be 18 or older" in response.content.decode()
    assert counts() == before


def test_patient_turning_eighteen_today_can_be_invited(world, client, faker):
    client.force_login(world.prescriber)
    born = years_before(timezone.localdate(), 18)
    if born is None:
        pytest.skip("today is 29 February")
    response = client.post(
        reverse("intake:patient_invite"), invite_form(world.clinic, faker, date_of_birth=born.isoformat())
    )
    assert response.status_code == 302


def test_clinician_can_not_invite_into_another_clinic(world, client, faker, django_capture_on_commit_callbacks):
    client.force_login(world.prescriber)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_invite"), invite_form(world.other_clinic, faker))
    assert response.status_code == 200
    assert response.context["form"].errors["clinic"]
    assert counts() == before
    assert mail.outbox == []


def test_patient_can_not_invite_anyone(world, client, faker, django_capture_on_commit_callbacks):
    client.force_login(world.patient_a.user)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:patient_invite"), invite_form(world.clinic, faker))
    assert response.status_code == 403
    assert counts() == before
    assert mail.outbox == []


def test_admin_invites_a_clinician_who_sets_a_password_and_lands_on_the_clinician_home(
    world, client, faker, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    email = faker.unique.email()
    data = {"full_name": faker.name(), "email": email, "role": "clinician", "clinician_kind": "nurse"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:staff_invite"), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:staff_list")
    assert f"Invitation sent to {email}" in response.content.decode()
    member = User.objects.get(email=email)
    assert (member.role, member.clinician_kind) == (User.Role.CLINICIAN, User.ClinicianKind.NURSE)
    assert list(member.clinics.all()) == [world.clinic]
    assert not member.has_usable_password()
    assert Invitation.objects.get(user=member).invited_by == world.admin
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]

    client.logout()
    password = strong_password(faker)
    landed = client.post(link_path(mail.outbox[0]), {"password1": password, "password2": password}, follow=True)
    assert landed.redirect_chain[-1][0] == reverse("dashboards:clinician_home")
    assert landed.context["user"] == member


def test_staff_invite_of_a_clinician_without_a_kind_is_refused(
    world, client, faker, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    before = counts()
    data = {"full_name": faker.name(), "email": faker.unique.email(), "role": "clinician", "clinician_kind": ""}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:staff_invite"), data)

    assert response.status_code == 200
    assert "Choose what kind of clinician this is" in response.content.decode()
    assert counts() == before
    assert mail.outbox == []


def test_staff_invite_of_an_admin_drops_any_clinician_kind(world, client, faker, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    email = faker.unique.email()
    data = {"full_name": faker.name(), "email": email, "role": "admin", "clinician_kind": "prescriber"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:staff_invite"), data)
    member = User.objects.get(email=email)
    assert (member.role, member.clinician_kind) == (User.Role.ADMIN, "")


def test_staff_invite_with_a_taken_email_is_refused(world, client, faker, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    before = counts()
    data = {
        "full_name": faker.name(),
        "email": world.other_clinician.email.upper(),
        "role": "clinician",
        "clinician_kind": "therapist",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:staff_invite"), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert counts() == before
    assert mail.outbox == []
    assert not world.other_clinician.clinics.filter(pk=world.clinic.pk).exists()


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse"])
def test_clinicians_can_not_invite_staff(world, client, faker, persona, django_capture_on_commit_callbacks):
    client.force_login(getattr(world, persona))
    before = counts()
    data = {"full_name": faker.name(), "email": faker.unique.email(), "role": "admin", "clinician_kind": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:staff_invite"), data)
    assert response.status_code == 403
    assert counts() == before
    assert mail.outbox == []


def test_audit_trail_records_the_invite_and_its_acceptance(invited, world, client, faker):
    patient, path = invited
    created = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, patient_code=patient.code)
    assert created.actor == world.prescriber and created.clinic == world.clinic
    invite = AuditEvent.objects.get(action=AuditEvent.Action.INVITE, object_id=str(patient.user.code))
    assert invite.actor == world.prescriber
    assert invite.clinic == world.clinic
    assert invite.detail == User.Role.PATIENT
    assert invite.path == reverse("intake:patient_invite")

    password = strong_password(faker)
    client.post(path, {"password1": password, "password2": password})

    accepted = AuditEvent.objects.get(action=AuditEvent.Action.ACCEPT_INVITATION)
    assert accepted.actor == patient.user and accepted.clinic == world.clinic
    for event in AuditEvent.objects.all():
        assert password not in " ".join(str(value) for value in event.__dict__.values())


def test_a_double_submitted_patient_invitation_opens_one_chart_and_sends_one_email(
    world, client, faker, django_capture_on_commit_callbacks
):
    client.force_login(world.nurse)
    data = invite_form(world.clinic, faker)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("intake:patient_invite"), data)
        second = client.post(reverse("intake:patient_invite"), data, follow=True)

    patient = Patient.objects.get(email=data["email"])
    assert first["Location"] == reverse("intake:patient_chart", args=[patient.code])
    assert second.redirect_chain[-1][0] == reverse("intake:patient_chart", args=[patient.code])
    assert "This was already recorded." in second.content.decode()
    assert Patient.objects.filter(email=data["email"]).count() == 1
    assert len(mail.outbox) == 1


def test_the_invitation_form_keeps_its_token_and_typing_after_an_error(world, client, faker):
    client.force_login(world.nurse)
    data = invite_form(world.clinic, faker, email="not-an-email")

    response = client.post(reverse("intake:patient_invite"), data)

    content = response.content.decode()
    assert f'value="{data["submission"]}"' in content
    assert f'value="{data["legal_name"]}"' in content
    assert not Patient.objects.filter(legal_name=data["legal_name"]).exists()
