"""The pre-dose check's rules (review, hold, override) and the service that records the check."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from intake.models import Assessment, MeasureResponse, SafetyAlert, VitalSigns
from intake.services.safety import safety_alert_acknowledge
from kap_clinic.audit.models import AuditEvent
from sessions import predose_rules as rules
from sessions.models import DosingSession, PreDoseCheck, StatusChange
from sessions.services.pipeline import session_set_status
from sessions.services.predose import predose_override

from .predose_helpers import (
    PHQ9_CALM,
    RISK_HIGH,
    RISK_MODERATE,
    check_data,
    eligible,
    make_session,
    record_check,
    vitals,
)

# --- the rules, as data ------------------------------------------------------------------------------


def facts(**overrides) -> rules.Facts:
    values = {
        "consent_current": True,
        "eligibility_valid": True,
        "eligibility_problem": "",
        "hours_since_food": Decimal(6),
        "hours_since_fluids": Decimal(3),
        "fasting_food_hours": Decimal(4),
        "fasting_fluids_hours": Decimal(2),
        "escort_required": True,
        "escort_name": "Robin",
        "escort_phone": "555 123 4567",
        "alcohol_last_24h": False,
        "held_medications_last_24h": False,
        "medication_holds": "",
        "new_medications": False,
        "new_medications_details": "",
        "pregnancy": "not_pregnant",
        "pregnancy_relevant": True,
        "systolic": 120,
        "diastolic": 78,
        "heart_rate": 72,
        "spo2": 98,
        "respiratory_rate": 14,
        "temperature_c": Decimal("36.8"),
        "risk": "none",
    }
    return rules.Facts(**(values | overrides))


def fired(**overrides) -> dict[str, dict]:
    return {finding["code"]: finding for finding in rules.evaluate(facts(**overrides))}


def test_normal_facts_pass():
    assert rules.evaluate(facts()) == []
    assert rules.outcome_of([]) == rules.PASS


@pytest.mark.parametrize(
    ("overrides", "code", "outcome"),
    [
        # blood pressure: > 140/90 review; ≥ 180 or ≥ 110 hold [S49,S50; S139,S140,S88,S141]
        ({"systolic": 140, "diastolic": 90}, None, rules.PASS),
        ({"systolic": 141, "diastolic": 80}, "bp_high", rules.REVIEW),
        ({"systolic": 130, "diastolic": 91}, "bp_high", rules.REVIEW),
        ({"systolic": 179, "diastolic": 109}, "bp_high", rules.REVIEW),
        ({"systolic": 180, "diastolic": 100}, "bp_crisis", rules.HOLD),
        ({"systolic": 150, "diastolic": 110}, "bp_crisis", rules.HOLD),
        # heart rate: > 120 review, > 150 hold [S141]
        ({"heart_rate": 120}, None, rules.PASS),
        ({"heart_rate": 121}, "heart_rate_high", rules.REVIEW),
        ({"heart_rate": 150}, "heart_rate_high", rules.REVIEW),
        ({"heart_rate": 151}, "heart_rate_very_high", rules.HOLD),
        # respiratory rate: < 10 or > 30 hold [S141]
        ({"respiratory_rate": 9}, "respiratory_rate", rules.HOLD),
        ({"respiratory_rate": 10}, None, rules.PASS),
        ({"respiratory_rate": 30}, None, rules.PASS),
        ({"respiratory_rate": 31}, "respiratory_rate", rules.HOLD),
        # SpO2 < 94 review [S144]
        ({"spo2": 93}, "spo2_low", rules.REVIEW),
        ({"spo2": 94}, None, rules.PASS),
        # temperature ≥ 38.0 °C hold (reschedule)
        ({"temperature_c": Decimal("37.9")}, None, rules.PASS),
        ({"temperature_c": Decimal("38.0")}, "fever", rules.HOLD),
        # fasting shorter than the plan's food or liquid hours
        ({"hours_since_food": Decimal("3.9")}, "fasting_short", rules.HOLD),
        ({"hours_since_fluids": Decimal("1.5")}, "fasting_short", rules.HOLD),
        ({"hours_since_food": Decimal(4), "hours_since_fluids": Decimal(2)}, None, rules.PASS),
        # escort [S48,S104]
        ({"escort_name": "", "escort_phone": ""}, "no_escort", rules.HOLD),
        ({"escort_phone": " "}, "no_escort", rules.HOLD),
        ({"escort_name": "", "escort_phone": "", "escort_required": False}, None, rules.PASS),
        # consent and eligibility
        ({"consent_current": False}, "consent_not_current", rules.HOLD),
        ({"eligibility_valid": False, "eligibility_problem": "Not signed."}, "eligibility_not_valid", rules.HOLD),
        # the risk screen since the last visit [S15]
        ({"risk": "high"}, "risk_high", rules.HOLD),
        ({"risk": "moderate"}, "risk_moderate", rules.REVIEW),
        ({"risk": "low"}, None, rules.PASS),
        ({"open_risk_alert": "high"}, "risk_high", rules.HOLD),
        ({"open_risk_alert": "moderate"}, "risk_moderate", rules.REVIEW),
        ({"phq9_item9": 1}, "phq9_item9", rules.REVIEW),
        ({"phq9_item9": 0}, None, rules.PASS),
        # alcohol, held and new medications
        ({"alcohol_last_24h": True}, "alcohol", rules.REVIEW),
        ({"held_medications_last_24h": True}, "held_medications", rules.REVIEW),
        ({"new_medications": True, "new_medications_details": "sertraline 50 mg"}, "new_medications", rules.REVIEW),
        # pregnancy
        ({"pregnancy": "pregnant"}, "pregnant", rules.HOLD),
        ({"pregnancy": "unknown"}, "pregnancy_unknown", rules.REVIEW),
        ({"pregnancy": "unknown", "pregnancy_relevant": False}, None, rules.PASS),
        ({"pregnancy": "not_applicable", "pregnancy_relevant": False}, None, rules.PASS),
    ],
)
def test_each_rule(overrides, code, outcome):
    findings = rules.evaluate(facts(**overrides))

    assert rules.outcome_of(findings) == outcome
    if code is None:
        assert findings == []
    else:
        assert [f["code"] for f in findings] == [code]
        assert findings[0]["outcome"] == outcome
        rule = rules.RULES_BY_CODE[code]
        assert findings[0]["source"] == rule.source


def test_a_blood_pressure_crisis_is_one_hold_not_also_a_review():
    found = fired(systolic=200, diastolic=120)
    assert set(found) == {"bp_crisis"}
    assert "200/120 mmHg" in found["bp_crisis"]["detail"]


def test_hold_wins_over_review():
    findings = rules.evaluate(facts(systolic=150, respiratory_rate=8))
    assert {f["code"] for f in findings} == {"bp_high", "respiratory_rate"}
    assert rules.outcome_of(findings) == rules.HOLD


@pytest.mark.parametrize(
    ("code", "overridable"),
    [
        ("bp_crisis", True),
        ("risk_high", True),
        ("bp_high", True),
        ("heart_rate_very_high", True),
        ("fasting_short", True),
        ("consent_not_current", False),
        ("eligibility_not_valid", False),
        ("pregnant", False),
        ("no_escort", False),
    ],
)
def test_which_findings_a_prescriber_may_override(code, overridable):
    assert rules.RULES_BY_CODE[code].overridable is overridable


def test_findings_with_a_hard_hold_are_not_overridable():
    assert rules.overridable(rules.evaluate(facts(systolic=190)))
    assert not rules.overridable(rules.evaluate(facts(systolic=190, consent_current=False)))
    assert not rules.overridable([])


def test_every_rule_has_a_source_and_a_threshold():
    for rule in rules.RULES:
        assert rule.outcome in (rules.REVIEW, rules.HOLD)
        assert str(rule.title) and str(rule.threshold) and rule.source


def test_weight_is_current_within_the_clinics_days():
    at = timezone.now()
    assert rules.weight_is_current(at - datetime.timedelta(days=30), max_age_days=30, at=at)
    assert not rules.weight_is_current(at - datetime.timedelta(days=31), max_age_days=30, at=at)
    assert not rules.weight_is_current(None, max_age_days=30, at=at)


def test_phq9_is_due_at_most_weekly():
    at = timezone.now()
    assert rules.phq9_due(None, at)
    assert rules.phq9_due(at - datetime.timedelta(days=7), at)
    assert not rules.phq9_due(at - datetime.timedelta(days=6), at)


# --- the service: recording the check ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_passing_check_checks_the_patient_in_and_records_vitals_and_screen(world):
    session = make_session(world)

    check = record_check(session, world.nurse)

    session.refresh_from_db()
    assert session.status == DosingSession.Status.CHECKED_IN and session.checked_in_at
    assert StatusChange.objects.filter(session=session, to_status="checked_in", by=world.nurse).exists()
    assert check.outcome == PreDoseCheck.Outcome.PASS and check.findings == [] and check.cleared
    assert check.vitals.context == VitalSigns.Context.PRE_DOSE and check.vitals.systolic == 122
    assert check.risk_screen.context == MeasureResponse.Context.PRE_DOSE and check.risk_screen.risk == "none"
    assert check.consent_current and check.eligibility_valid
    assert AuditEvent.objects.filter(object_type="dosing.PreDoseCheck", detail__startswith="pre-dose check: pass")


@pytest.mark.django_db
def test_bp_above_140_90_needs_review_and_a_prescriber_clears_it_with_a_reason(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse, vitals_data=vitals(systolic=150, diastolic=92))
    assert check.outcome == "review" and not check.cleared
    with pytest.raises(ValidationError, match="pre-dose check must pass"):
        session_set_status(session=session, to="dosing", by=world.prescriber)

    predose_override(check=check, reason="Anxious on arrival; rechecked 138/88 after 10 minutes.", by=world.prescriber)

    check.refresh_from_db()
    assert check.cleared and check.override_by == world.prescriber and check.override_at
    session_set_status(session=session, to="dosing", by=world.prescriber)  # the guard now holds


@pytest.mark.django_db
def test_bp_crisis_holds_and_only_a_prescriber_with_a_reason_overrides(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse, vitals_data=vitals(systolic=184, diastolic=100))
    assert check.outcome == "hold" and [f["code"] for f in check.findings] == ["bp_crisis"]

    with pytest.raises(ValidationError, match="Only a prescriber"):
        predose_override(check=check, reason="Looks fine", by=world.nurse)
    with pytest.raises(ValidationError, match="Write your reason"):
        predose_override(check=check, reason="   ", by=world.prescriber)
    check.refresh_from_db()
    assert not check.cleared

    predose_override(check=check, reason="Repeat 168/96; benefit outweighs risk.", by=world.prescriber)
    check.refresh_from_db()
    assert check.cleared
    with pytest.raises(ValidationError, match="already cleared"):
        predose_override(check=check, reason="Again", by=world.prescriber)


@pytest.mark.django_db
def test_a_high_risk_screen_holds_opens_a_safety_alert_and_may_be_overridden(world):
    session = make_session(world, status="checked_in")

    check = record_check(session, world.nurse, risk=RISK_HIGH)

    assert check.outcome == "hold" and "risk_high" in {f["code"] for f in check.findings}
    assert SafetyAlert.objects.filter(patient=session.patient, source="cssrs_high", acknowledged_at=None).exists()
    predose_override(
        check=check, reason="Evaluated by Dr. X: passive ideation, safety plan in place.", by=world.prescriber
    )
    check.refresh_from_db()
    assert check.cleared


@pytest.mark.django_db
def test_a_moderate_risk_screen_needs_review(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse, risk=RISK_MODERATE)
    assert check.outcome == "review" and [f["code"] for f in check.findings] == ["risk_moderate"]


@pytest.mark.django_db
def test_an_open_high_risk_alert_still_holds_a_repeated_check(world):
    session = make_session(world, status="checked_in")
    record_check(session, world.nurse, risk=RISK_HIGH)

    again = record_check(session, world.nurse)  # "all no" now, but the alert is still open

    assert again.outcome == "hold" and "still open" in again.findings[0]["detail"]
    alert = SafetyAlert.objects.get(patient=session.patient, source="cssrs_high")
    safety_alert_acknowledge(alert=alert, by=world.prescriber, note="Evaluated; low risk today.")
    assert record_check(session, world.nurse).outcome == "pass"


@pytest.mark.django_db
def test_consent_not_current_holds_and_cant_be_overridden(world):
    session = make_session(world, status="checked_in", consent=False)
    check = record_check(session, world.nurse)
    assert check.outcome == "hold" and check.findings[0]["code"] == "consent_not_current"
    assert check.findings[0]["overridable"] is False and not check.consent_current

    with pytest.raises(ValidationError, match="can't be overridden"):
        predose_override(check=check, reason="I'll get it signed later", by=world.prescriber)
    check.refresh_from_db()
    assert not check.cleared


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["not_eligible", "plan_unsigned"])
def test_eligibility_not_valid_holds_and_cant_be_overridden(world, why):
    patient = world.patient_a
    if why == "plan_unsigned":
        session = make_session(world, status="checked_in", signed=False)
    else:
        session = make_session(world, status="checked_in")
        eligible(patient, by=world.prescriber, decision=Assessment.Decision.NOT_ELIGIBLE)  # a later decision

    check = record_check(session, world.nurse)

    assert check.outcome == "hold" and not check.eligibility_valid
    finding = next(f for f in check.findings if f["code"] == "eligibility_not_valid")
    assert finding["overridable"] is False
    assert ("not signed" if why == "plan_unsigned" else "Not eligible") in finding["detail"]
    with pytest.raises(ValidationError, match="can't be overridden"):
        predose_override(check=check, reason="Proceed", by=world.prescriber)


@pytest.mark.django_db
def test_fasting_is_compared_with_the_plans_hours(world):
    session = make_session(world, status="checked_in", food="6", fluids="2")
    check = record_check(session, world.nurse, data=check_data(hours_since_food=Decimal("5.5")))
    assert check.outcome == "hold"
    assert "food 5.5 h (the plan asks 6 h)" in check.findings[0]["detail"]


@pytest.mark.django_db
def test_no_escort_holds_when_the_plan_requires_one(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse, data=check_data(escort_name="", escort_phone=""))
    assert check.outcome == "hold" and check.findings[0]["code"] == "no_escort"
    with pytest.raises(ValidationError, match="can't be overridden"):
        predose_override(check=check, reason="Will take a taxi", by=world.prescriber)


@pytest.mark.django_db
def test_alcohol_held_and_new_medications_need_review(world):
    session = make_session(world, status="checked_in")
    data = check_data(
        alcohol_last_24h=True,
        held_medications_last_24h=True,
        new_medications=True,
        new_medications_details="Zolpidem 5 mg at night",
    )
    check = record_check(session, world.nurse, data=data)
    codes = {f["code"] for f in check.findings}
    assert check.outcome == "review" and codes == {"alcohol", "held_medications", "new_medications"}
    held = next(f for f in check.findings if f["code"] == "held_medications")
    assert "Lorazepam" in held["detail"]  # the plan's holds are quoted


@pytest.mark.django_db
def test_pregnancy(world):
    session = make_session(world, status="checked_in")
    assert record_check(session, world.nurse, data=check_data(pregnancy="pregnant")).outcome == "hold"
    again = record_check(session, world.nurse, data=check_data(pregnancy="unknown"))
    assert again.outcome == "review" and again.findings[0]["code"] == "pregnancy_unknown"


@pytest.mark.django_db
def test_a_phq9_with_item_9_needs_review(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse, phq9=PHQ9_CALM | {"q9": 1})
    assert check.phq9.total == 1 and check.phq9.context == "pre_dose"
    assert check.outcome == "review" and check.findings[0]["code"] == "phq9_item9"


@pytest.mark.django_db
def test_weight_needed_for_a_per_kg_plan_when_the_last_is_too_old(world):
    world.clinic.weight_max_age_days = 14
    world.clinic.save(update_fields=["weight_max_age_days"])
    session = make_session(world, status="checked_in", weight_days_ago=15)

    with pytest.raises(ValidationError, match=r"Weigh the patient.*older than 14 days"):
        record_check(session, world.nurse)
    assert not PreDoseCheck.objects.filter(session=session).exists()

    check = record_check(session, world.nurse, vitals_data=vitals(weight_kg=Decimal("71.5")))
    assert check.vitals.weight_kg == Decimal("71.5")


@pytest.mark.django_db
def test_weight_not_needed_for_a_mg_plan(world):
    session = make_session(
        world, status="checked_in", weight=None, route="sl", dose_unit="mg", planned="100", low="50", high="200"
    )
    assert record_check(session, world.nurse).outcome == "pass"


@pytest.mark.django_db
def test_every_vital_is_required(world):
    session = make_session(world, status="checked_in")
    with pytest.raises(ValidationError, match="temperature missing"):
        record_check(session, world.nurse, vitals_data=vitals(temperature_c=None))


@pytest.mark.django_db
def test_recording_again_replaces_a_check_that_is_not_cleared(world):
    session = make_session(world, status="checked_in")
    first = record_check(session, world.nurse, vitals_data=vitals(systolic=186, diastolic=100))

    second = record_check(session, world.nurse, vitals_data=vitals(systolic=136, diastolic=84))

    assert second.outcome == "pass"
    assert not PreDoseCheck.objects.filter(pk=first.pk).exists()
    assert VitalSigns.objects.filter(pk=first.vitals_id).exists()  # the first reading stays on the chart
    assert AuditEvent.objects.filter(detail__contains="replacing the earlier one (hold: bp_crisis)").exists()


@pytest.mark.django_db
def test_a_cleared_check_is_not_replaced(world):
    session = make_session(world, status="checked_in")
    record_check(session, world.nurse)
    with pytest.raises(ValidationError, match="already cleared"):
        record_check(session, world.nurse, vitals_data=vitals(systolic=190))


@pytest.mark.django_db
def test_the_check_is_refused_after_the_dose_and_on_a_cancelled_or_signed_session(world):
    session = make_session(world)
    session_set_status(session=session, to="cancelled", by=world.nurse, reason="Unwell")
    with pytest.raises(ValidationError, match="this session is “Cancelled”"):
        record_check(session, world.nurse)

    other = make_session(world, patient=world.patient_b, status="checked_in")
    DosingSession.objects.filter(pk=other.pk).update(signed_at=timezone.now(), signed_by=world.prescriber)
    with pytest.raises(ValidationError, match="signed"):
        record_check(other, world.nurse)


@pytest.mark.django_db
def test_only_prescribers_and_nurses_of_the_clinic_record_it(world):
    session = make_session(world, status="checked_in")
    for user in (world.therapist, world.admin, world.other_clinician):
        with pytest.raises(ValidationError, match="Only a prescriber or nurse"):
            record_check(session, user)


@pytest.mark.django_db
def test_a_passed_check_has_nothing_to_override(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse)
    with pytest.raises(ValidationError, match="nothing to override"):
        predose_override(check=check, reason="Just in case", by=world.prescriber)


@pytest.mark.django_db
def test_another_clinics_prescriber_cant_override(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse, vitals_data=vitals(systolic=150))
    with pytest.raises(ValidationError, match="Only a prescriber"):
        predose_override(check=check, reason="Fine", by=world.other_clinician)
