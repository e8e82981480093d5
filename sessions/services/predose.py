"""The pre-dose check and the administration of a dose: each write in one transaction, with its checks
and audit event. Rules: `sessions.predose_rules` (review, hold) and `sessions.dose_rules` (guardrails).

Pipeline: a session that is still "scheduled" is checked in by recording its pre-dose check (the
patient is there); the check may be recorded again while it is not cleared (a repeated BP, an escort
who arrived), the new one replacing it; once cleared (a pass, or a prescriber's written override) the
dose can be given, which moves the session to "dosing". A booster or a further esketamine device is
a further administration while the session is dosing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import selectors as intake_selectors
from intake.models import Assessment, DoseUnit, Drug, MeasureResponse, Route, SafetyAlert, SexAtBirth, VitalSigns
from intake.protocol import route_protocol
from intake.services.consent import consent_is_current
from intake.services.measures import measure_record
from kap_clinic.access import Action, can
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.instruments import CSSRS, PHQ9

from .. import clinic_time, dose_rules, predose_rules
from ..models import Administration, DosingSession, Lot, PreDoseCheck
from .ledger import ledger_administer
from .pipeline import session_set_status

Status = DosingSession.Status
FUTURE_SKEW = clinic_time.CLOCK_SKEW
VITALS_REQUIRED = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "temperature_c")
VITAL_LABELS = {
    "systolic": "systolic BP",
    "diastolic": "diastolic BP",
    "heart_rate": "heart rate",
    "spo2": "SpO₂",
    "respiratory_rate": "respiratory rate",
    "temperature_c": "temperature",
}
CHECK_FIELDS = (
    "hours_since_food",
    "hours_since_fluids",
    "escort_name",
    "escort_phone",
    "alcohol_last_24h",
    "held_medications_last_24h",
    "new_medications",
    "new_medications_details",
    "pregnancy",
)


# --- what the pages and the rules read -------------------------------------------------------------


def latest_weight(patient) -> VitalSigns | None:
    """The newest vitals with a weight (what mg/kg is computed from)."""
    return intake_selectors.latest_weight(patient)


_LOOK_UP = object()


def weight_needed(session: DosingSession, *, at: datetime.datetime | None = None, weighed=_LOOK_UP) -> bool:
    """A mg/kg plan needs a weight measured within the clinic's limit (`Clinic.weight_max_age_days`).
    `weighed`: the latest weighed vitals if the caller has them (None: no weight on record)."""
    if session.plan.dose_unit != DoseUnit.MG_PER_KG:
        return False
    weighed = latest_weight(session.patient) if weighed is _LOOK_UP else weighed
    return not predose_rules.weight_is_current(
        weighed.measured_at if weighed else None,
        max_age_days=session.patient.clinic.weight_max_age_days,
        at=at or timezone.now(),
    )


def last_phq9_at(patient) -> datetime.datetime | None:
    return (
        MeasureResponse.objects.filter(patient=patient, instrument=PHQ9.key)
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )


def phq9_is_due(patient, *, at: datetime.datetime | None = None) -> bool:
    return predose_rules.phq9_due(last_phq9_at(patient), at or timezone.now())


def eligibility(session: DosingSession) -> tuple[bool, str]:
    """Is the patient still eligible for this session: the latest signed assessment says eligible, and
    the session's plan is signed. Returns (valid, why not)."""
    assessment = intake_selectors.assessment_signed(session.patient)
    if assessment is None:
        return False, _("No signed eligibility assessment.")
    if assessment.decision != Assessment.Decision.ELIGIBLE:
        return False, _("The latest signed assessment (%(date)s) decided: %(decision)s.") % {
            "date": f"{clinic_time.clinic_date(session.patient.clinic, assessment.signed_at):%Y-%m-%d}",
            "decision": assessment.get_decision_display(),
        }
    if not session.plan.is_signed:
        return False, _("The session's treatment plan is not signed.")
    return True, ""


def pregnancy_relevant(patient) -> bool:
    """Where pregnancy is possible: not recorded as male at birth."""
    return patient.sex_at_birth != SexAtBirth.MALE


def escort_from_intake(patient) -> dict[str, str]:
    """The ride home the patient named in the intake's support step, if any."""
    questionnaire = getattr(patient, "questionnaire", None)
    support = ((questionnaire.answers or {}).get("support") or {}) if questionnaire else {}
    return {"escort_name": support.get("ride_home_name") or "", "escort_phone": support.get("ride_home_phone") or ""}


