from django.apps import AppConfig


class DosingConfig(AppConfig):
    # Django's own session framework already has the label "sessions".
    name = "sessions"
    label = "dosing"
    verbose_name = "Dosing sessions and controlled-substance ledger"
