"""Data for the admin dashboard and course summary tests, written with the ORM (the pages that write these
records are tested in their own areas): a signed plan with a chosen indication, route and dose unit, measure
responses at given times, dosing sessions in any status with their dose and discharge times, administrations
drawn from a real ledger lot, adverse events."""

import datetime
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from intake.models import Assessment, IntakeQuestionnaire, MeasureResponse, TreatmentPlan
from kap_clinic.dashboards.outcomes import Period
from sessions import clinic_time
from sessions import services as ledger_services
from sessions.models import Administration, AdverseEvent, DosingSession
from tests.factories import PatientFactory, receive_lot

fake = Faker()
Status = DosingSession.Status


def days_ago(n: float, *, hours: float = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n, hours=hours)


def period(clinic, *, first_days_ago: int = 60, last_days_ago: int = 0) -> Period:
    today = clinic_time.clinic_today(clinic)
    return Period(
        clinic, today - datetime.timedelta(days=first_days_ago), today - datetime.timedelta(days=last_days_ago)
    )


def at_local(clinic, year, month, day, hour=12, minute=0) -> datetime.datetime:
    """A wall-clock time in the clinic's time zone, as an aware datetime."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=clinic_time.clinic_zone(clinic))


UNITS = {"iv": "mg_per_kg", "im": "mg_per_kg", "sl": "mg", "in": "mg"}


def plan_for(patient, by, *, indication="depression", route="im", drug="racemic", signed=True) -> TreatmentPlan:
    """A signed plan (and the signed eligible assessment before it) with this indication and route; the dose
    unit follows the route (mg/kg for IV and IM, mg for SL and IN)."""
    questionnaire, _ = IntakeQuestionnaire.objects.get_or_create(patient=patient)
    now = timezone.now()
    assessment = Assessment.objects.create(
        patient=patient,
        questionnaire=questionnaire,
        indication=indication,
        decision=Assessment.Decision.ELIGIBLE,
        evaluation=fake.sentence(),
        created_by=by,
        signed_by=by,
        signed_at=now,
    )
    mg_per_kg = UNITS[route] == "mg_per_kg"
    return TreatmentPlan.objects.create(
        patient=patient,
        assessment=assessment,
        indication=indication,
        drug=drug,
        route=route,
        dose_unit=UNITS[route],
        planned_dose=Decimal("0.5") if mg_per_kg else Decimal(100),
        dose_min=Decimal("0.3") if mg_per_kg else Decimal(50),
        dose_max=Decimal("1") if mg_per_kg else Decimal(200),
        induction_sessions=6,
        spacing_days=3,
        fasting_food_hours=Decimal(4),
        fasting_fluids_hours=Decimal(2),
        created_by=by,
        signed_by=by if signed else None,
        signed_at=now if signed else None,
    )


def measure(patient, instrument: str, total: int, *, at, by, context="follow_up") -> MeasureResponse:
    return MeasureResponse.objects.create(
        patient=patient,
        instrument=instrument,
        version="test",
        answers={},
        total=total,
        context=context,
        completed_at=at,
        entered_by=by,
    )


def baseline(patient, instrument: str, total: int, *, at, by) -> MeasureResponse:
    return measure(patient, instrument, total, at=at, by=by, context="baseline")


def session(
    world,
    patient,
    *,
    status=Status.DISCHARGED,
    dosed_at=None,
    discharged_at=None,
    scheduled_at=None,
    plan=None,
) -> DosingSession:
    """A session of `patient` under their latest plan: discharged sessions need `dosed_at` and `discharged_at`."""
    plan = plan or patient.treatment_plans.order_by("-pk").first() or plan_for(patient, world.prescriber)
    scheduled_at = scheduled_at or (dosed_at - datetime.timedelta(minutes=30) if dosed_at else timezone.now())
    return DosingSession.objects.create(
        patient=patient,
        plan=plan,
        number=patient.dosing_sessions.count() + 1,
        scheduled_at=scheduled_at,
        room="Room 1",
        prescriber=world.prescriber,
        monitor=world.nurse,
        status=status,
        checked_in_at=scheduled_at if dosed_at else None,
        dosed_at=dosed_at,
        discharged_at=discharged_at,
        created_by=world.nurse,
    )


def discharged_after(world, patient, minutes: float, *, dosed_at=None, **kwargs) -> DosingSession:
    """A discharged session `minutes` after its dose."""
    dosed_at = dosed_at or days_ago(3)
    return session(
        world, patient, dosed_at=dosed_at, discharged_at=dosed_at + datetime.timedelta(minutes=minutes), **kwargs
    )


def stocked_lot(world, clinic=None, by=None):
    """Twenty 500 mg vials: enough for every dose a test gives."""
    return receive_lot(clinic=clinic or world.clinic, by=by or world.nurse, containers=20)


def give(session, lot, by, *, mg, mg_per_kg=None, weight_kg=None, at=None, route=None, drug=None) -> Administration:
    """One administration of `session` drawn from `lot` through the real ledger service."""
    at = at or session.dosed_at
    entry = ledger_services.ledger_administer(
        lot=lot, patient=session.patient, quantity_mg=Decimal(str(mg)), administered_by=by, at=at
    )
    return Administration.objects.create(
        session=session,
        drug=drug or session.plan.drug,
        route=route or session.plan.route,
        dose_mg=Decimal(str(mg)),
        mg_per_kg=None if mg_per_kg is None else Decimal(str(mg_per_kg)),
        weight_kg=None if weight_kg is None else Decimal(str(weight_kg)),
        started_at=at,
        lot=lot,
        ledger_entry=entry,
        administered_by=by,
        recorded_by=by,
    )


def adverse_event(session, by, *, kind="nausea_vomiting", severity="mild", at=None) -> AdverseEvent:
    return AdverseEvent.objects.create(
        session=session,
        kind=kind,
        kind_other=fake.word() if kind == "other" else "",
        severity=severity,
        onset_at=at or session.dosed_at,
        action_taken="Ondansetron given",
        outcome=AdverseEvent.Outcome.RESOLVED,
        recorded_by=by,
    )


def patients(clinic, n: int, **kwargs) -> list:
    return [PatientFactory(clinic=clinic, **kwargs) for _ in range(n)]
