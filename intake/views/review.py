"""The clinician's side of intake: the review queue, the review page, the assessment with its signed
eligibility decision, and the prescriber's treatment plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kap_clinic.access import Action, can, clinic_for_request, clinics_where, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.services import audit_list_view
from kap_clinic.instruments import instrument
from kap_clinic.instruments.definitions import PCL5_SUBSCALE_NAMES
from kap_clinic.pagination import paginate
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import screening, selectors
from ..access import patient_for_request
from ..forms.assessment import AssessmentForm
from ..forms.plan import PlanForm, plan_initial
from ..forms.vitals import VitalsForm
from ..measure_schedule import schedule_labels
from ..models import Assessment, IntakeQuestionnaire, Route, TreatmentPlan
from ..screening_rules import ABSOLUTE, INTERACTION, RELATIVE
from ..sections import SECTIONS, cleaned_section, display_answers
from ..services.assessment import assessment_save_draft, assessment_sign, decision_problems
from ..services.plan import PLAN_FIELDS, plan_save, plan_sign

Status = IntakeQuestionnaire.Status


# --- the review queue -----------------------------------------------------------------------------


def _by_kind(flags) -> dict[str, list[dict]]:
    return {kind: [f for f in flags or () if f.get("kind") == kind] for kind in (ABSOLUTE, RELATIVE, INTERACTION)}


@role_required(User.Role.CLINICIAN)
def review_queue(request):
    """Submitted intakes of the user's clinics awaiting review, oldest first, with their flags."""
    clinics = list(clinics_where(request.user, Action.REVIEW_QUEUE))
    if not clinics:
        clinic_for_request(request, Action.REVIEW_QUEUE)  # 403, audited
    page, page_query = paginate(request, selectors.review_queue(clinics))
    for questionnaire in page:
        questionnaire.flags_by_kind = _by_kind(questionnaire.flags)
    audit_list_view(actor=request.user, clinics=clinics, detail=f"review queue, page {page.number}")
    return render(
        request,
        "intake/review/queue.html",
        {"page": page, "page_query": page_query, "several_clinics": len(clinics) > 1},
    )


# --- the review page ------------------------------------------------------------------------------


def _baseline_scores(patient, questionnaire) -> list[dict]:
    """Each baseline measure's score and band: the stored responses, else the intake's own answers."""
    scores = []
    stored = {response.instrument: response for response in selectors.baseline_measures(patient)}
    for section in SECTIONS:
        if section.kind != "measure":
            continue
        definition = instrument(section.slug)
        response = stored.get(definition.key)
        if response is not None:
            total, band, subscores, risk = response.total, response.band, response.subscores, response.risk
            flags, level = response.flags, ""
        else:
            cleaned = cleaned_section(questionnaire, section.slug) if questionnaire else None
            result = cleaned.get("score") if cleaned else None
            if result is None:
                scores.append({"name": definition.short_name, "missing": True})
                continue
            total, band, subscores, risk = result.total, result.band, result.subscores, result.risk
            flags, level = result.flags, result.level
        scores.append(
            {
                "name": definition.short_name,
                "total": total,
                "max": definition.max_total if total is not None else None,
                "band": band,
                "level": level,
                "risk": risk,
                "subscores": [(PCL5_SUBSCALE_NAMES.get(key, key), value) for key, value in (subscores or {}).items()],
                "flags": flags,
            }
        )
    return scores


def _review_context(request, patient, questionnaire) -> dict:
    draft = selectors.assessment_draft(patient)
    vitals = draft.vitals if draft is not None else None
    flags = screening.screen(questionnaire, vitals=vitals) if questionnaire is not None else []
    sections = []
    if questionnaire is not None:
        for section in SECTIONS:
            if section.kind != "form":
                continue
            sections.append(
                {
                    "section": section,
                    "rows": display_answers(questionnaire, section.slug),
                    "valid": cleaned_section(questionnaire, section.slug) is not None,
                }
            )
    return {
        "patient": patient,
        "questionnaire": questionnaire,
        "sections": sections,
        "medications": list(questionnaire.medications.all()) if questionnaire is not None else [],
        "scores": _baseline_scores(patient, questionnaire),
        "flag_groups": screening.group_flags(flags),
        "has_absolute": screening.has_absolute(flags),
        "vitals": vitals,
        "alerts": selectors.patient_open_alerts(patient),
        "draft": draft,
        "signed": selectors.assessment_signed(patient),
        "may_plan": can(request.user, Action.WRITE_PLAN, patient=patient),
    }


@login_required
def intake_review(request, code):
    """Everything the patient told us, summarised, with the screening flags and baseline scores."""
    patient = patient_for_request(request, code, Action.REVIEW_INTAKE)
    questionnaire = selectors.questionnaire_of(patient)
    return render(request, "intake/review/review.html", _review_context(request, patient, questionnaire))


# --- the assessment -------------------------------------------------------------------------------


def _vitals_initial(vitals) -> dict:
    if vitals is None:
        return {}
    initial = {
        name: getattr(vitals, name)
        for name in ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "height_cm")
    }
    initial |= {"temperature": vitals.temperature_c, "temperature_unit": "C"}
    initial |= {"weight": vitals.weight_kg, "weight_unit": "kg"}
    return initial


