from django.core.exceptions import ImproperlyConfigured


def require_serving_settings() -> None:
    """Refuse to serve requests with settings that would make the app unsafe or broken."""
    from django.conf import settings

    try:
        settings.SECRET_KEY  # noqa: B018 (Django refuses an empty one when it is read)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development, which uses an insecure development key)."
        ) from None
