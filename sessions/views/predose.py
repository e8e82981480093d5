"""The pre-dose check, a prescriber's override of it, and the administration of a dose.

Each page reaches its session through `session_for_request` (404 when the user may not act on it,
audited either way) and writes through one service in `sessions.services.predose`. After a write the
user lands on the session's page, which shows the check's outcome and the doses (`_predose.html`,
`_administrations.html`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from intake.models import Medication, SafetyAlert
from intake.services.consent import consent_is_current
from intake.services.protocol import screener_wording_for
from kap_clinic.access import Action, can
from kap_clinic.instruments import CSSRS, PHQ9
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import predose_rules
from ..access import session_for_request
from ..forms.predose import AdministrationForm, OverrideForm, PreDoseForm, predose_vitals_form
from ..models import DosingSession, PreDoseCheck
from ..quantities import fmt_quantity
from ..services import predose as services

Status = DosingSession.Status
OUTCOME_LEVEL = {
    PreDoseCheck.Outcome.PASS: messages.SUCCESS,
    PreDoseCheck.Outcome.REVIEW: messages.WARNING,
    PreDoseCheck.Outcome.HOLD: messages.ERROR,
}


def _check_of(session):
    return (
        PreDoseCheck.objects.filter(session=session)
        .select_related("vitals", "risk_screen", "phq9", "recorded_by", "override_by")
        .first()
    )


def _flags(session, check, user) -> dict:
    """What the partials need to show their links."""
    return {
        "session": session,
        "check": check,
        "patient": session.patient,
        "plan": session.plan,
        "is_signed": session.is_signed,
        "may_run": can(user, Action.RUN_SESSION, patient=session.patient),
        "may_override": can(user, Action.OVERRIDE_DOSING, patient=session.patient),
    }


# --- the pre-dose check -------------------------------------------------------------------------


@login_required
@once_per_form
def predose_check(request, code):
    """The pre-dose check: the questions, the vitals (a weight when needed), the risk screen since the last
    visit and the PHQ-9 when due. Recording it checks a scheduled patient in."""
    session = session_for_request(request, code, Action.RUN_SESSION)
    patient = session.patient
    check = _check_of(session)
    context = _flags(session, check, request.user)
    open_for_recording = (
        not session.is_signed
        and session.status in (Status.SCHEDULED, Status.CHECKED_IN)
        and (check is None or not check.cleared)
    )
    if not open_for_recording:
        return render(request, "dosing/session/predose.html", context | {"form": None})

    weighed = services.latest_weight(patient)
    weight_needed = services.weight_needed(session, weighed=weighed)
    phq9_due = services.phq9_is_due(patient)
    wording, licensed = screener_wording_for(patient.clinic)
    data = request.POST if request.method == "POST" else None
    form = PreDoseForm(data, session=session, wording=wording, phq9_due=phq9_due)
    vitals_form = predose_vitals_form(
        data,
        weight_needed=weight_needed,
        weight_message=services.weight_needed_message(session, weighed),
        previous_weight_kg=weighed.weight_kg if weighed else None,
    )
    recorded = []

    def record(_data):
        recorded.append(
            services.predose_record(
                session=session,
                data=form.check_data(),
                vitals_data=vitals_form.vitals_data(),
                risk_answers=form.risk_answers(),
                phq9_answers=form.phq9_answers(),
                by=request.user,
            )
        )
        return session

    if request.method == "POST" and vitals_form.is_valid() and write_once(request, form, record) is not None:
        _tell_outcome(request, recorded[0])
        return redirect(session)
    if request.method == "POST" and not vitals_form.is_valid():
        form.is_valid()  # show the other fields' errors too
    return render(
        request,
        "dosing/session/predose.html",
        context
        | {
            "form": form,
            "vitals_form": vitals_form,
            "weighed": weighed,
            "weight_needed": weight_needed,
            "weight_max_age_days": patient.clinic.weight_max_age_days,
            "phq9_due": phq9_due,
            "last_phq9_at": services.last_phq9_at(patient),
            "phq9": PHQ9,
            "cssrs": CSSRS,
            "wording_licensed": licensed,
            "intake_escort": services.escort_from_intake(patient),
            "medications": list(Medication.objects.filter(questionnaire__patient=patient).order_by("position", "pk")),
            "eligibility": services.eligibility(session),
            "consent_current": consent_is_current(patient),
            "open_alerts": list(
                SafetyAlert.objects.filter(patient=patient, acknowledged_at__isnull=True).order_by("-opened_at")
            ),
            "rules": predose_rules.RULES,
        },
    )


def _tell_outcome(request, check: PreDoseCheck) -> None:
    if check.outcome == PreDoseCheck.Outcome.PASS:
        text = _("Pre-dose check passed: the dose can be given.")
    elif check.outcome == PreDoseCheck.Outcome.REVIEW:
        text = _("Pre-dose check: a prescriber's review is needed before the dose — %(what)s.")
    elif predose_rules.overridable(check.findings):
        text = _("Pre-dose check: hold the dose — %(what)s. Only a prescriber can clear it, with a written reason.")
    else:
        text = _("Pre-dose check: hold the dose — %(what)s. This can't be overridden: resolve it, then check again.")
    what = "; ".join(finding["title"] for finding in check.findings)
    messages.add_message(request, OUTCOME_LEVEL[check.outcome], text % {"what": what} if "%(what)s" in text else text)
    flags = set(check.risk_screen.flags) | set(check.phq9.flags if check.phq9 else ())
    opened = [label for source, label in SafetyAlert.Source.choices if source in flags]
    if opened:
        messages.error(
            request,
            _(
                "Safety alert: %(alerts)s. The clinic's clinicians have been alerted; do not leave the patient "
                "alone until a clinician has evaluated them, and acknowledge the alert on the alerts page."
            )
            % {"alerts": "; ".join(str(label) for label in opened)},
        )


# --- a prescriber's override ----------------------------------------------------------------------


@login_required
@once_per_form
def predose_override(request, code):
    """A prescriber reviews the findings and clears the check with a written reason (a confirmation page)."""
    session = session_for_request(request, code, Action.OVERRIDE_DOSING)
    check = _check_of(session)
    context = _flags(session, check, request.user)
    blocking = [f for f in (check.findings if check else ()) if not f.get("overridable")]
    problem = ""
    if session.is_signed:
        problem = _("This session is signed and can no longer change.")
    elif check is None:
        problem = _("No pre-dose check has been recorded yet.")
    elif check.outcome == PreDoseCheck.Outcome.PASS:
        problem = _("The pre-dose check passed: there is nothing to override.")
    elif check.override_reason:
        problem = _("This pre-dose check was already cleared.")
    elif session.status != Status.CHECKED_IN:
        problem = _("The check can be cleared only before the dose.")
    elif blocking:
        problem = _("Some findings can't be overridden: resolve them, then record the pre-dose check again.")
    if problem:
        return render(
            request, "dosing/session/predose_override.html", context | {"problem": problem, "blocking": blocking}
        )
    form = OverrideForm(request.POST or None)

    def clear(data):
        services.predose_override(check=check, reason=data["reason"], by=request.user)
        return session

    if write_once(request, form, clear) is not None:
        messages.success(request, _("Pre-dose check cleared with your reason: the dose can be given."))
        return redirect(session)
    return render(request, "dosing/session/predose_override.html", context | {"form": form})


# --- the administration ------------------------------------------------------------------------------


@login_required
@once_per_form
def administration_add(request, code):
    """Record a dose (or a booster, or one esketamine device): drug, route, mg (mg/kg from the latest
    weight), start and end, the lot it is drawn from, who gave it; a prescriber's reason when a
    guardrail needs one."""
    session = session_for_request(request, code, Action.RUN_SESSION)
    check = _check_of(session)
    context = _flags(session, check, request.user) | {
        "administrations": session.administrations.select_related("lot", "administered_by", "override_by"),
    }
    if not services.may_administer(session):
        return render(request, "dosing/session/administer.html", context | {"form": None})
    form = AdministrationForm(request.POST or None, session=session, user=request.user)
    recorded = []

    def administer(data):
        recorded.append(
            services.administration_record(
                session=session,
                lot=data["lot"],
                dose_mg=data["dose_mg"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                administered_by=data["administered_by"],
                override_reason=data["override_reason"],
                by=request.user,
                drug=data["drug"],
                route=data["route"],
            )
        )
        return session

    if write_once(request, form, administer) is not None:
        given = recorded[0]
        per_kg = _(" (%(v)s mg/kg)") % {"v": given.mg_per_kg} if given.mg_per_kg is not None else ""
        messages.success(
            request,
            _("Recorded: %(mg)s mg%(per_kg)s %(route)s from lot %(lot)s. The lot now holds %(balance)s.")
            % {
                "mg": f"{given.dose_mg.normalize():f}",
                "per_kg": per_kg,
                "route": given.get_route_display(),
                "lot": given.lot.lot_number,
                "balance": fmt_quantity(given.lot, given.ledger_entry.balance_after_mg),
            },
        )
        return redirect(session)
    return render(request, "dosing/session/administer.html", context | {"form": form})
