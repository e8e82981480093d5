"""The admin dashboard's numbers (kap_clinic/dashboards/outcomes.py) against hand-worked examples: outcomes
by instrument and by indication, route and dose band; adverse events per 100 sessions; dose-to-discharge
median and 90th percentile; sessions per week in the clinic's own weeks; patients by stage; staff activity;
the ledger's open items. Another clinic's data and data outside the period never count."""

import datetime
from decimal import Decimal

import pytest

from intake.models import Patient
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.dashboards import outcomes
from kap_clinic.dashboards.outcomes import Period, dose_band
from sessions import services as ledger_services
from tests.factories import PatientFactory, receive_lot

from .helpers import (
    adverse_event,
    at_local,
    baseline,
    days_ago,
    discharged_after,
    give,
    measure,
    patients,
    period,
    plan_for,
    session,
    stocked_lot,
)

pytestmark = pytest.mark.django_db

D = Decimal


def group(result, instrument, breakdown, key):
    """The row of `instrument`'s table for `breakdown`'s group `key` (None when the table leaves it out)."""
    table = next(i for i in result if i.instrument == instrument)
    return next((g for g in table.groups if g.breakdown == breakdown and g.group == key), None)


def course(world, patient, instrument, start, *later, indication="depression", route="im", clinic_by=None):
    """A signed plan, a baseline 50 days ago and later totals 40, 30, … days ago."""
    by = clinic_by or world.prescriber
    if not patient.treatment_plans.exists():
        plan_for(patient, by, indication=indication, route=route)
    baseline(patient, instrument, start, at=days_ago(50), by=by)
    for n, total in enumerate(later):
        measure(patient, instrument, total, at=days_ago(40 - 10 * n), by=by)


# --- outcomes ------------------------------------------------------------------------------------------


def test_phq9_mean_change_and_rates_by_hand(world):
    """Three patients, PHQ-9 baselines 20, 10 and 16; latest totals 8, 6 and 15 (the first had 12 on the way).

    Changes (latest − baseline): −12, −4, −1 → mean −17 / 3 = −5.67 → −5.7 points.
    Response (a drop of at least half): 20→8 is 60 % (yes), 10→6 is 40 % (no), 16→15 (no) → 1 of 3 = 33.3 %.
    Remission (below 5, counted among those at 5 or more at baseline: all three): none → 0 of 3 = 0.0 %.
    """
    a, b, c = patients(world.clinic, 3)
    course(world, a, "phq9", 20, 12, 8)
    course(world, b, "phq9", 10, 6)
    course(world, c, "phq9", 16, 15)

    row = group(outcomes.clinic_outcomes(period(world.clinic)), "phq9", "all", "all")

    assert (row.n, row.mean_change) == (3, D("-5.7"))
    assert (row.responders, row.response_rate) == (1, D("33.3"))
    assert (row.remission_n, row.remitted, row.remission_rate) == (3, 0, D("0.0"))


def test_gad7_remission_counts_only_patients_above_the_line_at_baseline(world):
    """GAD-7 baselines 12 and 3, latest 4 and 1.

    Changes −8 and −2 → mean −5.0. Response (half or more): 12→4 (67 %) and 3→1 (67 %) → 2 of 2 = 100.0 %.
    Remission (below 5): only the patient at 12 could remit (3 was already below 5) and did → 1 of 1 = 100.0 %.
    """
    a, b = patients(world.clinic, 2)
    course(world, a, "gad7", 12, 4)
    course(world, b, "gad7", 3, 1)

    row = group(outcomes.clinic_outcomes(period(world.clinic)), "gad7", "all", "all")

    assert (row.n, row.mean_change, row.response_rate) == (2, D("-5.0"), D("100.0"))
    assert (row.remission_n, row.remitted, row.remission_rate) == (1, 1, D("100.0"))


