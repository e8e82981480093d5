"""Forms of integration sessions: booking, the structured note (built from `note_fields`), addenda,
cancelling, and the course outcome. They say plainly what is wrong; the services check again."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kap_clinic.submissions.forms import TaglessOnceForm
from sessions import clinic_time

from .. import note_fields
from ..models import CourseOutcome, IntegrationSession
from ..services.sessions import integration_therapists, is_late, patient_doses


def dose_label(dose, zone) -> str:
    """“Session 2 · dosed Tue 2025-05-13 10:40 · integration booked”."""
    label = _("Session %(n)s · dosed %(when)s") % {
        "n": dose.number,
        "when": date_format(timezone.localtime(dose.dosed_at, zone), "D Y-m-d H:i"),
    }
    if getattr(dose, "has_integration", False):
        label += " · " + str(_("integration booked"))
    return label


class StaffChoiceField(forms.ModelChoiceField):
    """A colleague by name and role (not by email)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} · {obj.role_label}"


class DoseChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def label_from_instance(self, obj) -> str:
        return dose_label(obj, self.zone)


class IntegrationScheduleForm(TaglessOnceForm):
    dosing_session = DoseChoiceField(
        label=_("After which dose"),
        queryset=None,
        zone=None,
        to_field_name="code",
        required=False,
        empty_label=_("Not after a particular dose"),
    )
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    therapist = StaffChoiceField(
        label=_("Therapist"),
        queryset=None,
        to_field_name="code",
        empty_label=_("Choose a therapist or prescriber"),
        help_text=_("Holds the session and writes and signs its note."),
    )
    confirm_late = forms.BooleanField(
        label=_("Book it anyway, later than the clinic's cadence"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = patient.clinic
        self.zone = clinic_time.clinic_zone(self.clinic)
        self.late_warning = ""
        self.fields["scheduled_at"].help_text = _("In the clinic's time zone (%(zone)s).") % {"zone": self.zone.key}
        self.fields["therapist"].queryset = integration_therapists(self.clinic)
        doses = self.fields["dosing_session"]
        doses.queryset = patient_doses(patient)
        doses.zone = self.zone
        doses.help_text = _(
            "An integration session is due within %(days)s days of each dose (the clinic's cadence)."
        ) % {"days": self.clinic.integration_within_days}
        if self.is_bound and self.data.get(self.add_prefix("confirm_late")) not in (None, "", "False"):
            self._show_confirm_late()

    def _show_confirm_late(self) -> None:
        self.fields["confirm_late"].widget = forms.CheckboxInput()

    def clean_scheduled_at(self):
        return clinic_time.wall_clock(self.cleaned_data["scheduled_at"], self.zone)

    def clean(self):
        cleaned = super().clean()
        dose, when = cleaned.get("dosing_session"), cleaned.get("scheduled_at")
        if dose is not None and when is not None and when > dose.dosed_at and is_late(dose, when, self.clinic):
            due = note_fields.integration_due_by(self.clinic, dose.dosed_at)
            self.late_warning = _(
                "%(when)s is later than the clinic's cadence: the integration session after session %(n)s "
                "is due by %(due)s (within %(days)s days of the dose)."
            ) % {
                "when": date_format(timezone.localtime(when, self.zone), "D Y-m-d H:i"),
                "n": dose.number,
                "due": date_format(due, "D Y-m-d"),
                "days": self.clinic.integration_within_days,
            }
            if not cleaned.get("confirm_late"):
                self._show_confirm_late()
                self.add_error("confirm_late", _("Tick to book it on this later date, or choose an earlier time."))
        cleaned.pop("confirm_late", None)
        return cleaned


def _section_field(section: note_fields.Section) -> forms.Field:
    common = {"label": section.label, "help_text": section.help_text, "required": False}
    if section.kind == "checklist":
        return forms.MultipleChoiceField(
            choices=note_fields.after_effect_choices(), widget=forms.CheckboxSelectMultiple, **common
        )
    if section.kind == "choice":
        choices = IntegrationSession._meta.get_field(section.name).choices
        return forms.ChoiceField(choices=[("", _("Not discussed")), *choices], widget=forms.RadioSelect, **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": section.rows}), strip=True, **common)


class IntegrationNoteForm(forms.Form):
    """The note's sections, grouped as in `note_fields`. Every section may stay empty in a draft; signing
    needs those marked required (shown with a badge)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in note_fields.SECTIONS:
            self.fields[section.name] = _section_field(section)
            if section.required_to_sign:
                self.fields[section.name].label = format_html(
                    '{} <span class="badge text-bg-light border fw-normal">{}</span>',
                    section.label,
                    _("needed to sign"),
                )

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        parts = []
        for group in note_fields.GROUPS:
            names = [section.name for section in note_fields.sections_of(group.key)]
            extra = []
            if group.key == "safety":
                extra = [HTML(format_html('<p class="small text-muted">{}</p>', note_fields.URINARY_NOTE))]
            parts.append(Fieldset(group.title, *extra, *names))
        helper.layout = Layout(*parts)
        return helper

    def clean_after_effects(self):
        keys = self.cleaned_data["after_effects"]
        if note_fields.NONE in keys and len(keys) > 1:
            raise ValidationError(_("“None” can't go with an after-effect: untick one or the other."))
        return keys


class AddendumForm(TaglessOnceForm):
    body = forms.CharField(
        label=_("Addendum"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Added below the signed note, with your name and the time; the note stays as it was."),
        error_messages={"required": _("Write the addendum.")},
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write the addendum."))
        return body


class CancelForm(TaglessOnceForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the session."),
        error_messages={"required": _("Give a reason.")},
    )


class CourseOutcomeForm(TaglessOnceForm):
    outcome = forms.ChoiceField(
        label=_("How did the course end?"), choices=CourseOutcome.Outcome.choices, widget=forms.RadioSelect
    )
    ended_on = forms.DateField(label=_("Ended on"), widget=forms.DateInput(attrs={"type": "date"}))
    maintenance_plan = forms.CharField(
        label=_("Maintenance plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for maintenance: how often, which dose, when to review."),
    )
    referred_to = forms.CharField(
        label=_("Referred to"),
        max_length=200,
        required=False,
        help_text=_("Needed for a referral: the service or clinician."),
    )
    summary = forms.CharField(
        label=_("Summary of the course"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Doses, response, anything the next clinician should know."),
        error_messages={
            "required": _("Summarise the course: doses, response, anything the next clinician should know.")
        },
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = clinic_time.clinic_today(clinic)
        self.fields["ended_on"].widget.attrs["max"] = self.today.isoformat()

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on > self.today:
            raise ValidationError(
                _("%(day)s is in the future: give the day the course ended (today at the latest).")
                % {"day": ended_on.isoformat()}
            )
        return ended_on

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == CourseOutcome.Outcome.MAINTENANCE and not (cleaned.get("maintenance_plan") or "").strip():
            self.add_error(
                "maintenance_plan", _("Describe the maintenance plan: how often, which dose, when to review.")
            )
        if outcome == CourseOutcome.Outcome.REFERRED and not (cleaned.get("referred_to") or "").strip():
            self.add_error("referred_to", _("Say where the patient is referred to."))
        return cleaned
