"""The pre-dose check, override and administration pages: what they show, what a POST records, errors
that keep what was typed, double submits, and people who may not act (404)."""

import datetime
import html
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from intake.models import MeasureResponse, ScreenerWording, VitalSigns
from kap_clinic.instruments.definitions import CSSRS_PLACEHOLDER_WORDING
from sessions import clinic_time
from sessions.models import Administration, LedgerEntry, PreDoseCheck
from tests.factories import receive_lot

from .predose_helpers import (
    PHQ9_CALM,
    RISK_HIGH,
    administration_post,
    cleared_session,
    make_session,
    predose_post,
    record_check,
    vitals,
)

pytestmark = pytest.mark.django_db


def url(name, session):
    return reverse(f"dosing:{name}", args=[session.code])


def text(response) -> str:
    return html.unescape(response.content.decode())


def told(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def no_phq9_due(session):
    """A PHQ-9 two days ago, so that the form doesn't ask for one."""
    from intake.services import measure_record

    measure_record(patient=session.patient, instrument="phq9", answers=PHQ9_CALM, by=session.prescriber)


# --- the pre-dose check page -------------------------------------------------------------------------


def test_the_form_shows_what_the_nurse_needs(world, login):
    session = make_session(world)

    response = login(world.nurse).get(url("predose_check", session))

    assert response.status_code == 200
    page = text(response)
    assert "The plan asks at least 4 h without food." in page
    assert "The plan asks at least 2 h without liquids." in page
    assert "Last weight: 70.0 kg on" in page
    assert "Recent enough for the per-kg dose (valid for 30 days)" in page
    assert "Due: no PHQ-9 on record." in page
    assert str(CSSRS_PLACEHOLDER_WORDING["q1"]) in page
    assert "The patient is checked in when you record this check." in page
    assert "Lorazepam: skip the morning dose" in page  # the plan's held medications
    intake = session.patient.questionnaire.answers["support"]
    assert response.context["form"]["escort_name"].value() == intake["ride_home_name"]


def test_the_risk_screen_uses_the_clinics_licensed_wording(world, login):
    session = make_session(world)
    ScreenerWording.objects.create(
        clinic=world.clinic,
        **{key: f"Licensed text {key}" for key in CSSRS_PLACEHOLDER_WORDING},
        licence_reference="Licence 1",
        updated_by=world.admin,
    )
    page = text(login(world.nurse).get(url("predose_check", session)))
    assert "Licensed text q4" in page and str(CSSRS_PLACEHOLDER_WORDING["q4"]) not in page


def test_a_weight_is_asked_when_the_last_is_too_old(world, login):
    session = make_session(world, weight_days_ago=40)
    no_phq9_due(session)
    client = login(world.nurse)

    page = text(client.get(url("predose_check", session)))
    assert "The plan's dose is per kg: weigh the patient" in page

    response = client.post(url("predose_check", session), predose_post(risk=None))
    assert response.status_code == 200
    assert "Weigh the patient" in " ".join(response.context["vitals_form"].errors["weight"])
    assert not PreDoseCheck.objects.exists()

    response = client.post(
        url("predose_check", session), predose_post(**{"vitals-weight": "154", "vitals-weight_unit": "lb"})
    )
    assert response.status_code == 302
    assert PreDoseCheck.objects.get().vitals.weight_kg == Decimal("69.9")


def test_a_passing_check_lands_on_the_session_page(world, login):
    session = make_session(world)
    no_phq9_due(session)

    response = login(world.nurse).post(url("predose_check", session), predose_post())

    assert response.status_code == 302 and response["Location"] == reverse("dosing:session_detail", args=[session.code])
    check = PreDoseCheck.objects.get(session=session)
    assert check.outcome == "pass" and check.recorded_by == world.nurse
    session.refresh_from_db()
    assert session.status == "checked_in"
    assert "Pre-dose check passed: the dose can be given." in told(response)


def test_a_hold_is_told_with_its_reasons(world, login):
    session = make_session(world)
    no_phq9_due(session)

    response = login(world.nurse).post(
        url("predose_check", session), predose_post(**{"vitals-systolic": "186", "vitals-diastolic": "104"})
    )

    assert response.status_code == 302
    assert PreDoseCheck.objects.get().outcome == "hold"
    assert "hold the dose — Blood pressure too high to dose. Only a prescriber can clear it" in told(response)


def test_a_high_risk_screen_shows_the_safety_alert(world, login):
    session = make_session(world)
    no_phq9_due(session)

    response = login(world.nurse).post(url("predose_check", session), predose_post(risk=RISK_HIGH))

    messages = told(response)
    assert "Safety alert: Risk screen: high risk" in messages and "do not leave the patient alone" in messages
    assert PreDoseCheck.objects.get().outcome == "hold"


def test_the_risk_screen_follows_its_skip_logic(world, login):
    session = make_session(world)
    no_phq9_due(session)
    client = login(world.nurse)

    response = client.post(url("predose_check", session), predose_post(risk={"q1": 1, "q2": 1, "q6": 0}))
    assert response.status_code == 200
    assert response.context["form"].errors["risk_q3"] == ["Please answer this question."]

    # q3–q5 answered although q2 is no: ignored, as the screen asks
    response = client.post(
        url("predose_check", session), predose_post(risk={"q1": 0, "q2": 0, "q3": 1, "q4": 1, "q6": 0})
    )
    assert response.status_code == 302
    screen = PreDoseCheck.objects.get().risk_screen
    assert screen.risk == "none" and set(screen.answers) == {"q1", "q2", "q6"}


def test_a_due_phq9_is_asked_and_recorded(world, login):
    session = make_session(world)
    client = login(world.nurse)

    response = client.post(url("predose_check", session), predose_post())
    assert response.status_code == 200 and "phq9_q1" in response.context["form"].errors

    response = client.post(url("predose_check", session), predose_post(phq9=PHQ9_CALM | {"q2": 2, "difficulty": 1}))
    assert response.status_code == 302
    phq9 = PreDoseCheck.objects.get().phq9
    assert (phq9.total, phq9.context, phq9.answers["difficulty"]) == (2, "pre_dose", 1)


def test_wrong_values_are_refused_with_units_and_nothing_typed_is_lost(world, login):
    session = make_session(world)
    no_phq9_due(session)
    post = predose_post(
        **{"vitals-systolic": "400", "vitals-temperature": "98.6"},
        hours_since_food="5.5",
        escort_name="Sam Driver",
        new_medications="yes",
    )

    response = login(world.nurse).post(url("predose_check", session), post)

    assert response.status_code == 200
    page = text(response)
    assert "Systolic BP must be between 40 and 300 mmHg" in page
    assert "98.6 °C looks like a Fahrenheit reading" in page
    assert "Name the new medications" in page
    assert "Nothing was saved" in page
    form = response.context["form"]
    assert form["hours_since_food"].value() == "5.5" and form["escort_name"].value() == "Sam Driver"
    assert response.context["vitals_form"]["systolic"].value() == "400"
    assert not PreDoseCheck.objects.exists()
    assert not VitalSigns.objects.filter(context="pre_dose").exists()
    assert not MeasureResponse.objects.filter(context="pre_dose").exists()
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_the_same_form_sent_twice_records_one_check(world, login):
    session = make_session(world)
    no_phq9_due(session)
    client = login(world.nurse)
    post = predose_post(**{"vitals-systolic": "150"})

    first = client.post(url("predose_check", session), post)
    second = client.post(url("predose_check", session), post)

    assert first.status_code == second.status_code == 302
    assert PreDoseCheck.objects.count() == 1
    assert VitalSigns.objects.filter(context="pre_dose").count() == 1
    assert "This was already recorded." in told(second)


def test_an_uncleared_check_may_be_recorded_again_a_cleared_one_not(world, login):
    session = make_session(world, status="checked_in")
    no_phq9_due(session)
    record_check(session, world.nurse, vitals_data=vitals(systolic=150))
    client = login(world.nurse)

    page = text(client.get(url("predose_check", session)))
    assert "Recording the check again replaces it" in page
    assert client.post(url("predose_check", session), predose_post()).status_code == 302
    assert PreDoseCheck.objects.get().outcome == "pass"

    response = client.get(url("predose_check", session))
    assert response.context["form"] is None
    assert "The pre-dose check is cleared: the dose can be given." in text(response)


# --- the override page --------------------------------------------------------------------------------


def test_a_prescriber_reviews_the_findings_and_clears_with_a_reason(world, login):
    session = make_session(world, status="checked_in")
    record_check(session, world.nurse, vitals_data=vitals(systolic=190, diastolic=100))
    client = login(world.prescriber)

    page = text(client.get(url("predose_override", session)))
    assert "Blood pressure 190/100 mmHg" in page and "domain.md §8 [S139,S140,S88,S141]" in page

    response = client.post(url("predose_override", session), {"submission": page_token(client, session), "reason": " "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]

    response = client.post(
        url("predose_override", session),
        {"submission": page_token(client, session), "reason": "Repeat 172/98 after rest; proceeding."},
    )
    assert response.status_code == 302
    check = PreDoseCheck.objects.get()
    assert check.cleared and check.override_by == world.prescriber
    assert "Pre-dose check cleared with your reason" in told(response)


def page_token(client, session) -> str:
    return str(client.get(url("predose_override", session)).context["form"]["submission"].value())


def test_a_hold_that_cant_be_overridden_offers_no_form(world, login):
    session = make_session(world, status="checked_in", consent=False)
    record_check(session, world.nurse)
    client = login(world.prescriber)

    response = client.get(url("predose_override", session))

    assert response.status_code == 200 and "form" not in response.context
    assert "can't be overridden" in text(response) and "Consent not current" in text(response)
    client.post(url("predose_override", session), {"submission": "a2f3e0a4-1c1f-4c55-9a5e-1f1d6f0b9c11", "reason": "x"})
    assert not PreDoseCheck.objects.get().cleared


def test_a_nurse_cant_open_the_override_page(world, login):
    session = make_session(world, status="checked_in")
    record_check(session, world.nurse, vitals_data=vitals(systolic=150))
    assert login(world.nurse).get(url("predose_override", session)).status_code == 404


# --- the administration page ------------------------------------------------------------------------


def test_the_dose_form_is_prefilled_from_the_plan_with_usable_lots_only(world, login, lot, other_lot):
    session = cleared_session(world)
    empty = receive_lot(clinic=world.clinic, by=world.nurse, containers=1)
    from sessions.services import ledger

    ledger.disposal_record(
        lot=empty,
        quantity_mg=empty.balance_mg,
        disposed_on=clinic_time.clinic_today(world.clinic),
        by=world.nurse,
        method="reverse_distributor",
        reverse_distributor_name="Returns Co",
        reverse_distributor_address="9 Dock Road",
        reverse_distributor_dea_number="RC1234563",
    )

    response = login(world.nurse).get(url("administration_add", session))

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["drug"].value(), form["route"].value()) == ("racemic", "im")
    assert form["administered_by"].value() == world.nurse.code
    assert list(form.fields["lot"].queryset) == [lot]  # not the other clinic's, not an empty one
    assert "At 70 kg that is 35 mg." in text(response)


def test_recording_a_dose_lands_on_the_session_with_the_ledger_balance(world, login, lot):
    session = cleared_session(world)

    response = login(world.nurse).post(url("administration_add", session), administration_post(world, session, lot))

    assert response.status_code == 302 and response["Location"] == reverse("dosing:session_detail", args=[session.code])
    given = Administration.objects.get()
    assert (given.dose_mg, given.mg_per_kg, given.recorded_by) == (Decimal(35), Decimal("0.500"), world.nurse)
    assert "Recorded: 35 mg (0.500 mg/kg) Intramuscular (IM)" in told(response)
    assert "The lot now holds 965 mg (19.3 mL)" in told(response)


def test_a_guardrail_stops_a_nurse_and_asks_a_prescriber_for_a_reason(world, login, lot):
    session = cleared_session(world)
    post = administration_post(world, session, lot, dose_mg="84")  # 1.2 mg/kg

    response = login(world.nurse).post(url("administration_add", session), post)
    assert response.status_code == 200
    page = text(response)
    assert "Above the plan's dose range" in page and "1.2 mg/kg is above the plan's range of 0.3–1 mg/kg" in page
    assert "ask a prescriber to record it" in page
    assert 'name="override_reason"' not in page

    client = login(world.prescriber)
    response = client.post(url("administration_add", session), administration_post(world, session, lot, dose_mg="84"))
    assert response.status_code == 200 and 'name="override_reason"' in text(response)
    assert response.context["form"]["dose_mg"].value() == "84"
    assert not Administration.objects.exists()

    response = client.post(
        url("administration_add", session),
        administration_post(world, session, lot, dose_mg="84", override_reason="Partial response at 1.0 mg/kg."),
    )
    assert response.status_code == 302
    assert Administration.objects.get().override_by == world.prescriber


def test_a_refused_esketamine_dose_offers_no_override(world, login):
    from .predose_helpers import esketamine_plan

    lot = receive_lot(
        clinic=world.clinic,
        by=world.nurse,
        substance="esketamine",
        form="nasal_device",
        strength_mg=Decimal(28),
        container_size=Decimal(6),
    )
    session = cleared_session(world, plan=esketamine_plan(world.patient_a, by=world.prescriber))

    response = login(world.prescriber).post(
        url("administration_add", session), administration_post(world, session, lot, dose_mg="70")
    )

    assert response.status_code == 200
    assert "esketamine doses are 28, 56, 84 mg" in text(response) and 'name="override_reason"' not in text(response)
    assert not Administration.objects.exists()


def test_another_clinics_lot_cant_be_chosen(world, login, other_lot):
    session = cleared_session(world)
    response = login(world.nurse).post(
        url("administration_add", session), administration_post(world, session, other_lot)
    )
    assert response.status_code == 200 and response.context["form"].errors["lot"]
    assert not other_lot.entries.filter(kind="administration").exists()


def test_the_same_dose_sent_twice_is_recorded_once(world, login, lot):
    session = cleared_session(world)
    client = login(world.nurse)
    post = administration_post(world, session, lot)

    assert client.post(url("administration_add", session), post).status_code == 302
    second = client.post(url("administration_add", session), post)

    assert second.status_code == 302 and "This was already recorded." in told(second)
    assert Administration.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="administration").count() == 1