def test_pcl5_uses_points_and_the_clinics_cutoff(world):
    """PCL-5 at a clinic whose cutoff is 33: baselines 50 and 40, latest 38 and 31.

    Changes −12 and −9 → mean −10.5. Response (a drop of 10 points or more): 50→38 yes, 40→31 no → 50.0 %.
    Remission (below 33): 38 no, 31 yes → 1 of 2 = 50.0 %.
    """
    world.clinic.pcl5_cutoff = 33
    world.clinic.save(update_fields=["pcl5_cutoff"])
    a, b = patients(world.clinic, 2)
    course(world, a, "pcl5", 50, 38, indication="ptsd")
    course(world, b, "pcl5", 40, 31, indication="ptsd")

    result = outcomes.clinic_outcomes(period(world.clinic))
    row = group(result, "pcl5", "all", "all")

    assert (row.n, row.mean_change, row.response_rate, row.remission_rate) == (2, D("-10.5"), D("50.0"), D("50.0"))
    assert group(result, "pcl5", "indication", "ptsd").n == 2
    assert group(result, "phq9", "all", "all") is None  # no PHQ-9 in this test


def test_outcomes_by_indication_route_and_dose_band(world):
    """Four patients with a PHQ-9 baseline 20 and a later total; their plans and doses:

    - A: depression, IM, sessions of 0.5 + 0.25 mg/kg (a booster) and 0.5 mg/kg → mean 0.625 → 0.5–0.75 mg/kg;
      PHQ-9 20 → 4 (change −16, response, remission).
    - B: PTSD, IV, one session of 0.4 mg/kg → < 0.5 mg/kg; 20 → 18 (−2).
    - C: depression, SL, sessions of 150 and 200 mg → 175 mg → > 100 mg; 20 → 10 (−10, response).
    - D: depression, IM, no dose recorded yet → "not recorded"; 20 → 20 (0).

    By indication: depression n=3 (A, C, D): mean (−16 − 10 + 0) / 3 = −8.7, response 2 of 3 = 66.7 %;
    PTSD n=1: −2.0. By route: IM n=2 (A, D): −8.0, response 50.0 %, remission 50.0 %; IV n=1; SL n=1.
    """
    lot = stocked_lot(world)
    a, b, c, d = patients(world.clinic, 4)
    course(world, a, "phq9", 20, 4, indication="depression", route="im")
    course(world, b, "phq9", 20, 18, indication="ptsd", route="iv")
    course(world, c, "phq9", 20, 10, indication="depression", route="sl")
    course(world, d, "phq9", 20, 20, indication="depression", route="im")
    first = discharged_after(world, a, 120, dosed_at=days_ago(45))
    give(first, lot, world.nurse, mg=40, mg_per_kg=0.5, weight_kg=80)
    give(first, lot, world.nurse, mg=20, mg_per_kg=0.25, weight_kg=80, at=days_ago(45) + datetime.timedelta(minutes=12))
    give(discharged_after(world, a, 120, dosed_at=days_ago(42)), lot, world.nurse, mg=40, mg_per_kg=0.5, weight_kg=80)
    give(discharged_after(world, b, 60, dosed_at=days_ago(45)), lot, world.nurse, mg=28, mg_per_kg=0.4, weight_kg=70)
    give(discharged_after(world, c, 150, dosed_at=days_ago(45)), lot, world.nurse, mg=150)
    give(discharged_after(world, c, 150, dosed_at=days_ago(42)), lot, world.nurse, mg=200)

    result = outcomes.clinic_outcomes(period(world.clinic))

    depression = group(result, "phq9", "indication", "depression")
    assert (depression.n, depression.mean_change, depression.response_rate) == (3, D("-8.7"), D("66.7"))
    assert (group(result, "phq9", "indication", "ptsd").n, group(result, "phq9", "indication", "ptsd").mean_change) == (
        1,
        D("-2.0"),
    )
    im = group(result, "phq9", "route", "im")
    assert (im.n, im.mean_change, im.response_rate, im.remission_rate) == (2, D("-8.0"), D("50.0"), D("50.0"))
    assert group(result, "phq9", "route", "iv").n == group(result, "phq9", "route", "sl").n == 1
    assert group(result, "phq9", "route", "in") is None
    bands = {
        g.group: (g.n, g.mean_change)
        for g in next(i for i in result if i.instrument == "phq9").groups
        if g.breakdown == "dose_band"
    }
    assert bands == {
        "mg_per_kg_below_0_5": (1, D("-2.0")),
        "mg_per_kg_0_5_to_0_75": (1, D("-16.0")),
        "mg_above_100": (1, D("-10.0")),
        "not_recorded": (1, D("0.0")),
    }


