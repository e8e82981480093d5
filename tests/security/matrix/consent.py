"""Consent and the clinic's protocol settings.

Admin pages (consent documents, protocol, risk-screen wording): the clinic's admins; another clinic's
admin opens their own clinic's pages (200), and a version number their clinic lacks is 404; patients and
clinicians are refused (403). The patient's own consent pages: patients only (staff 403), each sees
only their own signatures (another patient: 404). The care team's download of a patient's signature
follows the chart (`patient_chart_rule`).
"""

from intake.services import consent as consent_services

from . import LOGIN, Rule, outcomes, patient_chart_rule

_admin_page = Rule(outcomes(403, anonymous=LOGIN, admin=200, other_admin=200))
_admin_record = outcomes(403, anonymous=LOGIN, admin=200, other_admin=404)
_patient_page = Rule(outcomes(403, anonymous=LOGIN, patient_a=200, patient_b=200))
# patient A signed it; patient B has not (404), staff never open a patient's own pages (403)
_own_signature = outcomes(403, anonymous=LOGIN, patient_a=200, patient_b=404)


def _draft(w):
    return {"version": consent_services.consent_document_create(clinic=w.clinic, by=w.admin).version}


def _published(w):
    document = consent_services.consent_document_create(clinic=w.clinic, by=w.admin)
    return consent_services.consent_document_publish(document=document, by=w.admin)


def _signed_by_a(w):
    document = _published(w)
    consent_services.consent_sign(
        patient=w.patient_a,
        document=document,
        typed_name=w.patient_a.legal_name,
        agreed=True,
        ip="192.0.2.1",
        user_agent="test",
        by=w.patient_a.user,
    )
    return document.version


RULES = {
    "intake:consent_documents": _admin_page,
    "intake:consent_create": _admin_page,
    "intake:consent_document": Rule(_admin_record, _draft),
    "intake:consent_publish": Rule(_admin_record, _draft),
    "intake:consent_download": patient_chart_rule(lambda w: {"code": w.patient_a.code, "version": _signed_by_a(w)}),
    "intake:protocol_settings": _admin_page,
    "intake:screener_wording": _admin_page,
    "intake:consent_sign": _patient_page,
    "intake:consent_signed": Rule(_own_signature, lambda w: {"version": _signed_by_a(w)}),
    "intake:consent_download_own": Rule(_own_signature, lambda w: {"version": _signed_by_a(w)}),
}
