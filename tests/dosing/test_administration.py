"""Administering a dose: guardrails (override by a prescriber with a reason), esketamine's labelled doses,
mg/kg from the latest weight, the ledger entry drawn in the same transaction."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from intake.models import RouteProtocol
from sessions import clinic_time, dose_rules
from sessions.models import Administration, DosingSession, LedgerEntry
from sessions.services.predose import administration_record, predose_override
from tests.factories import receive_lot

from .predose_helpers import (
    cleared_session,
    esketamine_plan,
    make_session,
    record_check,
    vitals,
    weigh,
)

pytestmark = pytest.mark.django_db


def give(session, lot, mg, by, *, at=None, ended_at=None, administered_by=None, **kwargs) -> Administration:
    return administration_record(
        session=session,
        lot=lot,
        dose_mg=Decimal(mg),
        started_at=at or timezone.now(),
        ended_at=ended_at,
        administered_by=administered_by or by,
        by=by,
        **kwargs,
    )


@pytest.fixture
def esketamine_lot(world):
    """Two packages of 6 Spravato devices (28 mg each): 336 mg."""
    return receive_lot(
        clinic=world.clinic,
        by=world.nurse,
        substance="esketamine",
        form="nasal_device",
        strength_mg=Decimal(28),
        container_size=Decimal(6),
    )


# --- a dose within the plan -----------------------------------------------------------------------


def test_a_dose_draws_from_the_ledger_computes_mg_per_kg_and_starts_dosing(world, lot):
    session = cleared_session(world)  # IM 0.3–1.0 mg/kg, 70 kg
    before = lot.balance_mg

    given = give(session, lot, 35, world.nurse)

    assert (given.weight_kg, given.mg_per_kg) == (Decimal("70.0"), Decimal("0.500"))
    assert given.guardrails == [] and given.override_reason == "" and given.override_by is None
    lot.refresh_from_db()
    assert lot.balance_mg == before - 35
    entry = given.ledger_entry
    assert (entry.kind, entry.change_mg, entry.patient, entry.performed_by) == (
        LedgerEntry.Kind.ADMINISTRATION,
        Decimal(-35),
        session.patient,
        world.nurse,
    )
    session.refresh_from_db()
    assert session.status == DosingSession.Status.DOSING and session.dosed_at == given.started_at


def test_a_booster_keeps_the_first_dose_time(world, lot):
    session = cleared_session(world)
    first = give(session, lot, 35, world.nurse, at=timezone.now() - datetime.timedelta(minutes=12))

    give(session, lot, 20, world.nurse)

    session.refresh_from_db()
    assert session.dosed_at == first.started_at and session.administrations.count() == 2


def test_mg_per_kg_uses_the_newest_weight(world, lot):
    session = cleared_session(world, weight="90", weight_days_ago=20)
    weigh(session.patient, "80", by=world.nurse, days_ago=2)

    given = give(session, lot, 40, world.nurse)

    assert (given.weight_kg, given.mg_per_kg) == (Decimal("80.0"), Decimal("0.500"))


def test_mg_per_kg_rounds_to_3_decimals(world, lot):
    session = cleared_session(world, weight="72.5")
    assert give(session, lot, 37, world.nurse).mg_per_kg == Decimal("0.510")


def test_a_per_kg_plan_without_a_recent_weight_is_refused(world, lot):
    session = make_session(world, status="checked_in")
    record_check(session, world.nurse)
    session.patient.vitals.filter(weight_kg__isnull=False).update(
        measured_at=timezone.now() - datetime.timedelta(days=45)
    )

    with pytest.raises(ValidationError, match=r"Weigh the patient.*older than 30 days"):
        give(session, lot, 35, world.prescriber, override_reason="Proceed")
    assert not Administration.objects.exists()


# --- guardrails that a prescriber may override ----------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"mg": 80}, "above_plan_range"),  # 80 / 70 = 1.143 mg/kg > 1.0
        ({"mg": 14}, "below_plan_range"),  # 0.2 mg/kg < 0.3
        ({"mg": 35, "route": "iv", "ended_at": True}, "route_differs"),
    ],
)
def test_a_guardrail_needs_a_prescribers_reason(world, lot, changes, code):
    session = cleared_session(world)
    mg = changes.pop("mg")
    if changes.pop("ended_at", False):
        changes |= {"at": timezone.now() - datetime.timedelta(minutes=40), "ended_at": timezone.now()}

    with pytest.raises(ValidationError, match="ask a prescriber") as refused:
        give(session, lot, mg, world.nurse, **changes)
    assert refused.value.code == "needs_prescriber"
    with pytest.raises(ValidationError, match="Write your reason") as no_reason:
        give(session, lot, mg, world.prescriber, **changes)
    assert no_reason.value.code == "needs_reason"
    assert not Administration.objects.exists()

    given = give(session, lot, mg, world.prescriber, override_reason="Titrating after session 2.", **changes)

    assert [g["code"] for g in given.guardrails] == [code]
    assert (given.override_reason, given.override_by) == ("Titrating after session 2.", world.prescriber)


def test_above_the_routes_configured_maximum(world, lot):
    session = cleared_session(world, weight="150")  # 1.0 mg/kg would be 150 mg
    RouteProtocol.objects.create(
        clinic=world.clinic,
        route="im",
        fasting_food_hours=4,
        fasting_fluids_hours=2,
        dose_unit="mg_per_kg",
        dose_min=Decimal("0.3"),
        dose_max=Decimal("1.0"),
        maximum_mg=Decimal(100),
        updated_by=world.admin,
    )

    with pytest.raises(ValidationError, match="above the clinic's maximum of 100 mg"):
        give(session, lot, 120, world.nurse)
    given = give(session, lot, 120, world.prescriber, override_reason="Large patient; discussed.")
    assert [g["code"] for g in given.guardrails] == ["above_route_maximum"]


def test_a_booster_counts_towards_the_plans_maximum(world, lot):
    session = cleared_session(world)  # 70 kg: at most 70 mg
    give(session, lot, 52.5, world.nurse)  # 0.75 mg/kg

    with pytest.raises(ValidationError, match=r"in this session so far.*above the plan's range"):
        give(session, lot, 20, world.nurse)  # 72.5 mg = 1.036 mg/kg
    assert give(session, lot, 17.5, world.nurse).guardrails == []  # 70 mg = 1.0 mg/kg


def test_a_small_booster_is_not_below_the_range(world, lot):
    session = cleared_session(world)
    give(session, lot, 35, world.nurse)
    assert give(session, lot, 10, world.nurse).guardrails == []


def test_another_drug_than_the_plans_needs_an_override(world, esketamine_lot):
    session = cleared_session(world, route="in", dose_unit="mg", planned="56", low="28", high="84")

    with pytest.raises(ValidationError, match="plan prescribes Racemic ketamine"):
        give(session, esketamine_lot, 56, world.nurse, drug="esketamine")
    given = give(
        session, esketamine_lot, 56, world.prescriber, drug="esketamine", override_reason="Switched to Spravato."
    )
    assert [g["code"] for g in given.guardrails] == ["drug_differs"]


# --- esketamine: intranasal only, labelled doses only (no override) ----------------------------------


def test_esketamine_labelled_doses_device_by_device(world, esketamine_lot):
    patient = world.patient_a
    session = cleared_session(world, plan=esketamine_plan(patient, by=world.prescriber))

    for _device in range(3):
        give(session, esketamine_lot, 28, world.nurse)  # 28, 56, 84 mg: each a labelled total

    with pytest.raises(ValidationError, match="make 112 mg in this session: esketamine doses are 28, 56, 84 mg"):
        give(session, esketamine_lot, 28, world.prescriber, override_reason="More")
    assert session.administrations.count() == 3


@pytest.mark.parametrize("mg", [50, 30, 112])
def test_esketamine_other_doses_are_refused_even_for_a_prescriber(world, esketamine_lot, mg):
    session = cleared_session(world, plan=esketamine_plan(world.patient_a, by=world.prescriber))

    with pytest.raises(ValidationError, match="esketamine doses are 28, 56, 84 mg") as refused:
        give(session, esketamine_lot, mg, world.prescriber, override_reason="Prescriber's decision")
    assert refused.value.code == "refused"


def test_esketamine_only_intranasally(world, esketamine_lot):
    session = cleared_session(world, plan=esketamine_plan(world.patient_a, by=world.prescriber))
    found = dose_rules.evaluate(
        dose_rules.DoseFacts(
            drug="esketamine",
            route="im",
            dose_mg=Decimal(56),
            session_total_mg=Decimal(56),
            first_of_session=True,
            weight_kg=None,
            plan_drug="esketamine",
            plan_route="in",
            plan_unit="mg",
            plan_min=Decimal(28),
            plan_max=Decimal(84),
            route_maximum_mg=Decimal(120),
        )
    )
    assert {g["code"]: g["overridable"] for g in found} == {"esketamine_route": False, "route_differs": True}
    with pytest.raises(ValidationError):  # the nasal device can't be given IM either
        give(session, esketamine_lot, 56, world.prescriber, route="im", override_reason="IM instead")


# --- the lot ------------------------------------------------------------------------------------------


def test_another_clinics_lot_is_refused(world, other_lot):
    session = cleared_session(world)
    with pytest.raises(ValidationError, match="not on this clinic's ledger"):
        give(session, other_lot, 35, world.nurse)
    other_lot.refresh_from_db()
    assert not other_lot.entries.filter(kind="administration").exists()


def test_a_lot_of_the_other_substance_is_refused(world, esketamine_lot):
    session = cleared_session(world)
    with pytest.raises(ValidationError, match="is Esketamine.*not Racemic ketamine"):
        give(session, esketamine_lot, 28, world.nurse)


def test_an_expired_lot_is_refused(world, monkeypatch):
    today = clinic_time.clinic_today(world.clinic)
    lot = receive_lot(clinic=world.clinic, by=world.nurse, expires_on=today + datetime.timedelta(days=3))
    session = cleared_session(world)
    monkeypatch.setattr(clinic_time, "clinic_date", lambda clinic, at: today + datetime.timedelta(days=4))

    with pytest.raises(ValidationError, match="expired"):
        give(session, lot, 35, world.nurse)


def test_more_than_the_lot_holds_is_refused_and_nothing_is_written(world, lot):
    session = cleared_session(world, weight="120")
    with pytest.raises(ValidationError, match="holds only"):
        give(session, lot, 1100, world.prescriber, override_reason="Test")
    assert not Administration.objects.exists()
    session.refresh_from_db()
    assert session.status == "checked_in" and session.dosed_at is None


# --- when a dose may be recorded -----------------------------------------------------------------------


def test_no_dose_before_the_check_is_cleared(world, lot):
    session = make_session(world, status="checked_in")
    with pytest.raises(ValidationError, match="pre-dose check must pass"):
        give(session, lot, 35, world.prescriber)
    check = record_check(session, world.nurse, vitals_data=vitals(systolic=150))
    with pytest.raises(ValidationError, match="pre-dose check must pass"):
        give(session, lot, 35, world.prescriber)

    predose_override(check=check, reason="Rechecked 138/86.", by=world.prescriber)
    assert give(session, lot, 35, world.nurse).pk


def test_a_signed_session_refuses_a_dose(world, lot):
    session = cleared_session(world)
    give(session, lot, 35, world.nurse)
    DosingSession.objects.filter(pk=session.pk).update(signed_at=timezone.now(), signed_by=world.prescriber)

    with pytest.raises(ValidationError, match="signed"):
        give(session, lot, 10, world.nurse)
    assert session.administrations.count() == 1


def test_times_in_the_future_or_before_check_in_are_refused(world, lot):
    session = cleared_session(world)
    with pytest.raises(ValidationError, match="in the future"):
        give(session, lot, 35, world.nurse, at=timezone.now() + datetime.timedelta(minutes=10))
    with pytest.raises(ValidationError, match="before the patient checked in"):
        give(session, lot, 35, world.nurse, at=timezone.now() - datetime.timedelta(hours=2))


def test_an_iv_infusion_needs_its_end_time(world, lot):
    session = cleared_session(world, route="iv", low="0.1", high="0.75")
    start = timezone.now() - datetime.timedelta(minutes=40)
    with pytest.raises(ValidationError, match="IV infusion needs its end time"):
        give(session, lot, 35, world.nurse, at=start)
    with pytest.raises(ValidationError, match="end time is before the start"):
        give(session, lot, 35, world.nurse, at=start, ended_at=start - datetime.timedelta(minutes=1))

    given = give(session, lot, 35, world.nurse, at=start, ended_at=start + datetime.timedelta(minutes=40))
    assert given.ended_at - given.started_at == datetime.timedelta(minutes=40)


def test_who_records_and_who_administered(world, lot):
    session = cleared_session(world)
    for user in (world.therapist, world.admin, world.other_clinician):
        with pytest.raises(ValidationError, match="Only a prescriber or nurse"):
            give(session, lot, 35, user)
    with pytest.raises(ValidationError, match="is not a prescriber or nurse"):
        give(session, lot, 35, world.nurse, administered_by=world.therapist)

    given = give(session, lot, 35, world.prescriber, administered_by=world.nurse)
    assert (given.administered_by, given.recorded_by, given.ledger_entry.performed_by) == (
        world.nurse,
        world.prescriber,
        world.nurse,
    )