@pytest.mark.parametrize(
    ("unit", "dose", "band"),
    [
        ("mg_per_kg", "0.499", "mg_per_kg_below_0_5"),
        ("mg_per_kg", "0.5", "mg_per_kg_0_5_to_0_75"),
        ("mg_per_kg", "0.75", "mg_per_kg_0_5_to_0_75"),
        ("mg_per_kg", "0.751", "mg_per_kg_above_0_75"),
        ("mg", "56", "mg_up_to_100"),
        ("mg", "100", "mg_up_to_100"),
        ("mg", "100.5", "mg_above_100"),
    ],
)
def test_dose_band_edges(unit, dose, band):
    assert dose_band(unit, D(dose)).key == band


def test_no_band_without_a_plan_or_a_dose():
    assert dose_band(None, D(1)) is None
    assert dose_band("mg", None) is None


def test_latest_measure_is_the_latest_within_the_period(world):
    """Baseline 20 sixty days ago; 10 forty days ago; 5 ten days ago. A period ending 20 days ago sees 10
    (change −10); a period starting 30 days ago sees 5; a period from 70 to 50 days ago sees no later measure."""
    patient = PatientFactory(clinic=world.clinic)
    plan_for(patient, world.prescriber)
    baseline(patient, "phq9", 20, at=days_ago(60), by=world.prescriber)
    measure(patient, "phq9", 10, at=days_ago(40), by=world.prescriber)
    measure(patient, "phq9", 5, at=days_ago(10), by=world.prescriber)

    def change(p):
        row = group(outcomes.clinic_outcomes(p), "phq9", "all", "all")
        return row and row.mean_change

    assert change(period(world.clinic, first_days_ago=90, last_days_ago=20)) == D("-10.0")
    assert change(period(world.clinic, first_days_ago=30)) == D("-15.0")
    assert change(period(world.clinic, first_days_ago=70, last_days_ago=50)) is None


def test_a_patient_without_a_baseline_is_not_counted(world):
    patient = PatientFactory(clinic=world.clinic)
    measure(patient, "phq9", 10, at=days_ago(40), by=world.prescriber)
    measure(patient, "phq9", 5, at=days_ago(10), by=world.prescriber)

    assert group(outcomes.clinic_outcomes(period(world.clinic)), "phq9", "all", "all") is None


def test_another_clinics_outcomes_are_not_counted(world):
    course(world, PatientFactory(clinic=world.clinic), "phq9", 20, 8)
    course(world, world.other_patient, "phq9", 20, 20, clinic_by=world.other_clinician)

    row = group(outcomes.clinic_outcomes(period(world.clinic)), "phq9", "all", "all")

    assert (row.n, row.mean_change) == (1, D("-12.0"))
    other = group(outcomes.clinic_outcomes(period(world.other_clinic)), "phq9", "all", "all")
    assert (other.n, other.mean_change) == (1, D("0.0"))


# --- safety ------------------------------------------------------------------------------------------


