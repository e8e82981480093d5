"""Helpers for the session lifecycle tests: a patient with a signed eligible assessment and a signed plan,
a session booked through the real service and moved along the pipeline, and the steps of other helpers'
areas (pre-dose check, administration, observations) written directly with the ORM so these tests
don't depend on those pages.

Times: a session "run" by `session_in_observation` was checked in `minutes_ago + 30` minutes ago and
dosed `minutes_ago` minutes ago; its observation entries are at minutes after the dose.
"""

import datetime
import html
import uuid
from decimal import Decimal

from django.utils import timezone

from intake.models import Patient, TreatmentPlan
from sessions import services as ledger_services
from sessions.models import Administration, DosingSession, ObservationEntry, PreDoseCheck
from sessions.services import sessions as services
from sessions.services.pipeline import session_set_status
from tests import course
from tests.factories import receive_lot

Status = DosingSession.Status


def now() -> datetime.datetime:
    return timezone.now()


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def signed_plan(patient: Patient, by, *, drug="racemic", route="sl", **overrides) -> TreatmentPlan:
    """A submitted intake, a signed "eligible" assessment and a signed plan (ORM: the intake pages are
    tested elsewhere), SL racemic (or intranasal esketamine) in milligrams; the chart moves to "treatment
    planned"."""
    values = course.ESKETAMINE_PLAN if drug == "esketamine" else course.SL_PLAN | {"drug": drug, "route": route}
    values = values | {
        "medication_holds": "Lorazepam: skip the morning dose",
        "instructions": "Wear comfortable clothes.",
    }
    return course.treatment_plan(patient, by=by, stage=Patient.Stage.PLANNED, **(values | overrides))


def book(world, patient=None, *, at=None, by=None, plan=True, **plan_values) -> DosingSession:
    """A session booked through the real service (a signed plan first, unless `plan=False`)."""
    patient = patient or world.patient_a
    if plan and not patient.treatment_plans.filter(signed_at__isnull=False).exists():
        signed_plan(patient, world.prescriber, **plan_values)
    return services.session_schedule(
        patient=patient,
        scheduled_at=at or now() + datetime.timedelta(hours=2),
        room="Room 2",
        prescriber=world.prescriber,
        monitor=world.nurse,
        by=by or world.nurse,
    )


def move(session, to, by, reason=""):
    return session_set_status(session=session, to=to, by=by, reason=reason)


def predose_check(session, by, *, systolic=124, diastolic=78, spo2=98, outcome="pass") -> PreDoseCheck:
    """A pre-dose check with its vitals and risk screen (ORM: the pre-dose pages are D's)."""
    return course.pre_dose_check(
        session,
        by=by,
        vitals_at=now() - minutes(5),
        screened_at=now() - minutes(300),
        vital_signs={"systolic": systolic, "diastolic": diastolic, "spo2": spo2},
        escort_name="Sam Rivera",
        pregnancy=PreDoseCheck.Pregnancy.NOT_APPLICABLE,
        outcome=outcome,
    )


def administer(session, by, *, at, mg=100, drug=None, route=None, ended_at=None, lot=None) -> Administration:
    """One administration drawn from a ledger lot through the real ledger service."""
    plan = session.plan
    drug = drug or plan.drug
    if lot is None:
        if drug == "esketamine":
            lot = receive_lot(
                clinic=session.patient.clinic,
                by=by,
                substance="esketamine",
                form="nasal_device",
                strength_mg=Decimal(28),
                container_size=Decimal(3),
                containers=2,
            )
        else:
            lot = receive_lot(clinic=session.patient.clinic, by=by)
    entry = ledger_services.ledger_administer(
        lot=lot, patient=session.patient, quantity_mg=Decimal(mg), administered_by=by, at=at
    )
    administration = Administration.objects.create(
        session=session,
        drug=drug,
        route=route or plan.route,
        dose_mg=Decimal(mg),
        started_at=at,
        ended_at=ended_at,
        lot=lot,
        ledger_entry=entry,
        administered_by=by,
        recorded_by=by,
    )
    DosingSession.objects.filter(pk=session.pk, dosed_at__isnull=True).update(dosed_at=at)
    return administration


def observe(session, by, at, **values) -> ObservationEntry:
    # the model's default scale name is one character longer than its column (reported to the lead)
    values.setdefault("moaas_scale", "MOAA/S 0-5, Chernik 1990")
    return ObservationEntry.objects.create(session=session, observed_at=at, recorded_by=by, **values)


def text(response) -> str:
    """A page's text as a reader sees it (entities such as &#x27; unescaped)."""
    return html.unescape(response.content.decode())


RECOVERED = {"systolic": 128, "diastolic": 80, "heart_rate": 74, "spo2": 97, "moaas": 5, "dissociation": 0}


def session_in_observation(
    world, patient=None, *, minutes_ago=150, recovered=True, mg=100, **plan_values
) -> DosingSession:
    """A session checked in, pre-dose check passed, dosed `minutes_ago` minutes ago, observing; with a
    40-minute entry and (if `recovered`) a recovered entry 10 minutes ago."""
    session = book(world, patient, at=now(), **plan_values)
    move(session, Status.CHECKED_IN, world.nurse)
    predose_check(session, world.nurse)
    move(session, Status.DOSING, world.nurse)
    dosed_at = now() - minutes(minutes_ago)
    DosingSession.objects.filter(pk=session.pk).update(
        scheduled_at=dosed_at - minutes(40), checked_in_at=dosed_at - minutes(30)
    )
    administer(session, world.nurse, at=dosed_at, mg=mg)
    move(session, Status.OBSERVING, world.nurse)
    observe(
        session,
        world.nurse,
        dosed_at + minutes(40),
        systolic=150,
        diastolic=92,
        spo2=96,
        moaas=3,
        dissociation=3,
        heart_rate=88,
    )
    if recovered:
        observe(session, world.nurse, now() - minutes(10), **RECOVERED)
    session.refresh_from_db()
    return session


def discharge(session, by, **kwargs):
    values = {"walks_steadily": True, "escort_present": True, "escort_name": "Sam Rivera"} | kwargs
    return services.session_discharge(session=session, by=by, **values)


def discharged(world, patient=None, **kwargs) -> DosingSession:
    session = session_in_observation(world, patient, **kwargs)
    discharge(session, world.nurse)
    session.refresh_from_db()
    return session


def signed(world, patient=None, **kwargs) -> DosingSession:
    """A discharged session whose monitoring note the nurse wrote and signed: locked."""
    session = discharged(world, patient, **kwargs)
    services.session_note_save(session=session, kind="monitoring", body="Uneventful session.", by=world.nurse)
    services.session_note_sign(session=session, kind="monitoring", by=world.nurse)
    session.refresh_from_db()
    return session


def form_data(**fields) -> dict:
    """What a session form sends, with a fresh submission token."""
    return {"submission": str(uuid.uuid4()), **fields}
