from django.urls import path

from . import views

app_name = "integration"

urlpatterns = [
    path("", views.landing, name="landing"),
]