def test_no_dose_form_before_the_check_is_cleared(world, login, lot):
    session = make_session(world, status="checked_in")
    record_check(session, world.nurse, vitals_data=vitals(systolic=150))

    response = login(world.nurse).get(url("administration_add", session))

    assert response.status_code == 200 and response.context["form"] is None
    assert "The pre-dose check must pass" in text(response)
    response = login(world.nurse).post(url("administration_add", session), administration_post(world, session, lot))
    assert response.status_code == 200 and not Administration.objects.exists()


def test_an_iv_dose_asks_for_its_end_time(world, login, lot):
    session = cleared_session(world, route="iv", low="0.1", high="0.75")
    response = login(world.nurse).post(url("administration_add", session), administration_post(world, session, lot))
    assert response.status_code == 200
    assert "An IV infusion needs its end time" in " ".join(response.context["form"].errors["ended_at"])


@pytest.mark.parametrize("name", ["predose_check", "administration_add", "predose_override"])
@pytest.mark.parametrize("who", ["therapist", "admin", "other_clinician", "other_admin"])
def test_people_who_may_not_act_are_told_it_doesnt_exist(world, login, name, who):
    session = make_session(world, status="checked_in")
    record_check(session, world.nurse, vitals_data=vitals(systolic=150))
    assert login(getattr(world, who)).get(url(name, session)).status_code == 404
    assert login(world.patient_a.user).get(url(name, session)).status_code == 404


