from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "kap_clinic.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards and reports"
