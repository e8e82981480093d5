"""Signed, expiring links for invitations. Single use comes from the invitation row (`accepted_at`)."""

from django.conf import settings
from django.core import signing

SALT = "kap_clinic.accounts.invitation"


def invitation_token(invitation) -> str:
    return signing.dumps(str(invitation.code), salt=SALT, compress=False)


def invitation_code_from_token(token: str) -> tuple[str | None, str]:
    """The invitation code in `token`, or None with the reason: "expired" or "invalid"."""
    try:
        return signing.loads(token, salt=SALT, max_age=settings.INVITATION_MAX_AGE), ""
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
