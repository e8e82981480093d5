from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/invite/", views.patient_invite, name="patient_invite"),
    path("patients/<uuid:code>/", views.patient_chart, name="patient_chart"),
    path(
        "patients/<uuid:code>/resend-invitation/",
        views.patient_resend_invitation,
        name="patient_resend_invitation",
    ),
    path("me/", views.patient_home, name="patient_home"),
]