def _open_alerts(patient) -> tuple[str, bool]:
    """The highest open risk-screen alert ("", "moderate", "high") and whether an item-9 alert is open."""
    sources = set(
        SafetyAlert.objects.filter(patient=patient, acknowledged_at__isnull=True).values_list("source", flat=True)
    )
    risk = (
        "high"
        if SafetyAlert.Source.CSSRS_HIGH in sources
        else "moderate"
        if SafetyAlert.Source.CSSRS_MODERATE in sources
        else ""
    )
    return risk, SafetyAlert.Source.PHQ9_ITEM9 in sources


# --- shared checks ---------------------------------------------------------------------------------


def _locked(session: DosingSession) -> DosingSession:
    session = (
        DosingSession.objects.select_for_update(of=("self",))
        .select_related("patient__clinic", "plan")
        .get(pk=session.pk)
    )
    if session.is_signed:
        raise ValidationError(_("This session is signed and can no longer change (add an addendum)."), code="signed")
    return session


def _may(user, action: Action, session: DosingSession, message: str) -> None:
    if not can(user, action, patient=session.patient):
        raise ValidationError(message, code="not_allowed")


def _decimal(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_("Enter %(name)s as a number.") % {"name": name}, code="invalid") from None
    if not number.is_finite():
        raise ValidationError(_("Enter %(name)s as a number.") % {"name": name}, code="invalid")
    return number


# --- the pre-dose check ----------------------------------------------------------------------------


def _clean_check_data(data: dict) -> dict:
    missing = [name for name in CHECK_FIELDS if name not in data and name != "new_medications_details"]
    if missing:
        raise ValueError(f"pre-dose data lacks {missing}")
    clean = {name: data.get(name) for name in CHECK_FIELDS}
    for name, label in (
        ("hours_since_food", _("the hours since food")),
        ("hours_since_fluids", _("the hours since liquids")),
    ):
        hours = _decimal(clean[name], label)
        if not Decimal(0) <= hours <= Decimal(72) or hours != hours.quantize(Decimal("0.1")):
            raise ValidationError(
                _("Enter %(name)s between 0 and 72, to one decimal place (e.g. 0.5 for 30 minutes).") % {"name": label},
                code="hours",
            )
        clean[name] = hours
    for name in ("escort_name", "escort_phone", "new_medications_details"):
        clean[name] = (clean[name] or "").strip()
    for name in ("alcohol_last_24h", "held_medications_last_24h", "new_medications"):
        if not isinstance(clean[name], bool):
            raise ValidationError(_("Answer every yes/no question."), code="yes_no")
    if clean["new_medications"] and not clean["new_medications_details"]:
        raise ValidationError(_("Name the new medications (and their doses)."), code="new_medications")
    if clean["pregnancy"] not in PreDoseCheck.Pregnancy.values:
        raise ValidationError(_("Choose the pregnancy status."), code="pregnancy")
    return clean


