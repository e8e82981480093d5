from django.contrib import admin
from django.urls import include, path

from kap_clinic.dashboards import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("accounts/", include("kap_clinic.accounts.urls")),
    path("home/", include("kap_clinic.dashboards.urls")),
    path("intake/", include("intake.urls")),
    path("dosing/", include("sessions.urls")),
    path("integration/", include("integration.urls")),
    path("django-admin/", admin.site.urls),
]
