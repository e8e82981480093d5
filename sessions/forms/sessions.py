"""The session lifecycle's forms: scheduling, a status move with its reason, discharge, notes and addenda.
They say plainly what is wrong; the services check again."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kap_clinic.submissions.forms import TaglessOnceForm

from .. import clinic_time
from ..models import DosingSession
from ..pipeline import NEEDS_REASON
from ..services.sessions import session_monitors, session_prescribers


class StaffChoiceField(forms.ModelChoiceField):
    """A colleague by name and role (not by email)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} · {obj.role_label}"


class ScheduleForm(TaglessOnceForm):
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    room = forms.CharField(label=_("Room or chair"), max_length=60)
    prescriber = StaffChoiceField(
        label=_("Prescriber on site"), queryset=None, to_field_name="code", empty_label=_("Choose a prescriber")
    )
    monitor = StaffChoiceField(
        label=_("Monitoring clinician"),
        queryset=None,
        to_field_name="code",
        empty_label=_("Choose a nurse or prescriber"),
        help_text=_("Stays with the patient from the dose until discharge."),
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = clinic_time.clinic_zone(patient.clinic)
        self.fields["scheduled_at"].help_text = _("In the clinic's time zone (%(zone)s).") % {"zone": self.zone.key}
        self.fields["prescriber"].queryset = session_prescribers(patient.clinic)
        self.fields["monitor"].queryset = session_monitors(patient.clinic)

    def clean_scheduled_at(self):
        return clinic_time.wall_clock(self.cleaned_data["scheduled_at"], self.zone)

    def clean_room(self):
        room = self.cleaned_data["room"].strip()
        if not room:
            raise ValidationError(_("Give the room or chair."))
        return room


class TransitionForm(TaglessOnceForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the session's status history."),
    )

    def __init__(self, *args, to: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.to = to
        if to in NEEDS_REASON:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("Give a reason.")
        else:
            del self.fields["reason"]


class DischargeForm(TaglessOnceForm):
    walks_steadily = forms.BooleanField(label=_("Walks steadily (checked now, unaided)"), required=False)
    escort_present = forms.BooleanField(label=_("The escort is here to take the patient home"), required=False)
    escort_name = forms.CharField(label=_("Escort's name"), max_length=200, required=False)
    override_reason = forms.CharField(
        label=_("Reason to discharge before every criterion is met (prescriber)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when a criterion is not met: kept with the discharge record."),
    )

    def __init__(self, *args, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override_reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("escort_present") and not (cleaned.get("escort_name") or "").strip():
            self.add_error("escort_name", _("Give the name of the person taking the patient home."))
        return cleaned


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 12}))

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write the note."))
        return body


class AddendumForm(TaglessOnceForm):
    body = forms.CharField(
        label=_("Addendum"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Added below the signed record, with your name and the time; the original stays as it was."),
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write the addendum."))
        return body


class SessionFilterForm(forms.Form):
    """The session list's filters (GET)."""

    WHEN = (
        ("today", _("Today")),
        ("upcoming", _("Upcoming")),
        ("recent", _("Recent (last 30 days)")),
        ("all", _("All")),
    )
    when = forms.ChoiceField(label=_("When"), choices=WHEN, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *DosingSession.Status.choices], required=False
    )
    q = forms.CharField(label=_("Patient"), required=False, max_length=100)