@login_required
@once_per_form
def assessment_edit(request, code):
    """The assessment draft (any clinician of the clinic) and the eligibility decision (prescribers sign,
    after a confirmation page)."""
    patient = patient_for_request(request, code, Action.REVIEW_INTAKE)
    may_sign = can(request.user, Action.SIGN_ELIGIBILITY, patient=patient)
    questionnaire = selectors.questionnaire_of(patient)
    context = _review_context(request, patient, questionnaire) | {"may_sign": may_sign}
    if questionnaire is None or questionnaire.status != Status.SUBMITTED:
        return render(request, "intake/review/assessment.html", context)

    draft = context["draft"]
    weighed = selectors.latest_weight(patient)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    data = request.POST if action else None
    form = AssessmentForm(data, may_sign=may_sign, initial=AssessmentForm.initial_from(draft))
    vitals_form = VitalsForm(
        data,
        prefix="vitals",
        initial=_vitals_initial(draft.vitals if draft else None),
        previous_weight_kg=weighed.weight_kg if weighed else None,
    )
    context |= {"form": form, "vitals_form": vitals_form}
    if action in ("sign", "confirm") and not may_sign:
        messages.error(request, _("Only a prescriber can sign the eligibility decision. Save the draft instead."))
        return render(request, "intake/review/assessment.html", context, status=403)
    both_valid = action and form.is_valid() & vitals_form.is_valid()
    if not both_valid or action == "edit":  # "edit": back from the confirmation page, with what was typed
        return render(request, "intake/review/assessment.html", context)

    fields, vitals = form.assessment_fields(), vitals_form.vitals_data()
    if action == "sign":  # the confirmation step: nothing is written yet
        vitals_for_check = vitals or (draft.vitals and _vitals_initial(draft.vitals)) or {}
        flags = screening.screen(questionnaire, vitals=vitals_for_check)
        problems = decision_problems(
            **{name: fields.get(name, "") for name in ("decision", "evaluation", "indication", "indication_other")},
            decision_note=fields.get("decision_note", ""),
            override_reason=fields.get("override_reason", ""),
            has_absolute=screening.has_absolute(flags),
            has_blood_pressure=bool(vitals_for_check.get("systolic") and vitals_for_check.get("diastolic")),
        )
        if problems:
            for name, message in problems.items():
                form.add_error(name, message)
            return render(request, "intake/review/assessment.html", context)
        return render(
            request,
            "intake/review/assessment_confirm.html",
            context
            | {
                "decision": Assessment.Decision(fields["decision"]),
                "indication_label": dict(Assessment.Indication.choices).get(fields.get("indication"), ""),
                "confirm_flags": [f for f in flags if f["kind"] == ABSOLUTE],
            },
        )

    def write(_data):
        if action == "confirm":
            assessment_sign(patient=patient, by=request.user, vitals=vitals, **fields)
        else:
            assessment_save_draft(patient=patient, by=request.user, vitals=vitals, **fields)
        return patient

    if write_once(request, form, write) is None:
        return render(request, "intake/review/assessment.html", context)
    if action != "confirm":
        messages.success(request, _("The assessment draft was saved."))
        return redirect("intake:assessment_edit", code=patient.code)
    decision = Assessment.Decision(fields["decision"])
    messages.success(
        request,
        {
            Assessment.Decision.ELIGIBLE: _("Signed: eligible. The treatment plan can be written now."),
            Assessment.Decision.NOT_ELIGIBLE: _("Signed: not eligible. The chart shows it."),
            Assessment.Decision.NEEDS_INFO: _("Signed: the intake went back to the patient with your message."),
        }[decision],
    )
    if decision == Assessment.Decision.ELIGIBLE:
        return redirect("intake:plan_edit", code=patient.code)
    return redirect(patient)


# --- the treatment plan ---------------------------------------------------------------------------


def _plan_initial_from(plan) -> dict:
    return {name: getattr(plan, name) for name in PLAN_FIELDS}


@login_required
@once_per_form
def plan_edit(request, code):
    """The prescriber's plan: prefilled from the route's protocol (or the draft), saved as a draft, signed
    after a confirmation page. The current signed plan is shown alongside."""
    patient = patient_for_request(request, code, Action.WRITE_PLAN)
    eligible = selectors.eligible_assessment(patient)
    current = selectors.plan_current(patient)
    draft = selectors.plan_draft(patient)
    context = {
        "patient": patient,
        "eligible": eligible,
        "current": current,
        "current_schedule": schedule_labels(current.measure_schedule) if current else [],
        "draft": draft,
        "routes": Route.choices,
        "signed_assessment": selectors.assessment_signed(patient),
    }
    if eligible is None:
        return render(request, "intake/review/plan.html", context)

    route = request.GET.get("route")
    if route in Route.values:
        initial = plan_initial(clinic=patient.clinic, route=route, indication=eligible.indication)
    elif draft is not None:
        initial = _plan_initial_from(draft)
    else:
        route = current.route if current else Route.IV
        initial = plan_initial(clinic=patient.clinic, route=route, indication=eligible.indication)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    form = PlanForm(request.POST if action else None, patient=patient, initial=initial)
    context["form"] = form
    if not action or not form.is_valid() or action == "edit":
        return render(request, "intake/review/plan.html", context)
    fields = form.plan_fields()
    if action == "sign":
        preview = TreatmentPlan(patient=patient, **fields)
        return render(
            request,
            "intake/review/plan_confirm.html",
            context | {"schedule": schedule_labels(fields["measure_schedule"]), "preview": preview},
        )

    def write(_data):
        service = plan_sign if action == "confirm" else plan_save
        service(patient=patient, by=request.user, **fields)
        return patient

    if write_once(request, form, write) is None:
        return render(request, "intake/review/plan.html", context)
    if action == "confirm":
        messages.success(request, _("The treatment plan is signed and is now the current plan."))
        return redirect(patient)
    messages.success(request, _("The plan draft was saved."))
    return redirect("intake:plan_edit", code=patient.code)
