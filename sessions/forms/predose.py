"""The pre-dose check (questions, the risk screen since the last visit, the PHQ-9 when due, and the
vitals in their own `VitalsForm`), a prescriber's override, and the administration of a dose."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.forms.questionnaire import clean_phone
from intake.forms.vitals import VitalsForm
from intake.models import DoseUnit, Drug, Route
from kap_clinic.access import KIND_ACTIONS, ROLE_ACTIONS, Action, can
from kap_clinic.accounts.models import User
from kap_clinic.instruments import CSSRS, PHQ9
from kap_clinic.instruments.scoring import cssrs_required
from kap_clinic.submissions.forms import OnceForm

from .. import clinic_time, dose_rules
from ..models import DosingSession, Lot, PreDoseCheck
from ..services import predose as services
from .base import now_local, when_field

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
RISK_PREFIX = "risk_"
PHQ9_PREFIX = "phq9_"
RISK_ALWAYS = ("q1", "q2", "q6")
VITALS_REQUIRED = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "temperature")


def yes_no(label, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": _("Please answer yes or no.")},
    )


def hours(label, help_text):
    return forms.DecimalField(
        label=label,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(72),
        help_text=help_text,
        error_messages={
            "min_value": _("Enter between 0 and 72 hours."),
            "max_value": _("Enter between 0 and 72 hours (72 or more: enter 72)."),
            "max_decimal_places": _("Use at most 1 decimal place (e.g. 0.5 hours for 30 minutes)."),
        },
    )


def _n(value) -> str:
    return f"{Decimal(value).normalize():f}"


class PreDoseForm(OnceForm):
    """What the nurse asks and records before the dose, except the vitals (`predose_vitals_form`).

    The risk screen's questions are `risk_q1` … `risk_q6_recent` in the clinic's wording, with the
    screen's skip logic (q3–q5 only after a yes to q2, the recency question only after a yes to q6);
    the PHQ-9's are `phq9_q1` … `phq9_difficulty`, present only when a PHQ-9 is due.
    """

    hours_since_food = hours(_("Hours since the last food"), "")
    hours_since_fluids = hours(_("Hours since the last liquids"), "")
    escort_name = forms.CharField(label=_("Escort (ride home): name"), max_length=200, required=False)
    escort_phone = forms.CharField(label=_("Escort: phone"), max_length=40, required=False)
    alcohol_last_24h = yes_no(_("Alcohol in the last 24 hours?"))
    held_medications_last_24h = yes_no(_("Any of the plan's held medications taken in the last 24 hours?"))
    new_medications = yes_no(_("New medications since the last visit?"))
    new_medications_details = forms.CharField(
        label=_("Which new medications (name and dose)?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pregnancy = forms.ChoiceField(
        label=_("Pregnancy"), choices=PreDoseCheck.Pregnancy.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, session: DosingSession, wording: dict[str, str], phq9_due: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.session, self.phq9_due = session, phq9_due
        plan, patient = session.plan, session.patient
        self.fields["hours_since_food"].help_text = _("The plan asks at least %(h)s h without food.") % {
            "h": _n(plan.fasting_food_hours)
        }
        self.fields["hours_since_fluids"].help_text = _("The plan asks at least %(h)s h without liquids.") % {
            "h": _n(plan.fasting_fluids_hours)
        }
        if plan.medication_holds.strip():
            self.fields["held_medications_last_24h"].help_text = _("The plan holds: %(holds)s") % {
                "holds": plan.medication_holds.strip()
            }
        if plan.escort_required:
            self.fields["escort_name"].help_text = _("The plan requires an escort: without one the dose is held.")
        if not self.is_bound:
            self.initial.update(services.escort_from_intake(patient))
            if not services.pregnancy_relevant(patient):
                self.initial.setdefault("pregnancy", PreDoseCheck.Pregnancy.NOT_APPLICABLE)
        for key, text in ((item.key, wording.get(item.key, item.text)) for item in CSSRS.items):
            self.fields[RISK_PREFIX + key] = forms.ChoiceField(
                label=text,
                choices=[("1", _("Yes")), ("0", _("No"))],
                widget=forms.RadioSelect,
                required=key in RISK_ALWAYS,
                error_messages={"required": _("Please answer this question.")},
            )
        if phq9_due:
            options = [(str(value), label) for value, label in PHQ9.options]
            for number, item in enumerate(PHQ9.items, start=1):
                self.fields[PHQ9_PREFIX + item.key] = forms.ChoiceField(
                    label=f"{number}. {item.text}",
                    choices=options,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Please answer this question.")},
                )
            for item in PHQ9.extra_items:
                self.fields[PHQ9_PREFIX + item.key] = forms.ChoiceField(
                    label=item.text,
                    choices=[(str(value), label) for value, label in PHQ9.extra_options],
                    widget=forms.RadioSelect,
                    required=False,
                )

    # --- groups of fields, for the template -------------------------------------------------------

    def risk_fields(self):
        return [self[RISK_PREFIX + item.key] for item in CSSRS.items]

    def phq9_fields(self):
        if not self.phq9_due:
            return []
        return [self[PHQ9_PREFIX + item.key] for item in (*PHQ9.items, *PHQ9.extra_items)]

    # --- validation -----------------------------------------------------------------------------------

    def _raw_risk(self) -> dict:
        return {item.key: self.data.get(RISK_PREFIX + item.key) for item in CSSRS.items} if self.is_bound else {}

    def clean_escort_phone(self):
        phone = self.cleaned_data.get("escort_phone", "").strip()
        return clean_phone(phone) if phone else ""

    def clean(self):
        cleaned = super().clean()
        required = cssrs_required(self._raw_risk())
        for key in required:
            name = RISK_PREFIX + key
            if key not in RISK_ALWAYS and not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Please answer this question."))
        if cleaned.get("new_medications") and not cleaned.get("new_medications_details", "").strip():
            self.add_error("new_medications_details", _("Name the new medications (and their doses)."))
        if bool(cleaned.get("escort_name", "").strip()) != bool(cleaned.get("escort_phone")) and not self.errors.get(
            "escort_phone"
        ):
            self.add_error("escort_phone", _("Enter both the escort's name and phone, or neither."))
        return cleaned

    def check_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.CHECK_FIELDS}

    def risk_answers(self) -> dict:
        required = cssrs_required(self._raw_risk())
        return {key: self.cleaned_data[RISK_PREFIX + key] for key in required}

    def phq9_answers(self) -> dict | None:
        if not self.phq9_due:
            return None
        answers = {item.key: self.cleaned_data[PHQ9_PREFIX + item.key] for item in PHQ9.items}
        difficulty = self.cleaned_data.get(PHQ9_PREFIX + "difficulty")
        if difficulty not in (None, ""):
            answers["difficulty"] = difficulty
        return answers


def predose_vitals_form(data=None, *, weight_needed: bool, weight_message: str, previous_weight_kg):
    """The vitals before a dose: BP, heart rate, SpO2, respiratory rate and temperature always; the
    weight when the plan is per kg and the last one is too old (`weight_message` says why)."""
    required = (*VITALS_REQUIRED, "weight") if weight_needed else VITALS_REQUIRED
    form = VitalsForm(data, prefix="vitals", required=required, previous_weight_kg=previous_weight_kg)
    for name in required:
        form.fields[name].error_messages["required"] = _("Enter the %(what)s.") % {
            "what": str(form.fields[name].label).lower()
        }
    if weight_needed:
        form.fields["weight"].error_messages["required"] = weight_message
        form.fields["weight"].help_text = weight_message
    return form


class OverrideForm(OnceForm):
    reason = forms.CharField(
        label=_("Your reason for going ahead with the dose"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your name and the time; it stays on the session record."),
        error_messages={"required": _("Write your reason for going ahead with the dose.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Write your reason for going ahead with the dose."))
        return reason


# --- the administration ------------------------------------------------------------------------------


def session_staff(clinic):
    """Active prescribers and nurses of `clinic`: who may run a session (the access policy's tables)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.RUN_SESSION in actions]
    kinds = [kind for kind, actions in KIND_ACTIONS.items() if Action.RUN_SESSION in actions]
    return (
        User.objects.staff_of(clinic)
        .filter(Q(role__in=roles) | Q(role=User.Role.CLINICIAN, clinician_kind__in=kinds))
        .distinct()
        .order_by("full_name")
    )


def usable_lots(clinic, *, drugs, routes):
    """Lots of `clinic` with stock, not expired today, of the drugs' substances and the routes' forms."""
    substances = {dose_rules.SUBSTANCE_FOR_DRUG[Drug(d)] for d in drugs if d in Drug.values}
    product_forms = {f for r in routes if r in Route.values for f in dose_rules.ROUTE_FORMS[Route(r)]}
    return Lot.objects.filter(
        clinic=clinic,
        balance_mg__gt=0,
        expires_on__gte=clinic_time.clinic_today(clinic),
        substance__in=substances,
        form__in=product_forms,
    ).order_by("expires_on", "lot_number", "pk")


def _lot_label(lot: Lot) -> str:
    return _("Lot %(lot)s · %(product)s · %(balance)s mg left · expires %(date)s") % {
        "lot": lot.lot_number,
        "product": lot.description,
        "balance": _n(lot.balance_mg),
        "date": f"{lot.expires_on:%Y-%m-%d}",
    }


class AdministrationForm(OnceForm):
    drug = forms.ChoiceField(label=_("Drug"), choices=Drug.choices)
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    dose_mg = forms.DecimalField(
        label=_("Dose (mg)"),
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "min_value": _("Enter a dose above 0 mg."),
            "max_decimal_places": _("Use at most 2 decimal places (mg)."),
            "max_digits": _("That dose is too large to be right: check it (mg)."),
        },
    )
    started_at = when_field(_("Started at"))
    ended_at = when_field(_("Ended at"))
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none(), to_field_name="code")
    administered_by = forms.ModelChoiceField(
        label=_("Administered by"), queryset=User.objects.none(), to_field_name="code", empty_label=None
    )
    override_reason = forms.CharField(
        label=_("Prescriber's reason for overriding"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, session: DosingSession, user, **kwargs):
        plan = session.plan
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("drug", plan.drug)
        initial.setdefault("route", plan.route)
        initial.setdefault("started_at", now_local())
        initial.setdefault("administered_by", user.code)
        super().__init__(*args, **kwargs)
        self.session, self.user = session, user
        self.dose = None  # the `services.DoseCheck` once valid
        self.may_override = can(user, Action.OVERRIDE_DOSING, patient=session.patient)
        clinic = session.patient.clinic
        drugs, routes = {plan.drug}, {plan.route}
        if self.is_bound:
            drugs.add(self.data.get("drug"))
            routes.add(self.data.get("route"))
        self.fields["lot"].queryset = usable_lots(clinic, drugs=drugs, routes=routes)
        self.fields["lot"].label_from_instance = _lot_label
        self.fields["administered_by"].queryset = session_staff(clinic)
        self.fields["ended_at"].required = False
        self.fields["ended_at"].help_text = _("Needed for an IV infusion (the plan's standard is over 40 minutes).")
        self.fields["dose_mg"].help_text = self._plan_dose_text()

    def _plan_dose_text(self) -> str:
        plan = self.session.plan
        unit = "mg" if plan.dose_unit == DoseUnit.MG else "mg/kg"
        text = _("The plan: %(dose)s %(unit)s (range %(low)s–%(high)s %(unit)s).") % {
            "dose": _n(plan.planned_dose),
            "unit": unit,
            "low": _n(plan.dose_min),
            "high": _n(plan.dose_max),
        }
        weighed = services.latest_weight(self.session.patient)
        if plan.dose_unit == DoseUnit.MG_PER_KG and weighed is not None:
            text += " " + _("At %(kg)s kg that is %(mg)s mg.") % {
                "kg": _n(weighed.weight_kg),
                "mg": _n((plan.planned_dose * weighed.weight_kg).quantize(Decimal("0.1"))),
            }
        return text

    @property
    def guardrails(self) -> list[dict]:
        return self.dose.guardrails if self.dose is not None else []

    @property
    def needs_override(self) -> list[dict]:
        return self.dose.needs_override if self.dose is not None else []

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_at"), cleaned.get("ended_at")
        now = timezone.now() + services.FUTURE_SKEW
        for name, value in (("started_at", started), ("ended_at", ended)):
            if value is not None and value > now:
                self.add_error(name, _("This time is in the future. Enter when it actually happened."))
        if started and ended and ended < started:
            self.add_error("ended_at", _("The end is before the start."))
        if cleaned.get("route") == Route.IV and ended is None and "ended_at" not in self.errors:
            self.add_error("ended_at", _("An IV infusion needs its end time (e.g. 40 minutes after the start)."))
        lot, drug = cleaned.get("lot"), cleaned.get("drug")
        if lot is not None and drug and lot.substance != dose_rules.SUBSTANCE_FOR_DRUG[Drug(drug)]:
            self.add_error(
                "lot",
                _("This lot is %(substance)s: choose a lot of the drug given.")
                % {"substance": lot.get_substance_display()},
            )
        if self.errors or cleaned.get("dose_mg") is None or started is None:
            return cleaned
        try:
            self.dose = services.dose_check(
                session=self.session, drug=drug, route=cleaned["route"], dose_mg=cleaned["dose_mg"], at=started
            )
        except ValidationError as error:
            self.add_error(None, error)
            return cleaned
        if self.dose.refused:
            self.add_error("dose_mg", " ".join(g["detail"] for g in self.dose.refused))
        elif self.dose.needs_override and not self.may_override:
            self.add_error(
                None,
                _(
                    "This dose needs a prescriber's override with a written reason: ask a prescriber to record it, "
                    "or change the dose."
                ),
            )
        elif self.dose.needs_override and not cleaned.get("override_reason", "").strip():
            self.add_error("override_reason", _("Write your reason for overriding the guardrails above."))
        return cleaned
