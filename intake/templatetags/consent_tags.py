"""`{% consent_status patient as status %}`: where the patient stands with the clinic's consent, for the
patient's home and the chart (`intake.services.consent.ConsentStatus`)."""

from django import template

from intake.services.consent import consent_status as _consent_status

register = template.Library()


@register.simple_tag
def consent_status(patient):
    return _consent_status(patient)
