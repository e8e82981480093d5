from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from kap_clinic.demo.clinic import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Load the demo clinics, staff and patients (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        # The demo's own alerts (e.g. its open count discrepancy) are not mailed to the demo addresses.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            logins = seed()
        self.stdout.write(self.style.SUCCESS("Demo clinic loaded. Log in at http://127.0.0.1:8000/ with:"))
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.role:<16} {login.clinic}")
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
