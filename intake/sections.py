"""The intake questionnaire's steps, in order, and how a step's stored answers are read back.

The contract between the patient's wizard and the clinician's review (intake_fields.md):

    SECTIONS                               ordered Section(slug, title, form_class, kind)
    cleaned_section(questionnaire, slug)   the step form re-bound to the stored raw answers:
                                           cleaned_data if valid, else None (None too if never saved)
    missing_sections(questionnaire)        required sections not yet valid

`cleaned_section` of a measure step has the score under "score" (`instruments.Score`); of the
medications step, the rows under "medications" (list of dicts: name, dose, unit, frequency); of the
consent step, {"consent_document": document or None, "consent_signed": bool}.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .forms import questionnaire as steps
from .models import ConsentDocument
from .services.consent import consent_current_document, consent_is_current


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form_class: type
    kind: str = "form"  # "form", "medications", "measure" or "consent"
    required: bool = True

    @property
    def instrument(self):
        return getattr(self.form_class, "instrument", None)

    def accepts(self, key: str) -> bool:
        """Whether a POSTed key belongs to this step's answers (and is kept in the draft)."""
        if self.kind == "medications" and key.startswith(f"{steps.MEDICATION_PREFIX}-"):
            return True
        return key in self.form_class.base_fields

    def is_multiple(self, key: str) -> bool:
        field = self.form_class.base_fields.get(key)
        return bool(field is not None and getattr(field.widget, "allow_multiple_selected", False))


SECTIONS: tuple[Section, ...] = (
    Section("about", _("About you"), steps.AboutForm),
    Section("support", _("Support and your ride home"), steps.SupportForm),
    Section("medical", _("Medical history"), steps.MedicalForm),
    Section("medications", _("Current medications"), steps.MedicationsForm, kind="medications"),
    Section("psychiatric", _("Mental health history"), steps.PsychiatricForm),
    Section("substances", _("Alcohol and other substances"), steps.SubstancesForm),
    Section("trauma", _("Difficult experiences"), steps.TraumaForm),
    Section("goals", _("Your goals"), steps.GoalsForm),
    Section("phq9", _("Mood (PHQ-9)"), steps.PHQ9Form, kind="measure"),
    Section("gad7", _("Anxiety (GAD-7)"), steps.GAD7Form, kind="measure"),
    Section("pcl5", _("Stressful experiences (PCL-5)"), steps.PCL5Form, kind="measure"),
    Section("cssrs", _("Safety questions"), steps.CSSRSForm, kind="measure"),
    Section("consent", _("Consent"), steps.ConsentStepForm, kind="consent"),
)
BY_SLUG = {section.slug: section for section in SECTIONS}
MEASURE_SECTIONS = tuple(section for section in SECTIONS if section.kind == "measure")


def section(slug: str) -> Section | None:
    return BY_SLUG.get(slug)


def position(slug: str) -> int:
    """1-based number of the step."""
    return [s.slug for s in SECTIONS].index(slug) + 1


def next_section(slug: str) -> Section | None:
    number = position(slug)
    return SECTIONS[number] if number < len(SECTIONS) else None


def previous_section(slug: str) -> Section | None:
    number = position(slug)
    return SECTIONS[number - 2] if number > 1 else None


def raw_answers(section: Section, data) -> dict:
    """What the patient sent for `section`, as stored: str per field, a list of str for multi-choice.
    Keys that aren't the step's (the CSRF token, buttons, the owner token) are left out."""
    raw = {}
    for key in data:
        if not section.accepts(key):
            continue
        values = data.getlist(key) if hasattr(data, "getlist") else _as_list(data[key])
        raw[key] = [str(v) for v in values] if section.is_multiple(key) else (str(values[-1]) if values else "")
    return raw


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def bind(questionnaire, slug: str, data=None):
    """The step's form: bound to `data`, else to the stored raw answers, else unbound (a first visit)."""
    section = BY_SLUG[slug]
    if data is None:
        data = (questionnaire.answers or {}).get(slug)
    if section.kind == "consent":
        data = data or {}  # nothing to type: its validity is the consent status
    return (
        section.form_class(data, questionnaire=questionnaire)
        if data is not None
        else section.form_class(questionnaire=questionnaire)
    )


def cleaned_section(questionnaire, slug: str) -> dict | None:
    """The step's cleaned answers if what is stored is valid; None if it isn't, or was never saved."""
    section = BY_SLUG[slug]
    if section.kind == "consent":
        document, signed = consent_status(questionnaire.patient)
        if document is not None and not signed:
            return None
        return {"consent_document": document, "consent_signed": signed}
    if slug not in (questionnaire.answers or {}):
        return None
    form = bind(questionnaire, slug)
    return form.cleaned_data if form.is_valid() else None


def missing_sections(questionnaire) -> list[Section]:
    """Required sections whose stored answers are missing or not valid (in step order)."""
    return [s for s in SECTIONS if s.required and cleaned_section(questionnaire, s.slug) is None]


def consent_status(patient) -> tuple[ConsentDocument | None, bool]:
    """The clinic's current published consent (None if none) and whether the patient has signed it."""
    document = consent_current_document(patient.clinic)
    return document, bool(document is not None and consent_is_current(patient))


def consent_complete(patient) -> bool:
    document, signed = consent_status(patient)
    return document is None or signed


def display_answers(questionnaire, slug: str) -> list[tuple[str, str]]:
    """(question, answer as shown) for what is stored of a step, valid or not; empty answers left out."""
    section = BY_SLUG[slug]
    raw = (questionnaire.answers or {}).get(slug)
    if raw is None or section.kind in ("consent", "medications"):
        return []
    form = bind(questionnaire, slug)
    rows = []
    for name, field in form.fields.items():
        value = raw.get(name)
        if value in (None, "", []):
            continue
        choices = {str(k): v for k, v in getattr(field, "choices", ()) or ()}
        if isinstance(value, list):
            shown = ", ".join(str(choices.get(v, v)) for v in value)
        elif choices:
            shown = str(choices.get(value, value))
        elif name.endswith("_confirmed") or value == "on":
            shown = str(_("Yes"))
        else:
            shown = value
        rows.append((str(field.label), shown))
    return rows