def test_adverse_events_per_100_sessions(world):
    """8 sessions dosed in the period; events: 2 mild and 1 moderate nausea, 1 severe hypertension.

    Per 100 sessions: nausea 3 / 8 × 100 = 37.5 (mild 25.0, moderate 12.5); hypertension 12.5; any 4 → 50.0.
    A session dosed before the period (with its event) and another clinic's session don't count.
    """
    sessions = [discharged_after(world, world.patient_a, 100, dosed_at=days_ago(n + 1)) for n in range(8)]
    adverse_event(sessions[0], world.nurse, severity="mild")
    adverse_event(sessions[1], world.nurse, severity="mild")
    adverse_event(sessions[1], world.nurse, severity="moderate")
    adverse_event(sessions[2], world.nurse, kind="hypertension", severity="severe")
    adverse_event(discharged_after(world, world.patient_b, 100, dosed_at=days_ago(80)), world.nurse)
    other = discharged_after(world, world.other_patient, 100, dosed_at=days_ago(2))
    adverse_event(other, world.other_clinician, severity="severe")

    table = outcomes.adverse_events(period(world.clinic, first_days_ago=30))

    assert table.sessions == 8
    rows = [(r.kind, r.severity, r.events, r.per_100) for r in table.rows]
    assert rows == [
        ("hypertension", "", 1, D("12.5")),
        ("hypertension", "severe", 1, D("12.5")),
        ("nausea_vomiting", "", 3, D("37.5")),
        ("nausea_vomiting", "mild", 2, D("25.0")),
        ("nausea_vomiting", "moderate", 1, D("12.5")),
    ]
    assert (table.total.events, table.total.per_100) == (4, D("50.0"))


def test_no_sessions_no_rate(world):
    table = outcomes.adverse_events(period(world.clinic))
    assert (table.sessions, table.rows, table.total.per_100) == (0, [], None)


def test_dose_to_discharge_median_and_p90_by_route(world):
    """IM sessions discharged 60, 90, 120, 150 and 180 minutes after the dose; SL 100 and 140.

    PostgreSQL's interpolated percentile: position p × (n − 1) in the sorted list.
    IM: median 120; p90 at 0.9 × 4 = 3.6 → 150 + 0.6 × 30 = 168.0.
    SL: median (100 + 140) / 2 = 120; p90 at 0.9 → 100 + 0.9 × 40 = 136.0.
    All 7 (60 90 100 120 140 150 180): median 120; p90 at 5.4 → 150 + 0.4 × 30 = 162.0.
    """
    im, sl = world.patient_a, world.patient_b
    plan_for(im, world.prescriber, route="im")
    plan_for(sl, world.prescriber, route="sl")
    for minutes in (60, 90, 120, 150, 180):
        discharged_after(world, im, minutes)
    for minutes in (100, 140):
        discharged_after(world, sl, minutes)
    discharged_after(world, im, 600, dosed_at=days_ago(200))  # before the period
    discharged_after(world, world.other_patient, 600)  # another clinic

    rows = {
        r.route: (r.sessions, r.median_minutes, r.p90_minutes) for r in outcomes.discharge_times(period(world.clinic))
    }

    assert rows == {
        "im": (5, D("120.0"), D("168.0")),
        "sl": (2, D("120.0"), D("136.0")),
        "": (7, D("120.0"), D("162.0")),
    }


# --- activity ----------------------------------------------------------------------------------------


def test_sessions_per_week_in_the_clinics_own_weeks(world):
    """Three ISO weeks of March 2025 (3–23 March) at a New York clinic.

    Week of 3 March: one discharged Tuesday, one discharged Sunday 9 March at 23:30 local time (already
    Monday in UTC: still this week), a cancellation booked for Friday. Week of 10 March: nothing.
    Week of 17 March: a no-show and one discharged. A discharge on 24 March is after the period.
    """
    clinic = world.clinic
    patient = world.patient_a

    def discharged_at(*day, hour=12, minute=0):
        end = at_local(clinic, 2025, *day, hour=hour, minute=minute)
        return session(world, patient, dosed_at=end - datetime.timedelta(hours=2), discharged_at=end)

    discharged_at(3, 4)
    discharged_at(3, 9, hour=23, minute=30)
    discharged_at(3, 18)
    discharged_at(3, 24)
    session(world, patient, status="cancelled", scheduled_at=at_local(clinic, 2025, 3, 7))
    session(world, patient, status="no_show", scheduled_at=at_local(clinic, 2025, 3, 19))
    session(world, world.other_patient, status="cancelled", scheduled_at=at_local(clinic, 2025, 3, 7))

    weeks = outcomes.sessions_per_week(Period(clinic, datetime.date(2025, 3, 3), datetime.date(2025, 3, 23)))

    assert [(w.label, w.monday, w.discharged, w.cancelled, w.no_show) for w in weeks] == [
        ("2025-W10", datetime.date(2025, 3, 3), 2, 1, 0),
        ("2025-W11", datetime.date(2025, 3, 10), 0, 0, 0),
        ("2025-W12", datetime.date(2025, 3, 17), 1, 0, 1),
    ]


