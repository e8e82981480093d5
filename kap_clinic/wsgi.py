import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kap_clinic.settings")
application = get_wsgi_application()

from kap_clinic.startup import require_serving_settings  # noqa: E402 (needs the settings loaded)

require_serving_settings()
