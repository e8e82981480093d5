from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = "Integration and follow-up"

    def ready(self):
        from kap_clinic import panels

        from .panels import ALL

        for page, panel in ALL:
            panels.register(page, panel)