def test_patients_by_stage_funnel(world):
    """Patients invited in the period, by stage now: 2 invited, 1 intake, 1 dosing, 1 follow-up, 1 not eligible,
    and the world's two patients (at intake): 8 in all.

    Reached: invited 8 (everyone), intake 6 (all but the 2 still invited), assessment 3 (dosing, follow-up and
    not eligible), planned 2, dosing 2, integration 1, follow-up 1, completed 0. A patient invited before the
    period and another clinic's patient don't count.
    """
    Stage = Patient.Stage
    for stage in (Stage.INVITED, Stage.INVITED, Stage.INTAKE, Stage.DOSING, Stage.FOLLOW_UP, Stage.NOT_ELIGIBLE):
        PatientFactory(clinic=world.clinic, stage=stage)
    old = PatientFactory(clinic=world.clinic, stage=Stage.DOSING)
    Patient.objects.filter(pk=old.pk).update(created_at=days_ago(400))
    PatientFactory(clinic=world.other_clinic, stage=Stage.DOSING)

    funnel = outcomes.patients_by_stage(period(world.clinic))

    assert [(s.stage, s.now, s.reached) for s in funnel.stages] == [
        ("invited", 2, 8),
        ("intake", 3, 6),
        ("assessment", 0, 3),
        ("planned", 0, 2),
        ("dosing", 1, 2),
        ("integration", 0, 1),
        ("follow_up", 1, 1),
        ("completed", 0, 0),
    ]
    assert [(s.stage, s.now) for s in funnel.beside] == [("not_eligible", 1), ("discharged", 0)]
    assert funnel.total == 8


def test_staff_activity_counts_each_persons_actions(world):
    """The therapist viewed 3 times, created once and signed twice; the nurse viewed once. A patient's own
    actions, another clinic's events and events after the period don't count."""
    for action in ("view", "view", "view", "create", "sign", "sign"):
        audit_record(actor=world.therapist, action=action, clinic=world.clinic)
    audit_record(actor=world.nurse, action="view", clinic=world.clinic)
    audit_record(actor=world.patient_a.user, action="view", clinic=world.clinic)
    audit_record(actor=world.other_clinician, action="view", clinic=world.other_clinic)

    activity = {a.email: a for a in outcomes.staff_activity(period(world.clinic))}

    assert set(activity) == {world.therapist.email, world.nurse.email}
    therapist = activity[world.therapist.email]
    assert (therapist.count("view"), therapist.count("create"), therapist.count("sign"), therapist.total) == (
        3,
        1,
        2,
        6,
    )
    assert therapist.role == "Therapist"
    assert list(activity) == [world.therapist.email, world.nurse.email]  # busiest first
    assert outcomes.staff_activity(period(world.clinic, first_days_ago=10, last_days_ago=1)) == []
    assert AuditEvent.objects.filter(clinic=world.other_clinic).exists()


def test_ledger_status_counts_open_items(world):
    lot = receive_lot(clinic=world.clinic, by=world.nurse)
    ledger_services.count_record(
        lot=lot, counted_mg=lot.balance_mg - 10, counted_by=world.nurse, second_counter=world.prescriber
    )
    ledger_services.waste_record(
        lot=lot, quantity_mg=D(5), reason="Left in the vial", method="Disposal container", wasted_by=world.nurse
    )
    other = receive_lot(clinic=world.other_clinic, by=world.other_clinician)
    ledger_services.waste_record(
        lot=other,
        quantity_mg=D(5),
        reason="Left in the vial",
        method="Disposal container",
        wasted_by=world.other_clinician,
    )

    status = {item.key: item.open for item in outcomes.ledger_status(world.clinic)}

    assert status == {"discrepancies": 1, "unwitnessed_waste": 1}
