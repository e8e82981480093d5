"""The patient's intake questionnaire: step by step, saved as a draft at every move, submitted once.

No code in these URLs: they always act on the logged-in patient's own chart. Nothing typed is lost:
each step's raw answers are kept whether valid or not, and a step sent after the session expired is
kept in the (anonymous) session until the same patient logs in again.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from kap_clinic.access import Action, role_required
from kap_clinic.accounts.models import User

from .. import sections
from ..access import patient_for_request
from ..forms.questionnaire import MAX_MEDICATION_ROWS, MEDICATION_PREFIX
from ..models import Patient
from ..services import questionnaire as services

STASH_KEY = "intake_questionnaire_stash"
SAFETY_KEY = "intake_questionnaire_safety"
OWNER_SALT = "intake.questionnaire.owner"
OWNER_MAX_AGE = 60 * 60 * 24 * 14  # a form left open for up to two weeks can still be kept
STASH_MAX_CHARS = 64_000
ACTIONS = ("continue", "back", "later", "add_row")


def owner_token(patient: Patient) -> str:
    """Signed proof, carried by the step form, of whose draft it is (read back after a re-login)."""
    return signing.dumps(str(patient.code), salt=OWNER_SALT)


def _token_owner(token: str) -> str | None:
    try:
        return signing.loads(token or "", salt=OWNER_SALT, max_age=OWNER_MAX_AGE)
    except signing.BadSignature:
        return None


def own_patient(request, action: Action = Action.VIEW_CHART) -> Patient:
    """The logged-in patient's chart, through the access policy (which audits the read)."""
    code = Patient.objects.filter(user=request.user).values_list("code", flat=True).first()
    if code is None:
        raise Http404(_("Your account has no patient chart."))
    return patient_for_request(request, code, action)


def keep_when_logged_out(view):
    """A step sent by someone no longer logged in (the session expired) is kept in the session, with
    the form's owner token, and they are sent to log in; `_restore_stash` puts it back afterwards."""

    @wraps(view)
    def wrapped(request, step, **kwargs):
        if request.method == "POST" and not request.user.is_authenticated:
            _stash(request, step)
            return redirect_to_login(reverse("intake:questionnaire_step", kwargs={"step": step}))
        return view(request, step=step, **kwargs)

    return wrapped


def _stash(request, step: str) -> None:
    section = sections.section(step)
    token = request.POST.get("owner", "")
    if section is None or _token_owner(token) is None:
        return
    data = {key: request.POST.getlist(key) for key in request.POST if section.accepts(key)}
    if sum(len(value) for values in data.values() for value in values) > STASH_MAX_CHARS:
        return
    request.session[STASH_KEY] = {"step": step, "owner": token, "data": data}
    messages.info(
        request, _("You were logged out, so your answers were not saved yet. Log in again and we'll put them back.")
    )


def _restore_stash(request, patient: Patient, questionnaire) -> str | None:
    """Merge a stash left by this patient before a re-login into the draft; discard anyone else's.
    Returns the step it belongs to when it was restored."""
    stash = request.session.pop(STASH_KEY, None)
    if not isinstance(stash, dict):
        return None
    section = sections.section(stash.get("step", ""))
    if section is None or _token_owner(stash.get("owner", "")) != str(patient.code) or not questionnaire.is_editable:
        return None
    data = sections.raw_answers(section, MultiValueDict(stash.get("data") or {}))
    saved = services.questionnaire_save_step(
        questionnaire=questionnaire, slug=section.slug, data=data, by=request.user, action="later"
    )
    _note_safety(request, saved)
    messages.success(request, _("We kept what you typed before you were logged out. Check it and carry on."))
    return section.slug


def _note_safety(request, saved) -> None:
    if saved.alerts:
        request.session[SAFETY_KEY] = True


def _safety_notice(request) -> bool:
    return bool(request.session.pop(SAFETY_KEY, False))


def _step_url(slug: str) -> str:
    return reverse("intake:questionnaire_step", kwargs={"step": slug})


def _progress(questionnaire, current: str | None) -> dict:
    done = set(questionnaire.completed_steps or [])
    steps = [
        {"number": number, "section": section, "done": section.slug in done, "current": section.slug == current}
        for number, section in enumerate(sections.SECTIONS, start=1)
    ]
    return {
        "steps": steps,
        "number": sections.position(current) if current else len(steps),
        "total": len(steps),
        "done_count": sum(1 for step in steps if step["done"]),
    }


def _read_only(request, questionnaire):
    messages.info(
        request,
        _("Your intake was submitted; it can't be changed now. Your care team will contact you if they need more."),
    )
    return redirect("intake:questionnaire_answers")


@role_required(User.Role.PATIENT)
def questionnaire_resume(request):
    """Back to where the patient left off: the step they were on, else the first one not complete."""
    patient = own_patient(request, Action.FILL_INTAKE)
    questionnaire = services.questionnaire_for_patient(patient=patient)
    if not questionnaire.is_editable:
        return redirect("intake:questionnaire_answers")
    # a returned intake: every page of it shows the care team's message (_returned.html)
    if questionnaire.current_step == services.SUBMIT_STEP:
        return redirect("intake:questionnaire_submit")
    if sections.section(questionnaire.current_step):
        return redirect(_step_url(questionnaire.current_step))
    missing = sections.missing_sections(questionnaire)
    return redirect(_step_url(missing[0].slug) if missing else reverse("intake:questionnaire_submit"))


