"""An esketamine (Spravato) session in the shape of the REMS Patient Monitoring Form (domain.md §2,
11/2021 form [S55,S56,S58]), to copy onto the REMS portal or fax within 7 days of the dose [S55,S56,S57].

The REMS binds Spravato only: racemic ketamine sessions have no such form. The trailing "did the patient
experience…" fields are only partly visible in the retrieved copies of the form (domain.md rates them
M): the definitions below are this app's reading, shown on the page.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.models import Drug, Medication

from . import clinic_time
from .board import observation_summary
from .observation_schedule import bp40_status

DEVICE_MG = Decimal(28)  # one device = 28 mg in 2 sprays [S59,S60]
SUBMIT_WITHIN_DAYS = 7  # [S55,S56,S57]
MINIMUM_MONITORING_MINUTES = 120  # [S43,S46,S47]
# "Respiratory depression" as this app reads it: hypoxaemia or a NEWS2-3 respiratory rate (§8).
RESPIRATORY_SPO2_BELOW = 90  # % [S146]
RESPIRATORY_RATE_AT_MOST = 8  # /min [S144]
SOURCE = "domain.md §2 Patient Monitoring Form [S55,S56,S58]"
# Concomitant medicines the form asks about (Y/N each); J&J's video adds opioids [S55,S56].
CONCOMITANT = (
    (Medication.DrugClass.BENZODIAZEPINE, _("Benzodiazepines")),
    (Medication.DrugClass.SEDATIVE_HYPNOTIC, _("Non-benzodiazepine sedative hypnotics")),
    (Medication.DrugClass.STIMULANT, _("Psychostimulants")),
    (Medication.DrugClass.MAOI, _("MAOIs")),
    (Medication.DrugClass.OPIOID, _("Opioids")),
)
# "Vital signs in acceptable range before administration": the label's general guide, ≤ 140/90 mmHg [S49,S50].
BP_ACCEPTABLE_AT_MOST = (140, 90)
RESPIRATORY_RULE = _("SpO₂ below 90%, a respiratory rate of 8/min or less, or a desaturation adverse event")


def _acceptable_before(check) -> bool | None:
    vitals = check.vitals if check is not None else None
    if vitals is None or vitals.systolic is None or vitals.diastolic is None:
        return None
    return vitals.systolic <= BP_ACCEPTABLE_AT_MOST[0] and vitals.diastolic <= BP_ACCEPTABLE_AT_MOST[1]


def is_esketamine(session, administrations) -> bool:
    return session.plan.drug == Drug.ESKETAMINE or any(a.drug == Drug.ESKETAMINE for a in administrations)


@dataclass
class Finding:
    happened: bool
    details: str = ""


@dataclass
class RemsSummary:
    dose_mg: Decimal | None
    devices: int | None
    lots: list[str]
    first_dose_at: datetime.datetime | None
    monitoring_end_at: datetime.datetime | None
    duration_minutes: int | None
    first_treatment: bool
    bp_before: str
    bp_before_at: datetime.datetime | None
    bp_40: str
    bp_40_at: datetime.datetime | None
    bp_40_status: str
    bp_end: str
    bp_end_at: datetime.datetime | None
    vitals_ok_before: bool | None
    vitals_ok_end: bool | None
    sedation: Finding
    dissociation: Finding
    respiratory: Finding
    concomitant: list[tuple[str, bool, list[str]]] = field(default_factory=list)
    deadline: datetime.date | None = None
    overdue: bool = False

    @property
    def duration_short(self) -> bool:
        return self.duration_minutes is not None and self.duration_minutes < MINIMUM_MONITORING_MINUTES


def rems_summary(session, *, administrations, observations, adverse_events, medications, earlier_doses: int, now=None):
    """The form's fields for `session` (with its prefetched rows). `earlier_doses`: the patient's earlier
    esketamine sessions with a dose (0 → first treatment)."""
    now = now or timezone.now()
    clinic = session.patient.clinic
    doses = [a for a in administrations if a.drug == Drug.ESKETAMINE]
    dose_mg = sum((a.dose_mg for a in doses), Decimal(0)) if doses else None
    first = min(doses, key=lambda a: a.started_at) if doses else None
    end = session.discharged_at
    duration = int((end - first.started_at).total_seconds() // 60) if first and end else None
    summary = observation_summary(session, observations)
    after = [o for o in observations if first is not None and o.observed_at >= first.started_at]
    bp40 = bp40_status(first.started_at, after, now) if first is not None else None
    check = getattr(session, "pre_dose_check", None)
    discharge = getattr(session, "discharge", None)

    sedated = [o for o in after if o.moaas is not None and o.moaas < 5]
    deepest = min(sedated, key=lambda o: o.moaas) if sedated else None
    dissociated = [o for o in after if o.dissociation]
    peak = max(dissociated, key=lambda o: o.dissociation) if dissociated else None
    low_spo2 = [o for o in after if o.spo2 is not None and o.spo2 < RESPIRATORY_SPO2_BELOW]
    low_rr = [o for o in after if o.respiratory_rate is not None and o.respiratory_rate <= RESPIRATORY_RATE_AT_MOST]
    desaturations = [e for e in adverse_events if e.kind == "desaturation"]
    respiratory_details = []
    if low_spo2:
        lowest = min(low_spo2, key=lambda o: o.spo2)
        respiratory_details.append(_("lowest SpO₂ %(v)s%%") % {"v": lowest.spo2})
    if low_rr:
        lowest = min(low_rr, key=lambda o: o.respiratory_rate)
        respiratory_details.append(_("respiratory rate %(v)s/min") % {"v": lowest.respiratory_rate})
    if desaturations:
        respiratory_details.append(_("desaturation recorded as an adverse event"))

    criteria = {c["code"]: c for c in (discharge.criteria if discharge else [])}
    vitals_ok_end = None
    if discharge is not None:
        vitals_ok_end = all(criteria.get(code, {}).get("met", False) for code in ("blood_pressure", "spo2"))
    dose_day = clinic_time.clinic_date(clinic, first.started_at) if first else None
    deadline = dose_day + datetime.timedelta(days=SUBMIT_WITHIN_DAYS) if dose_day else None
    by_class = {}
    for medication in medications:
        by_class.setdefault(medication.drug_class, []).append(medication.name)
    return RemsSummary(
        dose_mg=dose_mg,
        devices=int(dose_mg / DEVICE_MG) if dose_mg is not None else None,
        lots=sorted({a.lot.lot_number for a in doses}),
        first_dose_at=first.started_at if first else None,
        monitoring_end_at=end,
        duration_minutes=duration,
        first_treatment=earlier_doses == 0,
        bp_before=summary.pre_dose_bp.value if summary.pre_dose_bp else "",
        bp_before_at=summary.pre_dose_bp.at if summary.pre_dose_bp else None,
        bp_40=(f"{bp40.entry.systolic}/{bp40.entry.diastolic}" if bp40 and bp40.entry else ""),
        bp_40_at=bp40.entry.observed_at if bp40 and bp40.entry else None,
        bp_40_status=bp40.label if bp40 else "",
        bp_end=summary.last_bp.value if summary.last_bp else "",
        bp_end_at=summary.last_bp.at if summary.last_bp else None,
        vitals_ok_before=_acceptable_before(check),
        vitals_ok_end=vitals_ok_end,
        sedation=Finding(
            bool(sedated),
            _("deepest MOAA/S %(v)s at %(at)s")
            % {"v": deepest.moaas, "at": timezone.localtime(deepest.observed_at).strftime("%H:%M")}
            if deepest
            else "",
        ),
        dissociation=Finding(
            bool(dissociated),
            _("peak rating %(v)s of 4 at %(at)s")
            % {"v": peak.dissociation, "at": timezone.localtime(peak.observed_at).strftime("%H:%M")}
            if peak
            else "",
        ),
        respiratory=Finding(bool(respiratory_details), "; ".join(str(d) for d in respiratory_details)),
        concomitant=[(label, bool(by_class.get(key)), by_class.get(key, [])) for key, label in CONCOMITANT],
        deadline=deadline,
        overdue=deadline is not None and clinic_time.clinic_today(clinic) > deadline,
    )
