import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kap_clinic.settings")
application = get_asgi_application()

from kap_clinic.startup import require_serving_settings  # noqa: E402 (needs the settings loaded)

require_serving_settings()
