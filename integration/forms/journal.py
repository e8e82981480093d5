"""Forms of the patient's journal and self-care plan. The rules (which session an intention or reflection
may be about, which weeks a check-in may be for) are the services'; these forms lay out and read input."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kap_clinic.submissions.forms import OnceForm

from .. import journal_prompts
from ..models import Reflection, SelfCareCheckIn, SelfCareGoal
from ..services.journal import (
    BODY_MAX_CHARS,
    CHECK_IN_NOTE_MAX_CHARS,
    GOAL_DESCRIPTION_MAX_CHARS,
    session_is_dosed,
    session_is_upcoming,
)

Kind = Reflection.Kind


class KindOptionsSelect(forms.Select):
    """A select whose options say which kinds of entry they fit (`data-kinds`), so that journal.js can
    offer only those. Without the script every option is shown, and the service checks the choice."""

    def __init__(self, *args, kinds: dict[str, tuple[str, ...]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        kinds = self.kinds.get(str(value))
        if kinds:
            option["attrs"]["data-kinds"] = " ".join(kinds)
        return option


def session_label(session) -> str:
    """“Session 2 · Tuesday 14 May 2025, 10:00” in the active (the clinic's) time zone."""
    when = timezone.localtime(session.scheduled_at)
    return _("Session %(n)s · %(when)s") % {"n": session.number, "when": date_format(when, "l j F Y, H:i")}


def _no_maxlength(field: forms.CharField) -> forms.CharField:
    """Browsers cut pasted text at `maxlength` without a word; the server's message says how much to cut."""
    field.widget.attrs.pop("maxlength", None)
    return field


class ReflectionForm(OnceForm):
    kind = forms.ChoiceField(
        label=_("What are you writing?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.JOURNAL,
    )
    dosing_session = forms.ChoiceField(
        label=_("About a session (optional)"),
        required=False,
        help_text=_("An intention is for a session still to come; a reflection for one you have had."),
        error_messages={"invalid_choice": _("Choose one of your own sessions from the list.")},
    )
    prompt = forms.ChoiceField(
        label=_("Answering a prompt? (optional)"),
        required=False,
        error_messages={"invalid_choice": _("Choose a prompt from the list, or none.")},
    )
    body = forms.CharField(
        label=_("Your entry"),
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": _("Write something in your entry before saving it.")},
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Up to %(max)s characters.") % {"max": f"{BODY_MAX_CHARS:,}"}
        upcoming = [s for s in sessions if session_is_upcoming(s)]
        dosed = [s for s in sessions if session_is_dosed(s)]
        self._sessions = {str(s.code): s for s in [*upcoming, *dosed]}
        choices: list = [("", _("No particular session"))]
        if upcoming:
            choices.append((_("Sessions to come"), [(str(s.code), session_label(s)) for s in upcoming]))
        if dosed:
            choices.append((_("Sessions you have had"), [(str(s.code), session_label(s)) for s in dosed]))
        kinds = {str(s.code): (Kind.INTENTION, Kind.JOURNAL) for s in upcoming}
        kinds |= {str(s.code): (Kind.REFLECTION, Kind.JOURNAL) for s in dosed}
        field = self.fields["dosing_session"]
        field.choices = choices
        field.widget = KindOptionsSelect(choices=choices, kinds=kinds, attrs={"data-journal-filter": ""})

        prompt_choices: list = [("", _("No prompt: my own words"))]
        prompt_kinds: dict[str, tuple[str, ...]] = {}
        for prompt_set in journal_prompts.PROMPT_SETS:
            texts = journal_prompts.prompts_for(prompt_set.kind)
            prompt_choices.append((prompt_set.title, [(text, text) for text in texts]))
            prompt_kinds |= dict.fromkeys(texts, (prompt_set.kind,))
        field = self.fields["prompt"]
        field.choices = prompt_choices
        field.widget = KindOptionsSelect(choices=prompt_choices, kinds=prompt_kinds, attrs={"data-journal-filter": ""})

    def clean_dosing_session(self):
        code = self.cleaned_data.get("dosing_session")
        return self._sessions.get(code) if code else None

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > BODY_MAX_CHARS:
            raise forms.ValidationError(
                _(
                    "Your entry is %(n)s characters long; an entry holds up to %(max)s. "
                    "Shorten it, or save part of it now and the rest as a second entry."
                )
                % {"n": f"{len(body):,}", "max": f"{BODY_MAX_CHARS:,}"}
            )
        return body


class SelfCareGoalForm(OnceForm):
    category = forms.ChoiceField(label=_("About"), choices=[("", _("Choose…")), *SelfCareGoal.Category.choices])
    description = _no_maxlength(
        forms.CharField(
            label=_("The goal, as agreed with the patient"),
            max_length=GOAL_DESCRIPTION_MAX_CHARS,
            help_text=_("Specific and small, e.g. “a 20-minute walk on three days a week”."),
            error_messages={
                "max_length": _(
                    "Keep the goal to %(limit_value)d characters (it has %(show_value)d): "
                    "the details belong in the session note."
                )
            },
        )
    )


class CheckInForm(forms.Form):
    """One week's check-in on each of the patient's active goals: how often, and an optional note.
    A goal left blank is not checked in on; at least one is needed."""

    def __init__(self, *args, goals, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        self.existing = existing  # goal pk -> that week's check-in
        for goal in self.goals:
            earlier = existing.get(goal.pk)
            self.fields[self._rating(goal)] = forms.TypedChoiceField(
                label=_("How often did you keep to it?"),
                choices=SelfCareCheckIn.Rating.choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=earlier.rating if earlier else None,
            )
            self.fields[self._note(goal)] = _no_maxlength(
                forms.CharField(
                    label=_("A note (optional)"),
                    required=False,
                    max_length=CHECK_IN_NOTE_MAX_CHARS,
                    initial=earlier.note if earlier else "",
                    error_messages={
                        "max_length": _("Keep the note to %(limit_value)d characters (it has %(show_value)d).")
                    },
                )
            )

    @staticmethod
    def _rating(goal) -> str:
        return f"rating_{goal.code}"

    @staticmethod
    def _note(goal) -> str:
        return f"note_{goal.code}"

    def rows(self):
        """(goal, rating field, note field, this week's check-in so far) per goal, for the template."""
        return [(g, self[self._rating(g)], self[self._note(g)], self.existing.get(g.pk)) for g in self.goals]

    def clean(self):
        cleaned = super().clean()
        self.answers = []
        for goal in self.goals:
            rating = cleaned.get(self._rating(goal))
            note = cleaned.get(self._note(goal), "")
            if rating is None:
                if note:
                    self.add_error(self._rating(goal), _("Choose how often, or clear the note."))
                continue
            self.answers.append((goal, rating, note))
        if not self.answers and not self.errors:
            raise forms.ValidationError(_("Choose how the week went for at least one goal."))
        return cleaned
