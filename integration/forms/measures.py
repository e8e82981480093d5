"""The follow-up questionnaires: intake's measure forms (same items, options, scoring and layout), bound to the
patient instead of an intake draft, and the submission token that makes a sent form count once."""

from django.utils.translation import gettext_lazy as _

from intake.forms.questionnaire import CSSRSForm, GAD7Form, PCL5Form, PHQ9Form
from intake.services.protocol import screener_wording_for
from kap_clinic.submissions.forms import OnceForm


class MeasureSubmitForm(OnceForm):
    """Only the hidden submission token: the questionnaire itself is the measure form beside it."""


class _FollowUp:
    """A measure form for `patient` outside the intake (no draft): the clinic's PCL-5 cutoff and wording."""

    def __init__(self, *args, patient, **kwargs):
        self._patient = patient
        super().__init__(*args, **kwargs)

    @property
    def patient(self):
        return self._patient


class FollowUpPHQ9Form(_FollowUp, PHQ9Form):
    pass


class FollowUpGAD7Form(_FollowUp, GAD7Form):
    pass


class FollowUpPCL5Form(_FollowUp, PCL5Form):
    """The PCL-5 about the same event as at baseline: the event is shown, not asked again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["index_event"]


class FollowUpCSSRSForm(_FollowUp, CSSRSForm):
    """The risk screen in the clinic's licensed wording (`licensed` False: the neutral placeholder wording)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wording, self.licensed = screener_wording_for(self.patient.clinic)
        for key, field in self.fields.items():
            field.label = wording.get(key, field.label)


FORMS = {
    "phq9": FollowUpPHQ9Form,
    "gad7": FollowUpGAD7Form,
    "pcl5": FollowUpPCL5Form,
    "cssrs": FollowUpCSSRSForm,
}
TITLES = {
    "phq9": _("Mood (PHQ-9)"),
    "gad7": _("Anxiety (GAD-7)"),
    "pcl5": _("Stressful experiences (PCL-5)"),
    "cssrs": _("Safety questions"),
}


def measure_form(instrument: str, data=None, *, patient):
    return FORMS[instrument](data, patient=patient)