@transaction.atomic
def predose_record(
    *,
    session: DosingSession,
    data: dict,
    vitals_data: dict,
    risk_answers: dict,
    phq9_answers: dict | None = None,
    by,
) -> PreDoseCheck:
    """Record the pre-dose check: the vitals (a VitalSigns row, context pre-dose), the risk screen since
    the last visit (and the PHQ-9 when due) through `measure_record`, which opens any safety alert, and
    the check with the outcome and findings of `predose_rules`.

    A "scheduled" session is checked in first (the patient is here). A check that is not cleared yet is
    replaced by the new one (its vitals and screens stay on the chart); a cleared one can't be.
    `data` holds `CHECK_FIELDS`; `vitals_data` the VitalSigns columns (°C, kg).
    """
    session = _locked(session)
    patient = session.patient
    _may(by, Action.RUN_SESSION, session, _("Only a prescriber or nurse of the clinic records the pre-dose check."))
    if session.status == Status.SCHEDULED:
        session_set_status(session=session, to=Status.CHECKED_IN, by=by)
        session.refresh_from_db(fields=["status", "checked_in_at"])
    if session.status != Status.CHECKED_IN:
        raise ValidationError(
            _("The pre-dose check comes after check-in and before the dose; this session is “%(status)s”.")
            % {"status": session.get_status_display()},
            code="status",
        )
    existing = PreDoseCheck.objects.filter(session=session).first()
    if existing is not None and existing.cleared:
        raise ValidationError(
            _("This session's pre-dose check is already cleared: the dose can be given."), code="already_cleared"
        )
    clean = _clean_check_data(data)
    now = timezone.now()
    vitals_data = {name: value for name, value in vitals_data.items() if value is not None}
    missing = [VITAL_LABELS[name] for name in VITALS_REQUIRED if name not in vitals_data]
    if missing:
        raise ValidationError(
            _("Measure every vital sign before the dose: %(missing)s missing.") % {"missing": ", ".join(missing)},
            code="vitals",
        )
    weighed = latest_weight(patient)
    if "weight_kg" not in vitals_data and weight_needed(session, at=now, weighed=weighed):
        raise ValidationError(weight_needed_message(session, weighed), code="weight_needed")

    vitals = VitalSigns.objects.create(
        patient=patient, context=VitalSigns.Context.PRE_DOSE, measured_at=now, recorded_by=by, **vitals_data
    )
    audit_record(actor=by, action=AuditEvent.Action.CREATE, patient=patient, obj=vitals, detail="pre-dose vitals")
    context = MeasureResponse.Context.PRE_DOSE
    risk = measure_record(patient=patient, instrument=CSSRS.key, answers=risk_answers, by=by, context=context)
    phq9 = None
    if phq9_answers:
        phq9 = measure_record(patient=patient, instrument=PHQ9.key, answers=phq9_answers, by=by, context=context)
    open_risk, open_phq9 = _open_alerts(patient)
    valid, problem = eligibility(session)
    plan = session.plan
    facts = predose_rules.Facts(
        consent_current=consent_is_current(patient),
        eligibility_valid=valid,
        eligibility_problem=problem,
        fasting_food_hours=plan.fasting_food_hours,
        fasting_fluids_hours=plan.fasting_fluids_hours,
        escort_required=plan.escort_required,
        medication_holds=plan.medication_holds,
        pregnancy_relevant=pregnancy_relevant(patient),
        risk=risk.risk,
        open_risk_alert=open_risk,
        phq9_item9=phq9.answers.get("q9") if phq9 is not None else None,
        open_phq9_alert=open_phq9,
        **clean,
        **{name: vitals_data.get(name) for name in VITALS_REQUIRED},
    )
    findings = predose_rules.evaluate(facts)
    outcome = predose_rules.outcome_of(findings)
    if existing is not None:
        was = f"{existing.outcome}: {', '.join(f['code'] for f in existing.findings) or 'no findings'}"
        existing.delete()
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            patient=patient,
            obj=session,
            detail=f"pre-dose check recorded again, replacing the earlier one ({was})",
        )
    check = PreDoseCheck.objects.create(
        session=session,
        consent_current=facts.consent_current,
        eligibility_valid=valid,
        vitals=vitals,
        risk_screen=risk,
        phq9=phq9,
        outcome=outcome,
        findings=findings,
        recorded_by=by,
        **clean,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=check,
        detail=f"pre-dose check: {outcome} ({', '.join(f['code'] for f in findings) or 'no findings'})",
    )
    return check


def weight_needed_message(session: DosingSession, weighed: VitalSigns | None) -> str:
    days = session.patient.clinic.weight_max_age_days
    if weighed is None:
        return _("Weigh the patient: the plan's dose is per kg and no weight is on record.")
    local = clinic_time.clinic_date(session.patient.clinic, weighed.measured_at)
    return _(
        "Weigh the patient: the plan's dose is per kg and the last weight (%(kg)s kg on %(date)s) is older "
        "than %(days)s days."
    ) % {"kg": weighed.weight_kg, "date": f"{local:%Y-%m-%d}", "days": days}


