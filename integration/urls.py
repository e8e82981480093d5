from django.urls import path

from . import views
from .views import journal, measures, sessions

app_name = "integration"

urlpatterns = [
    path("", views.landing, name="landing"),
    # integration sessions and their notes; the course outcome
    path("patients/<uuid:code>/sessions/new/", sessions.session_schedule, name="session_schedule"),
    path("sessions/<uuid:code>/", sessions.session_detail, name="session_detail"),
    path("sessions/<uuid:code>/note/", sessions.session_note, name="session_note"),
    path("sessions/<uuid:code>/sign/", sessions.session_sign, name="session_sign"),
    path("sessions/<uuid:code>/addenda/new/", sessions.session_addendum, name="session_addendum"),
    path("sessions/<uuid:code>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("patients/<uuid:code>/outcome/", sessions.course_outcome, name="course_outcome"),
    # follow-up measures and progress
    path("me/measures/<uuid:code>/", measures.measure_take, name="measure_take"),
    path("measures/overdue/", measures.measures_overdue, name="measures_overdue"),
    path("patients/<uuid:code>/progress/", measures.progress, name="progress"),
    # the patient's reflections and self-care plan
    path("me/reflections/", journal.reflection_list, name="reflection_list"),
    path("me/self-care/", journal.self_care_checkin, name="self_care_checkin"),
    path("patients/<uuid:code>/reflections/", journal.patient_reflections, name="patient_reflections"),
    path("patients/<uuid:code>/self-care/", journal.self_care_plan, name="self_care_plan"),
]
