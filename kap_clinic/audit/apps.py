from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kap_clinic.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from . import services  # noqa: F401  (connects the login/logout receivers)
