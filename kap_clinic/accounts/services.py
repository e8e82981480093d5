"""Every change to accounts: invitations, accepting them, staff activation. Each in one transaction."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from .models import Clinic, Invitation, Membership, User
from .tokens import invitation_code_from_token, invitation_token


def email_is_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def user_create_invited(*, email: str, full_name: str, role: str, clinician_kind: str = "") -> User:
    """A new account with no usable password until its invitation is accepted."""
    email = email.strip().lower()
    if email_is_taken(email):
        raise ValidationError({"email": _("An account with this email address already exists.")})
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, None, full_name=full_name.strip(), role=role, clinician_kind=clinician_kind
            )
    except IntegrityError:  # a concurrent invitation for the same address won the race
        raise ValidationError({"email": _("An account with this email address already exists.")}) from None


def invitation_create(*, user: User, clinic: Clinic, invited_by: User) -> Invitation:
    """Record the invitation and email its link once the transaction commits."""
    invitation = Invitation.objects.create(user=user, clinic=clinic, invited_by=invited_by)
    audit_record(actor=invited_by, action=AuditEvent.Action.INVITE, clinic=clinic, obj=user, detail=user.role)
    transaction.on_commit(lambda: invitation_send(invitation.pk))
    return invitation


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:accept_invitation", args=[invitation_token(invitation)])


def invitation_send(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("user", "clinic", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "max_age_days": settings.INVITATION_MAX_AGE // 86400,
    }
    send_mail(
        subject=_("Your invitation to %(clinic)s") % {"clinic": invitation.clinic.name},
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.user.email],
    )


@transaction.atomic
def staff_invite(
    *, clinic: Clinic, email: str, full_name: str, role: str, clinician_kind: str, invited_by: User
) -> User:
    if role not in (User.Role.CLINICIAN, User.Role.ADMIN):
        raise ValidationError({"role": _("Staff are clinicians or clinic admins.")})
    if role == User.Role.CLINICIAN and not clinician_kind:
        raise ValidationError({"clinician_kind": _("Choose what kind of clinician this is.")})
    user = user_create_invited(
        email=email,
        full_name=full_name,
        role=role,
        clinician_kind=clinician_kind if role == User.Role.CLINICIAN else "",
    )
    Membership.objects.create(user=user, clinic=clinic)
    invitation_create(user=user, clinic=clinic, invited_by=invited_by)
    return user


class InvitationError(Exception):
    """A link that can't be used; the message says why in plain words."""


def invitation_from_token(token: str) -> Invitation:
    code, problem = invitation_code_from_token(token)
    if problem == "expired":
        raise InvitationError(_("This invitation link has expired. Ask your clinic to send a new one."))
    invitation = Invitation.objects.select_related("user", "clinic").filter(code=code).first() if code else None
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Check that you copied the whole link."))
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("This invitation has already been used. Log in, or reset your password if you forgot it.")
        )
    if not invitation.user.is_active:
        raise InvitationError(_("This account has been deactivated. Contact your clinic."))
    if invitation.user.invitations.filter(created_at__gt=invitation.created_at).exists():
        raise InvitationError(_("A newer invitation was sent for this account. Use the link in the latest email."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the password and mark the invitation used. The row lock makes a double submit use it once."""
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("This invitation has already been used. Log in, or reset your password if you forgot it.")
        )
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=user, action=AuditEvent.Action.ACCEPT_INVITATION, clinic=invitation.clinic, obj=user)
    return user


@transaction.atomic
def clinic_update(*, clinic: Clinic, changes: dict, by: User) -> Clinic:
    """Save an admin's edit of their clinic's details, with an audit event naming what changed."""
    changed = [field for field, value in changes.items() if getattr(clinic, field) != value]
    if not changed:
        return clinic
    for field in changed:
        setattr(clinic, field, changes[field])
    clinic.full_clean()
    clinic.save(update_fields=changed)
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, clinic=clinic, obj=clinic, detail=", ".join(changed))
    return clinic


@transaction.atomic
def invitation_resend(*, user: User, clinic: Clinic, by: User) -> Invitation:
    """A fresh link for someone who hasn't set a password yet; it replaces every earlier link."""
    if user.has_usable_password():
        raise ValidationError(
            _("%(name)s has already set a password. They can use “Forgot your password?” on the login page.")
            % {"name": user.full_name}
        )
    if not user.is_active:
        raise ValidationError(_("This account is deactivated: reactivate it before sending an invitation."))
    return invitation_create(user=user, clinic=clinic, invited_by=by)


@transaction.atomic
def membership_set_active(*, membership: Membership, active: bool, by: User) -> None:
    """Deactivate or reactivate a staff member at one clinic.

    The account follows: active while any clinic membership is. A deactivated account's sessions
    end on their next request (the auth backend refuses inactive users), so nothing lingers.
    """
    user = membership.user
    if user == by:
        raise ValidationError(_("You can't deactivate your own account."))
    if membership.is_active == active:
        return
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    still_active = user.memberships.filter(is_active=True).exists()
    if user.is_active != still_active:
        user.is_active = still_active
        user.save(update_fields=["is_active"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.REACTIVATE if active else AuditEvent.Action.DEACTIVATE,
        clinic=membership.clinic,
        obj=user,
    )