@transaction.atomic
def predose_override(*, check: PreDoseCheck, reason: str, by) -> PreDoseCheck:
    """A prescriber clears a check that needs review or holds the dose, with a written reason. Refused for
    findings that can't be overridden (consent, eligibility, pregnancy, no ride home)."""
    session = _locked(check.session)
    check = PreDoseCheck.objects.select_for_update().get(pk=check.pk)
    _may(
        by,
        Action.OVERRIDE_DOSING,
        session,
        _("Only a prescriber can clear a pre-dose check that needs review or holds the dose."),
    )
    if check.outcome == PreDoseCheck.Outcome.PASS:
        raise ValidationError(_("The pre-dose check passed: there is nothing to override."), code="passed")
    if check.override_reason:
        raise ValidationError(_("This pre-dose check was already cleared."), code="already_cleared")
    if session.status != Status.CHECKED_IN:
        raise ValidationError(
            _("The check can be cleared only before the dose; this session is “%(status)s”.")
            % {"status": session.get_status_display()},
            code="status",
        )
    blocking = [finding for finding in check.findings if not finding.get("overridable")]
    if blocking:
        raise ValidationError(
            _("These can't be overridden: %(what)s. Resolve them, then record the pre-dose check again.")
            % {"what": "; ".join(f"{finding['title']} ({finding['detail']})" for finding in blocking)},
            code="not_overridable",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write your reason for going ahead with the dose."), code="reason")
    check.override_reason = reason
    check.override_by = by
    check.override_at = timezone.now()
    check.save(update_fields=["override_reason", "override_by", "override_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        patient=session.patient,
        obj=check,
        detail=f"pre-dose check cleared by a prescriber ({', '.join(f['code'] for f in check.findings)}): {reason}",
    )
    return check


# --- the administration ------------------------------------------------------------------------------


@dataclass
class DoseCheck:
    """What a dose would be: the weight used, mg/kg, and the guardrails it meets (`dose_rules`)."""

    weight: VitalSigns | None
    mg_per_kg: Decimal | None
    session_total_mg: Decimal
    guardrails: list[dict] = field(default_factory=list)

    @property
    def refused(self) -> list[dict]:
        return dose_rules.refused(self.guardrails)

    @property
    def needs_override(self) -> list[dict]:
        return dose_rules.needs_override(self.guardrails)

    @property
    def weight_kg(self) -> Decimal | None:
        return self.weight.weight_kg if self.weight is not None else None


def dose_check(*, session: DosingSession, drug: str, route: str, dose_mg: Decimal, at: datetime.datetime) -> DoseCheck:
    """Compute mg/kg from the latest weight and apply the guardrails to this dose (read only). Raises
    ValidationError when the plan is per kg and no weight within the clinic's limit is on record."""
    patient, plan = session.patient, session.plan
    weighed = latest_weight(patient)
    if weight_needed(session, at=at, weighed=weighed):
        raise ValidationError(weight_needed_message(session, weighed), code="weight_needed")
    earlier = session.administrations.aggregate(total=Sum("dose_mg"))["total"] or Decimal(0)
    weight_kg = weighed.weight_kg if weighed is not None else None
    facts = dose_rules.DoseFacts(
        drug=drug,
        route=route,
        dose_mg=dose_mg,
        session_total_mg=earlier + dose_mg,
        first_of_session=not session.administrations.exists(),
        weight_kg=weight_kg,
        plan_drug=plan.drug,
        plan_route=plan.route,
        plan_unit=plan.dose_unit,
        plan_min=plan.dose_min,
        plan_max=plan.dose_max,
        route_maximum_mg=route_protocol(patient.clinic, route).maximum_mg,
    )
    return DoseCheck(
        weight=weighed,
        mg_per_kg=dose_rules.mg_per_kg(dose_mg, weight_kg),
        session_total_mg=facts.session_total_mg,
        guardrails=dose_rules.evaluate(facts),
    )


def may_administer(session: DosingSession) -> bool:
    """Is the session at a point where a dose can be recorded (checked in with a cleared check, or dosing)?"""
    if session.is_signed:
        return False
    if session.status == Status.DOSING:
        return True
    check = getattr(session, "pre_dose_check", None) if session.status == Status.CHECKED_IN else None
    return check is not None and check.cleared


def _check_lot(lot: Lot, session: DosingSession, drug: str, route: str, at: datetime.datetime) -> None:
    clinic = session.patient.clinic
    if lot.clinic_id != clinic.pk:
        raise ValidationError(_("That lot is not on this clinic's ledger."), code="lot_clinic")
    substance = dose_rules.SUBSTANCE_FOR_DRUG[Drug(drug)]
    if lot.substance != substance:
        raise ValidationError(
            _("Lot %(lot)s is %(substance)s, not %(drug)s.")
            % {"lot": lot.lot_number, "substance": lot.get_substance_display(), "drug": Drug(drug).label},
            code="lot_substance",
        )
    if lot.form not in dose_rules.ROUTE_FORMS[Route(route)]:
        raise ValidationError(
            _("Lot %(lot)s is a %(form)s, which can't be given by the route “%(route)s”.")
            % {"lot": lot.lot_number, "form": str(lot.get_form_display()).lower(), "route": Route(route).label},
            code="lot_form",
        )
    if lot.is_expired(clinic_time.clinic_date(clinic, at)):
        raise ValidationError(
            _("Lot %(lot)s expired on %(date)s: choose another lot.") % {"lot": lot.lot_number, "date": lot.expires_on},
            code="expired",
        )


@transaction.atomic
def administration_record(
    *,
    session: DosingSession,
    lot: Lot,
    dose_mg: Decimal,
    started_at: datetime.datetime,
    ended_at: datetime.datetime | None,
    administered_by,
    override_reason: str = "",
    by,
    drug: str | None = None,
    route: str | None = None,
) -> Administration:
    """Record one administration (a dose, a booster, one esketamine device) and draw it from the ledger
    lot in the same transaction (`ledger_administer`).

    Needs a session checked in with a cleared pre-dose check, or already dosing. Drug and route default
    to the plan's. mg/kg comes from the latest weight (refused for a per-kg plan without a weight within
    the clinic's limit). A guardrail that can be overridden needs `override_reason` and `by` a
    prescriber; one that can't (esketamine's route and labelled doses) refuses the dose. The first
    administration sets the session's dose time and moves it from "checked in" to "dosing".
    """
    session = _locked(session)
    patient, plan = session.patient, session.plan
    _may(by, Action.RUN_SESSION, session, _("Only a prescriber or nurse of the clinic records a dose."))
    if session.status not in (Status.CHECKED_IN, Status.DOSING):
        raise ValidationError(
            _("A dose is recorded after check-in and before observation; this session is “%(status)s”.")
            % {"status": session.get_status_display()},
            code="status",
        )
    if not may_administer(session):
        raise ValidationError(
            _("The pre-dose check must pass (or a prescriber must clear it with a reason) before the dose."),
            code="pre_dose",
        )
    drug, route = drug or plan.drug, route or plan.route
    if drug not in Drug.values or route not in Route.values:
        raise ValidationError(_("Choose the drug and the route."), code="drug_route")
    dose_mg = _decimal(dose_mg, _("the dose"))
    if dose_mg <= 0 or dose_mg != dose_mg.quantize(Decimal("0.01")) or dose_mg >= Decimal(100000):
        raise ValidationError(_("Enter the dose in mg, above 0, with at most 2 decimal places."), code="dose")
    started_at = clinic_time.session_time_check(session, started_at, what=_("start"))
    if ended_at is not None:
        ended_at = clinic_time.session_time_check(session, ended_at, what=_("end"))
        if ended_at < started_at:
            raise ValidationError(_("The end time is before the start time."), code="end_before_start")
    elif route == Route.IV:
        raise ValidationError(_("An IV infusion needs its end time (e.g. 40 minutes after the start)."), code="iv_end")
    if not can(administered_by, Action.RUN_SESSION, patient=patient):
        name = getattr(administered_by, "full_name", "") or _("That person")
        raise ValidationError(
            _("%(name)s is not a prescriber or nurse of %(clinic)s.") % {"name": name, "clinic": patient.clinic.name},
            code="administered_by",
        )
    _check_lot(lot, session, drug, route, started_at)
    check = dose_check(session=session, drug=drug, route=route, dose_mg=dose_mg, at=started_at)
    if check.refused:
        raise ValidationError(" ".join(g["detail"] for g in check.refused), code="refused")
    reason = (override_reason or "").strip()
    if check.needs_override:
        details = " ".join(g["detail"] for g in check.needs_override)
        if not can(by, Action.OVERRIDE_DOSING, patient=patient):
            raise ValidationError(
                _(
                    "%(details)s This dose needs a prescriber's override with a written reason: "
                    "ask a prescriber to record it."
                )
                % {"details": details},
                code="needs_prescriber",
            )
        if not reason:
            raise ValidationError(
                _("%(details)s Write your reason for overriding.") % {"details": details}, code="needs_reason"
            )
    entry = ledger_administer(
        lot=lot,
        patient=patient,
        quantity_mg=dose_mg,
        administered_by=administered_by,
        at=started_at,
        recorded_by=by,
        note=_("Dosing session %(n)s") % {"n": session.number},
    )
    administration = Administration.objects.create(
        session=session,
        drug=drug,
        route=route,
        dose_mg=dose_mg,
        weight_kg=check.weight_kg,
        mg_per_kg=check.mg_per_kg,
        started_at=started_at,
        ended_at=ended_at,
        lot=lot,
        ledger_entry=entry,
        administered_by=administered_by,
        guardrails=check.guardrails,
        override_reason=reason if check.needs_override else "",
        override_by=by if check.needs_override else None,
        recorded_by=by,
    )
    if session.dosed_at is None:
        session.dosed_at = started_at
        session.save(update_fields=["dosed_at", "updated_at"])
    if session.status == Status.CHECKED_IN:
        session_set_status(session=session, to=Status.DOSING, by=by, at=started_at)
    per_kg = f" ({check.mg_per_kg} mg/kg)" if check.mg_per_kg is not None else ""
    overridden = f"; override: {', '.join(g['code'] for g in check.needs_override)}" if check.needs_override else ""
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=administration,
        detail=f"administration {dose_mg} mg{per_kg} {drug} {route} from lot {lot.lot_number}{overridden}",
    )
    return administration
