from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "kap_clinic.submissions"
    label = "submissions"
    verbose_name = "Form submissions (each recorded once)"
