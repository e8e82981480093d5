"""The prescriber's treatment plan: written after a signed "eligible" assessment, signed, then locked.

Dose guardrails: the planned dose lies in the plan's own range; the range's top is not above the route's
maximum single dose in the clinic's protocol (`intake.protocol.route_protocol`) — for mg/kg doses at the
latest recorded weight, and said so when there is none; esketamine is intranasal only, in its labelled
28/56/84 mg doses (domain.md §2 [S59,S60]). A changed plan is a new plan; the latest signed one is current.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kap_clinic.access import Action, can
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from .. import selectors
from ..measure_schedule import TIME_POINTS_BY_KEY
from ..models import Drug, Patient, Route, TreatmentPlan
from ..models.assessment import DoseUnit
from ..protocol import ESKETAMINE_LABELLED_DOSES_MG, route_protocol
from .patients import patient_set_stage

PLAN_FIELDS = (
    "indication",
    "drug",
    "route",
    "dose_unit",
    "planned_dose",
    "dose_min",
    "dose_max",
    "induction_sessions",
    "spacing_days",
    "measure_schedule",
    "fasting_food_hours",
    "fasting_fluids_hours",
    "medication_holds",
    "escort_required",
    "instructions",
)


def _n(value) -> str:
    return f"{Decimal(value).normalize():f}"


@dataclass
class DoseCheck:
    errors: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def plan_dose_check(*, patient: Patient, data: dict) -> DoseCheck:
    """The dose guardrails for a plan's `data` (route, drug, dose_unit, planned_dose, dose_min, dose_max):
    errors by field, and notes to show (e.g. that no weight is on file for an mg/kg maximum)."""
    check = DoseCheck()
    route, drug, unit = data.get("route"), data.get("drug"), data.get("dose_unit")
    planned, low, high = data.get("planned_dose"), data.get("dose_min"), data.get("dose_max")
    if None in (route, unit, planned, low, high):
        return check
    label = "mg/kg" if unit == DoseUnit.MG_PER_KG else "mg"
    if low <= 0:
        check.error("dose_min", _("The lowest dose must be above 0 %(unit)s.") % {"unit": label})
    if low > high:
        check.error(
            "dose_max",
            _("The highest dose (%(high)s %(unit)s) is below the lowest (%(low)s %(unit)s).")
            % {"high": _n(high), "low": _n(low), "unit": label},
        )
    elif not low <= planned <= high:
        check.error(
            "planned_dose",
            _("The planned dose (%(dose)s %(unit)s) must lie within the allowed range, %(low)s–%(high)s %(unit)s.")
            % {"dose": _n(planned), "low": _n(low), "high": _n(high), "unit": label},
        )
    if drug == Drug.ESKETAMINE:
        if route != Route.IN:
            check.error("route", _("Esketamine (Spravato) is given only intranasally."))
        if unit != DoseUnit.MG:
            check.error("dose_unit", _("Esketamine is dosed in mg (28 mg per device), not by weight."))
        labelled = ", ".join(_n(d) for d in ESKETAMINE_LABELLED_DOSES_MG)
        for name, value in (("planned_dose", planned), ("dose_min", low), ("dose_max", high)):
            if unit == DoseUnit.MG and value not in ESKETAMINE_LABELLED_DOSES_MG:
                check.error(
                    name,
                    _("Esketamine comes in 28 mg devices: use a labelled dose (%(doses)s mg), not %(dose)s mg.")
                    % {"doses": labelled, "dose": _n(value)},
                )
    if route not in Route.values:
        return check
    protocol = route_protocol(patient.clinic, route)
    maximum = Decimal(protocol.maximum_mg)
    route_label = Route(route).label
    if unit == DoseUnit.MG:
        if high > maximum:
            check.error(
                "dose_max",
                _(
                    "The highest dose (%(high)s mg) is above the clinic's maximum single dose for %(route)s "
                    "(%(max)s mg, set in the protocol settings)."
                )
                % {"high": _n(high), "route": route_label, "max": _n(maximum)},
            )
        return check
    weighed = selectors.latest_weight(patient)
    if weighed is None:
        check.notes.append(
            _(
                "No weight is on file, so the mg/kg range could not be checked against the maximum single dose for "
                "%(route)s (%(max)s mg). Record a weight before the first dose."
            )
            % {"route": route_label, "max": _n(maximum)}
        )
        return check
    top_mg = (high * weighed.weight_kg).quantize(Decimal("0.1"))
    when = date_format(timezone.localtime(weighed.measured_at), "Y-m-d")
    params = {
        "kg": _n(weighed.weight_kg),
        "when": when,
        "high": _n(high),
        "mg": _n(top_mg),
        "route": route_label,
        "max": _n(maximum),
    }
    if top_mg > maximum:
        check.error(
            "dose_max",
            _(
                "At the latest weight (%(kg)s kg, %(when)s), %(high)s mg/kg is %(mg)s mg: above the clinic's maximum "
                "single dose for %(route)s (%(max)s mg)."
            )
            % params,
        )
    else:
        check.notes.append(
            _(
                "Checked at the latest weight (%(kg)s kg, %(when)s): %(high)s mg/kg is %(mg)s mg, within the maximum "
                "single dose for %(route)s (%(max)s mg)."
            )
            % params
        )
    return check


def _check(*, patient: Patient, by, data: dict):
    if not can(by, Action.WRITE_PLAN, patient=patient):
        raise PermissionDenied(_("Only a prescriber can write the treatment plan."))
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one plan write per chart at a time
    assessment = selectors.eligible_assessment(patient)
    if assessment is None:
        raise ValidationError(
            _("A plan needs a signed assessment that found the patient eligible."), code="not_eligible"
        )
    schedule = data.get("measure_schedule") or []
    unknown_points = [key for key in schedule if key not in TIME_POINTS_BY_KEY]
    if unknown_points:
        raise ValidationError(
            {"measure_schedule": _("Unknown time point: %(keys)s") % {"keys": ", ".join(unknown_points)}}
        )
    result = plan_dose_check(patient=patient, data=data)
    if result.errors:
        raise ValidationError(result.errors, code="dose")
    return assessment


@transaction.atomic
def plan_save(*, patient: Patient, by, **data) -> TreatmentPlan:
    """Save the plan being written (a draft: changeable until signed), creating it the first time."""
    assessment = _check(patient=patient, by=by, data=data)
    plan = selectors.plan_draft(patient)
    created = plan is None
    if created:
        plan = TreatmentPlan(patient=patient, created_by=by)
    plan.assessment = assessment
    for name, value in data.items():
        setattr(plan, name, value)
    plan.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        patient=patient,
        obj=plan,
        detail="treatment plan draft",
    )
    return plan


@transaction.atomic
def plan_sign(*, patient: Patient, by, **data) -> TreatmentPlan:
    """Save and sign the plan: locked from now on, and the current plan. The chart moves to "planned"."""
    plan = plan_save(patient=patient, by=by, **data)
    plan.signed_by, plan.signed_at = by, timezone.now()
    plan.save(update_fields=["signed_by", "signed_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.SIGN,
        patient=patient,
        obj=plan,
        detail=f"treatment plan: {plan.route} {_n(plan.planned_dose)} {plan.dose_unit}",
    )
    if patient.stage in (Patient.Stage.INTAKE, Patient.Stage.ASSESSMENT):
        patient_set_stage(patient=patient, stage=Patient.Stage.PLANNED, by=by)
    return plan
