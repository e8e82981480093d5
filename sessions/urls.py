from django.urls import path

from . import views

app_name = "dosing"

urlpatterns = [
    path("", views.landing, name="landing"),
]
