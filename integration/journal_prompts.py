"""The prompts the patient's journal offers, as data: for an intention before a dose, a reflection after
one, and a general entry between sessions.

Sources (shared/domain.md): writing intentions is part of "set and setting" before a session (§5, [S101]);
what a reflection after a dose covers follows what integration works with (§7.1: the experience, insights
and meaning, whether the intentions were addressed, challenging material, changes since dosing, what to
carry forward) [S67,S132,S133]. The wording is ours: neutral, plain, and making no clinical claim. A prompt
is an invitation; every entry may also be written without one.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from integration.models import Reflection

Kind = Reflection.Kind


@dataclass(frozen=True)
class PromptSet:
    kind: str  # a Reflection.Kind value
    title: Promise
    intro: Promise
    prompts: tuple[Promise, ...]
    sources: tuple[str, ...]


PROMPT_SETS: tuple[PromptSet, ...] = (
    PromptSet(
        kind=Kind.INTENTION,
        title=_("Before a session: your intention"),
        intro=_("An intention is a few words about what you bring to the session. There is no right answer."),
        prompts=(
            _("What do you hope to explore or let go of?"),
            _("What is on your mind as the session comes closer?"),
            _("Is there a question you would like to hold during the session?"),
            _("What would you like to remind yourself of if the experience becomes difficult?"),
            _("How do you want to look after yourself on the day after the session?"),
        ),
        sources=("S101", "S132"),
    ),
    PromptSet(
        kind=Kind.REFLECTION,
        title=_("After a session: your reflection"),
        intro=_(
            "Write while it is fresh, or days later. Notes, single words and drawings described in words all count."
        ),
        prompts=(
            _("What did you experience? Images, feelings, memories, sensations in your body."),
            _("What felt meaningful?"),
            _("What was hard, and how are you with it now?"),
            _("How did the session relate to the intention you set?"),
            _("What have you noticed since the session: in your mood, sleep, relationships or habits?"),
            _("What do you want to carry into daily life?"),
        ),
        sources=("S67", "S132", "S133"),
    ),
    PromptSet(
        kind=Kind.JOURNAL,
        title=_("Between sessions: your journal"),
        intro=_("Anything you want to remember or bring to your next conversation with your therapist."),
        prompts=(
            _("What is on your mind today?"),
            _("What went well this week, however small?"),
            _("What has been difficult lately?"),
            _("When did you feel most like yourself recently?"),
            _("What is one thing you want to try before your next session?"),
        ),
        sources=("S133",),
    ),
)

BY_KIND: dict[str, PromptSet] = {prompt_set.kind: prompt_set for prompt_set in PROMPT_SETS}


def prompts_for(kind: str) -> tuple[str, ...]:
    """The prompts offered for an entry of `kind`, as text in the active language."""
    prompt_set = BY_KIND.get(kind)
    return tuple(str(prompt) for prompt in prompt_set.prompts) if prompt_set else ()


def kind_of_prompt(prompt: str) -> str | None:
    """The kind of entry `prompt` belongs to (None for a text no prompt set offers)."""
    for prompt_set in PROMPT_SETS:
        if prompt in prompts_for(prompt_set.kind):
            return prompt_set.kind
    return None
