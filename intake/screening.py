"""Screening an intake against the rules in `screening_rules` (contraindications and interactions).

`screen_questionnaire` runs at submission (the flags are stored on the questionnaire for the review
queue); `screen` also takes the baseline vitals, at the assessment, whose flags are kept on it. Each
flag is a JSON-serialisable dict: code, kind, title, detail, advice, source.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kap_clinic.instruments import instrument, score

from . import screening_rules as rules
from .medications import AS_NEEDED_NOTE, DIAZEPAM_EQUIVALENCE_SOURCE, DIAZEPAM_FLAG_MG_PER_DAY
from .models import Medication
from .sections import cleaned_section

KIND_ORDER = {kind: n for n, kind in enumerate(rules.KINDS)}


def screen_questionnaire(questionnaire) -> list[dict]:
    """The flags (JSON-serialisable dicts) a submitted intake raises; stored on the questionnaire at submission."""
    return screen(questionnaire)


def screen(questionnaire, *, vitals=None) -> list[dict]:
    """The flags an intake raises, with the baseline `vitals` (a VitalSigns or a dict with systolic and
    diastolic, mmHg) when given: absolute contraindications first, then relative ones, then interactions."""
    sections: dict[str, dict | None] = {}
    unreadable: list[str] = []

    def section(slug: str) -> dict | None:
        if slug not in sections:
            sections[slug] = cleaned_section(questionnaire, slug)
            if sections[slug] is None:
                unreadable.append(slug)
        return sections[slug]

    medications = list(questionnaire.medications.all()) if questionnaire.pk else []
    flags = []
    for rule in rules.RULES:
        detail = _check(rule, section=section, medications=medications, vitals=vitals)
        if detail is not None:
            flags.append(_flag(rule, detail))
    flags.sort(key=lambda flag: KIND_ORDER[flag["kind"]])
    for slug in unreadable:
        flags.append(
            {
                "code": f"unchecked_{slug}",
                "kind": rules.RELATIVE,
                "title": _("Answers not checked: %(section)s") % {"section": slug},
                "detail": _("These answers are missing or no longer valid, so the rules could not read them."),
                "advice": _("Check this part of the intake by hand, or return the intake to the patient."),
                "source": "",
            }
        )
    return flags


def has_absolute(flags: list[dict]) -> bool:
    return any(flag["kind"] == rules.ABSOLUTE for flag in flags)


def group_flags(flags: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """(kind, its label, its flags) for each kind, in order, for pages that show flags grouped."""
    return [(kind, rules.KIND_LABELS[kind], [f for f in flags if f.get("kind") == kind]) for kind in rules.KINDS]


def _flag(rule: rules.Rule, detail: str) -> dict:
    return {
        "code": rule.code,
        "kind": rule.kind,
        "title": str(rule.title),
        "detail": detail,
        "advice": str(rule.advice),
        "source": rule.source,
    }


def _check(rule: rules.Rule, *, section, medications, vitals) -> str | None:
    """The flag's detail when `rule` fires, else None."""
    check = rule.check
    if isinstance(check, rules.Answer):
        return _check_answer(check, section(check.section))
    if isinstance(check, rules.MedicationClass):
        return _check_medications(check, medications)
    if isinstance(check, rules.BloodPressure):
        return _check_blood_pressure(check, vitals)
    if isinstance(check, rules.MeasureFlag):
        return _check_measure(check, section(check.section))
    raise TypeError(f"unknown check {check!r}")


def _yes_no(value):
    """Yes/no answers clean to True/False, tri-state ones stay "yes"/"no"/"unsure": compare them alike."""
    return {"yes": True, "no": False}.get(value, value) if isinstance(value, str) else value


def _matches(value, wanted: tuple) -> bool:
    if isinstance(value, list | tuple | set):
        return any(_matches(item, wanted) for item in value)
    return _yes_no(value) in [_yes_no(item) for item in wanted]


