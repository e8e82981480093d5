from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("clinician/", views.clinician_home, name="clinician_home"),
    path("admin/", views.admin_home, name="admin_home"),
    path("admin/audit/", views.audit_log, name="audit_log"),
    path("rules/", views.clinical_rules, name="clinical_rules"),
    path("patients/<uuid:code>/summary.pdf", views.course_summary_pdf, name="course_summary_pdf"),
]
