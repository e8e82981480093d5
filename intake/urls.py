from django.urls import path

from .views import alerts, consent, patients, questionnaire, review

app_name = "intake"

urlpatterns = [
    # clinic staff: patients
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/invite/", patients.patient_invite, name="patient_invite"),
    path("patients/<uuid:code>/", patients.patient_chart, name="patient_chart"),
    path(
        "patients/<uuid:code>/resend-invitation/",
        patients.patient_resend_invitation,
        name="patient_resend_invitation",
    ),
    # clinicians: review, assessment, plan, safety alerts
    path("review/", review.review_queue, name="review_queue"),
    path("patients/<uuid:code>/intake/", review.intake_review, name="intake_review"),
    path("patients/<uuid:code>/assessment/", review.assessment_edit, name="assessment_edit"),
    path("patients/<uuid:code>/plan/", review.plan_edit, name="plan_edit"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("patients/<uuid:code>/alerts/<int:pk>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    # clinic admins: consent documents and the clinic's protocol
    path("consent/", consent.consent_documents, name="consent_documents"),
    path("consent/new/", consent.consent_create, name="consent_create"),
    path("consent/<int:version>/", consent.consent_document, name="consent_document"),
    path("consent/<int:version>/publish/", consent.consent_publish, name="consent_publish"),
    path(
        "patients/<uuid:code>/consent/<int:version>/download/",
        consent.consent_download,
        name="consent_download",
    ),
    path("settings/protocol/", consent.protocol_settings, name="protocol_settings"),
    path("settings/risk-screen/", consent.screener_wording, name="screener_wording"),
    # the patient's own pages (no code in the URL: always the logged-in patient's chart)
    path("me/", patients.patient_home, name="patient_home"),
    path("me/intake/", questionnaire.questionnaire_resume, name="questionnaire_resume"),
    path("me/intake/step/<slug:step>/", questionnaire.questionnaire_step, name="questionnaire_step"),
    path("me/intake/submit/", questionnaire.questionnaire_submit, name="questionnaire_submit"),
    path("me/intake/answers/", questionnaire.questionnaire_answers, name="questionnaire_answers"),
    path("me/consent/", consent.consent_sign, name="consent_sign"),
    path("me/consent/<int:version>/", consent.consent_signed, name="consent_signed"),
    path("me/consent/<int:version>/download/", consent.consent_download_own, name="consent_download_own"),
]