# --- the partials the session page includes -----------------------------------------------------------


def _partial(name, **context) -> str:
    from django.template.loader import render_to_string

    return html.unescape(render_to_string(f"dosing/session/{name}", context))


def test_the_pre_dose_partial_shows_findings_and_the_prescribers_link(world):
    session = make_session(world, status="checked_in")
    check = record_check(session, world.nurse, vitals_data=vitals(systolic=184, diastolic=96))
    flags = {"session": session, "check": check, "is_signed": False, "may_run": True}

    for_prescriber = _partial("_predose.html", **flags, may_override=True)
    for_nurse = _partial("_predose.html", **flags, may_override=False)

    assert "Hold the dose" in for_prescriber and "Blood pressure 184/96 mmHg" in for_prescriber
    assert url("predose_override", session) in for_prescriber and url("predose_override", session) not in for_nurse
    assert "Record the check again" in for_nurse
    signed = _partial("_predose.html", **(flags | {"is_signed": True}), may_override=True)
    assert url("predose_override", session) not in signed and url("predose_check", session) not in signed


def test_the_pre_dose_partial_without_a_check_offers_to_record_it(world):
    session = make_session(world)
    page = _partial("_predose.html", session=session, check=None, is_signed=False, may_run=True, may_override=False)
    assert "Not recorded yet" in page and url("predose_check", session) in page