@keep_when_logged_out
@role_required(User.Role.PATIENT)
def questionnaire_step(request, step):
    section = sections.section(step)
    if section is None:
        raise Http404(_("There is no such step."))
    patient = own_patient(request, Action.FILL_INTAKE)
    questionnaire = services.questionnaire_for_patient(patient=patient)
    if request.method == "GET":
        restored = _restore_stash(request, patient, questionnaire)
        if restored is not None:
            questionnaire.refresh_from_db()
            if restored != step:
                return redirect(_step_url(restored))
    if not questionnaire.is_editable:
        return _read_only(request, questionnaire)
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        action = action if action in ACTIONS else "continue"
        data = sections.raw_answers(section, request.POST)
        if action == "add_row" and section.kind == "medications":
            data = _with_another_row(data)
        try:
            saved = services.questionnaire_save_step(
                questionnaire=questionnaire, slug=step, data=data, by=request.user, action=action
            )
        except ValidationError:
            return _read_only(request, questionnaire)
        _note_safety(request, saved)
        if action == "back":
            before = sections.previous_section(step)
            return redirect(_step_url(before.slug) if before else "intake:patient_home")
        if action == "later":
            messages.success(request, _("Your answers are saved. You can carry on where you left off any time."))
            return redirect("intake:patient_home")
        if action == "add_row":
            return redirect(_step_url(step) + "#medication-rows")
        if saved.valid:
            following = sections.next_section(step)
            return redirect(_step_url(following.slug) if following else reverse("intake:questionnaire_submit"))
        questionnaire, form = saved.questionnaire, saved.form
        messages.error(request, _("Your answers are saved, but some need another look: see the notes below."))
    else:
        if section.kind == "consent":  # nothing typed here: no "sign first" error before the patient tries
            form = section.form_class(questionnaire=questionnaire)
        else:
            form = sections.bind(questionnaire, step)
        if section.kind != "consent" and (questionnaire.answers or {}).get(step) is not None:
            form.is_valid()  # a stored step shows what is still missing
    return render(
        request,
        "intake/questionnaire/step.html",
        {
            "patient": patient,
            "questionnaire": questionnaire,
            "section": section,
            "form": form,
            "progress": _progress(questionnaire, step),
            "previous": sections.previous_section(step),
            "owner_token": owner_token(patient),
            "safety_notice": _safety_notice(request),
            "crisis_now": _calls_for_safety(form),
            **_step_context(section, patient),
        },
    )


def _with_another_row(data: dict) -> dict:
    key = f"{MEDICATION_PREFIX}-TOTAL_FORMS"
    try:
        rows = int(data.get(key, 0))
    except (TypeError, ValueError):
        rows = 0
    return {**data, key: str(min(rows + 1, MAX_MEDICATION_ROWS))}


def _calls_for_safety(form) -> bool:
    result = getattr(form, "score_result", None)
    return bool(result is not None and result.needs_safety_alert)


def _step_context(section, patient) -> dict:
    if section.kind == "measure":
        return {"instrument": section.instrument}
    if section.kind == "consent":
        document, signed = sections.consent_status(patient)
        return {"consent_document": document, "consent_signed": signed}
    return {}


@role_required(User.Role.PATIENT)
def questionnaire_submit(request):
    """The summary before sending: each section complete or not; sending needs them all."""
    patient = own_patient(request, Action.FILL_INTAKE)
    questionnaire = services.questionnaire_for_patient(patient=patient)
    error = None
    if request.method == "POST":
        try:
            questionnaire, submitted_now = services.questionnaire_submit(questionnaire=questionnaire, by=request.user)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            if submitted_now:
                messages.success(
                    request, _("Thank you: your intake was sent to your care team. They will be in touch.")
                )
            else:
                messages.info(request, _("Your intake was already submitted; nothing was changed."))
            return redirect("intake:questionnaire_answers")
    if not questionnaire.is_editable:
        return redirect("intake:questionnaire_answers")
    missing = {section.slug for section in sections.missing_sections(questionnaire)}
    return render(
        request,
        "intake/questionnaire/submit.html",
        {
            "patient": patient,
            "questionnaire": questionnaire,
            "rows": [{"section": s, "complete": s.slug not in missing} for s in sections.SECTIONS],
            "missing": [s for s in sections.SECTIONS if s.slug in missing],
            "error": error,
            "progress": _progress(questionnaire, None),
            "safety_notice": _safety_notice(request),
        },
        status=200,
    )


@role_required(User.Role.PATIENT)
def questionnaire_answers(request):
    """Everything the patient answered, read-only, with the measures' scores."""
    patient = own_patient(request, Action.VIEW_CHART)
    questionnaire = services.questionnaire_for_patient(patient=patient)
    groups = []
    for section in sections.SECTIONS:
        cleaned = sections.cleaned_section(questionnaire, section.slug)
        groups.append(
            {
                "section": section,
                "complete": cleaned is not None,
                "saved": section.slug in (questionnaire.answers or {}),
                "rows": sections.display_answers(questionnaire, section.slug),
                "score": (cleaned or {}).get("score") if section.kind == "measure" else None,
                "index_event": (cleaned or {}).get("index_event", ""),
            }
        )
    document, signed = sections.consent_status(patient)
    return render(
        request,
        "intake/questionnaire/answers.html",
        {
            "patient": patient,
            "questionnaire": questionnaire,
            "groups": groups,
            "medications": list(questionnaire.medications.all()),
            "consent_document": document,
            "consent_signed": signed,
        },
    )