def _check_answer(check: rules.Answer, answers: dict | None) -> str | None:
    if answers is None:
        return None
    if not all(_matches(answers.get(name), wanted) for name, wanted in check.when.items()):
        return None
    parts = [f"{name}: {_show(answers.get(name))}" for name in check.when]
    parts += [f"{name}: {_show(answers[name])}" for name in check.detail_fields if answers.get(name) not in ("", None)]
    return "; ".join(parts)


def _show(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value in (None, ""):
        return _("not answered")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _medication_line(med: Medication) -> str:
    parts = [med.name]
    if med.generic_name and med.generic_name.lower() not in med.name.lower():
        parts.append(f"({med.generic_name})")
    if med.dose is not None:
        parts.append(f"{_number(med.dose)} {med.unit}".strip())
    if med.frequency:
        parts.append(str(med.get_frequency_display()).lower())
    return " ".join(parts)


def _check_medications(check: rules.MedicationClass, medications: list[Medication]) -> str | None:
    found = [med for med in medications if med.drug_class == check.drug_class]
    if not found:
        return None
    if check.drug_class != Medication.DrugClass.BENZODIAZEPINE:
        return "; ".join(_medication_line(med) for med in found)
    return _benzodiazepine_detail(found)


def _benzodiazepine_detail(found: list[Medication]) -> str:
    """Each benzodiazepine with its daily diazepam-equivalent dose, the total, and the >8 mg/day marker."""
    lines, total, unknown = [], Decimal(0), False
    for med in found:
        if med.diazepam_mg_per_day is None:
            unknown = True
            lines.append(
                _("%(med)s: diazepam equivalent unknown (dose, unit or frequency missing)")
                % {"med": _medication_line(med)}
            )
        else:
            total += med.diazepam_mg_per_day
            lines.append(
                _("%(med)s ≈ %(mg)s mg diazepam/day")
                % {"med": _medication_line(med), "mg": _number(med.diazepam_mg_per_day.quantize(Decimal("0.1")))}
            )
    if any(med.frequency == Medication.Frequency.AS_NEEDED for med in found):
        lines.append(str(AS_NEEDED_NOTE))
    if len(found) > 1 or unknown:
        lines.append(
            _("total ≈ %(mg)s mg diazepam/day%(more)s")
            % {"mg": _number(total.quantize(Decimal("0.1"))), "more": _(" or more") if unknown else ""}
        )
    if total > DIAZEPAM_FLAG_MG_PER_DAY:
        lines.append(
            _("above %(limit)s mg diazepam-equivalent a day: predicted non-response (§4.3 [S96])")
            % {"limit": _number(DIAZEPAM_FLAG_MG_PER_DAY)}
        )
    lines.append(_("equivalents from the %(source)s") % {"source": DIAZEPAM_EQUIVALENCE_SOURCE})
    return "; ".join(lines)


def _vital(vitals, name: str):
    if vitals is None:
        return None
    return vitals.get(name) if isinstance(vitals, dict) else getattr(vitals, name, None)


def _check_blood_pressure(check: rules.BloodPressure, vitals) -> str | None:
    systolic, diastolic = _vital(vitals, "systolic"), _vital(vitals, "diastolic")
    if systolic is None and diastolic is None:
        return None

    def above(limits) -> bool:
        return (systolic is not None and systolic > limits[0]) or (diastolic is not None and diastolic > limits[1])

    if not above(check.above) or (check.up_to is not None and above(check.up_to)):
        return None
    shown = f"{systolic if systolic is not None else '—'}/{diastolic if diastolic is not None else '—'}"
    return _("baseline BP %(bp)s mmHg (limit %(sys)s/%(dia)s mmHg)") % {
        "bp": shown,
        "sys": check.above[0],
        "dia": check.above[1],
    }


def _check_measure(check: rules.MeasureFlag, answers: dict | None) -> str | None:
    if answers is None:
        return None
    result = answers.get("score")  # the measure step scores itself when it validates
    if result is None:
        try:
            result = score(check.section, answers)
        except ValidationError:
            return None
    if check.flag not in result.flags:
        return None
    if result.total is not None:
        return _("%(instrument)s total %(total)s (%(band)s)") % {
            "instrument": instrument(check.section).short_name,
            "total": result.total,
            "band": result.band,
        }
    return str(result.band)
