from django.apps import AppConfig


class DosingConfig(AppConfig):
    # Django's own session framework already has the label "sessions".
    name = "sessions"
    label = "dosing"
    verbose_name = "Dosing sessions and controlled-substance ledger"

    def ready(self):
        from kap_clinic import panels

        from . import panels as dosing_panels

        panels.register(panels.CHART, panels.Panel("dosing/_chart_sessions.html", dosing_panels.chart_sessions, 50))
        panels.register(
            panels.PATIENT_HOME, panels.Panel("dosing/_patient_next_session.html", dosing_panels.next_session, 10)
        )