def test_the_administrations_partial_lists_doses_with_mg_per_kg_and_overrides(world, lot):
    from sessions.services.predose import administration_record

    session = cleared_session(world, route="iv", low="0.1", high="0.75")
    start = timezone.now() - datetime.timedelta(minutes=45)
    administration_record(
        session=session,
        lot=lot,
        dose_mg=Decimal(56),
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=40),
        administered_by=world.nurse,
        override_reason="Partial response at 0.5 mg/kg",
        by=world.prescriber,
    )
    session.refresh_from_db()

    page = _partial(
        "_administrations.html",
        session=session,
        administrations=session.administrations.all(),
        is_signed=False,
        may_run=True,
        may_override=True,
    )

    assert "56 mg" in page and "0.800 mg/kg at 70.0 kg" in page and "(40 min)" in page
    assert "Overridden by" in page and "Partial response at 0.5 mg/kg" in page
    assert "Record another administration" in page


def test_a_whole_pre_dose_to_dose_run_through_the_pages(world, login, lot):
    session = make_session(world)
    no_phq9_due(session)
    nurse = login(world.nurse)
    nurse.post(url("predose_check", session), predose_post(**{"vitals-systolic": "152", "vitals-diastolic": "88"}))
    assert nurse.get(url("administration_add", session)).context["form"] is None

    prescriber = login(world.prescriber)
    token = page_token(prescriber, session)
    prescriber.post(url("predose_override", session), {"submission": token, "reason": "White-coat; home BP normal."})
    nurse = login(world.nurse)
    response = nurse.post(url("administration_add", session), administration_post(world, session, lot))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "dosing" and session.dosed_at is not None
    assert list(session.status_changes.values_list("to_status", flat=True)) == ["checked_in", "dosing"]
