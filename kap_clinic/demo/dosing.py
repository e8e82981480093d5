"""Demo dosing sessions at Harbor Light, run through the real services with the clock set back for the ones
in the past: completed and signed sessions, one in observation now, one booked for tomorrow, and an
esketamine session whose REMS form is due. Doses draw from the demo ledger's lots.
"""

import contextlib
import datetime
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from intake.models import Patient
from kap_clinic.accounts.models import User
from sessions import clinic_time, services
from sessions.models import DosingSession, Lot

CALM = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "respiratory_rate": 14}
# minutes after the dose → (systolic, diastolic, heart rate, SpO2, MOAA/S, dissociation): a typical course,
# BP peaking about 40 min after the dose (domain.md §2, §8) and sedation resolving by discharge
COURSE = (
    (15, 132, 84, 80, 97, 4, 2),
    (30, 138, 88, 82, 96, 4, 3),
    (40, 141, 89, 84, 96, 4, 2),
    (60, 134, 84, 78, 97, 5, 1),
    (95, 126, 80, 74, 98, 5, 0),
)


@contextlib.contextmanager
def clock(at: datetime.datetime):
    """Run the services as if it were `at` (the demo's history): every `timezone.now()` answers `at`."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def staff(slug: str, handle: str) -> User:
    return User.objects.get(email=f"{handle}@{slug}.demo")


FORM_FOR_ROUTE = {"iv": "vial", "im": "vial", "sl": "troche", "in": "nasal_device"}


def lot_for(clinic, substance: str, route: str) -> Lot:
    lots = Lot.objects.filter(clinic=clinic, substance=substance, form=FORM_FOR_ROUTE[route])
    return lots.order_by("expires_on").first()


def run_session(patient: Patient, start: datetime.datetime, *, dose_mg: Decimal, devices: int = 1, until: str):
    """Book a session for `start` and run it as far as `until` ("observing", "discharged" or "signed")."""
    slug = patient.email.split("@")[1].split(".")[0]
    nurse, prescriber = staff(slug, "nurse"), staff(slug, "prescriber")
    with clock(start - datetime.timedelta(days=2)):
        session = services.session_schedule(
            patient=patient, scheduled_at=start, room="Chair 2", prescriber=prescriber, monitor=nurse, by=nurse
        )
    plan = session.plan
    with clock(start):
        services.predose_record(
            session=session,
            data={
                "hours_since_food": Decimal(6),
                "hours_since_fluids": Decimal(3),
                "escort_name": "Chris (partner)",
                "escort_phone": "(555) 010-7788",
                "alcohol_last_24h": False,
                "held_medications_last_24h": False,
                "new_medications": False,
                "new_medications_details": "",
                "pregnancy": "not_applicable",
            },
            vitals_data=CALM | {"temperature_c": Decimal("36.7"), "weight_kg": Decimal("78.0")},
            risk_answers={"q1": 0, "q2": 0, "q6": 0},
            by=nurse,
        )
    substance = "esketamine" if plan.drug == "esketamine" else "ketamine_hcl"
    dosed = start + datetime.timedelta(minutes=8)
    for device in range(devices):
        at = dosed + datetime.timedelta(minutes=5 * device)  # 5-min rest between Spravato devices
        with clock(at + datetime.timedelta(minutes=1)):
            services.administration_record(
                session=session,
                lot=lot_for(patient.clinic, substance, plan.route),
                dose_mg=dose_mg,
                started_at=at,
                ended_at=None,
                administered_by=nurse if substance == "ketamine_hcl" else prescriber,
                by=nurse,
            )
    with clock(dosed + datetime.timedelta(minutes=12)):
        services.session_transition(session=session, to=DosingSession.Status.OBSERVING, by=nurse)
    for minutes, systolic, diastolic, pulse, spo2, moaas, dissociation in COURSE:
        at = dosed + datetime.timedelta(minutes=minutes)
        if at > timezone.now():
            break
        with clock(at + datetime.timedelta(minutes=1)):
            services.observation_record(
                session=session,
                observed_at=at,
                by=nurse,
                systolic=systolic,
                diastolic=diastolic,
                heart_rate=pulse,
                spo2=spo2,
                respiratory_rate=14,
                moaas=moaas,
                dissociation=dissociation,
                avpu="A",
            )
    session.refresh_from_db()
    if until == "observing":
        return session
    minimum = max(COURSE[-1][0], 120 if plan.route == "in" else 0) + 5
    with clock(dosed + datetime.timedelta(minutes=minimum)):
        services.session_discharge(
            session=session, walks_steadily=True, escort_present=True, escort_name="Chris (partner)", by=nurse
        )
        services.session_note_save(
            session=session,
            kind="monitoring",
            body="Uneventful session. BP peaked at 141/89 about 40 minutes after the dose and settled; mild "
            "sedation and dissociation resolved by discharge. Left with partner; reminded not to drive until "
            "tomorrow.",
            by=nurse,
        )
        if until == "signed":
            services.session_note_sign(session=session, kind="monitoring", by=nurse)
    session.refresh_from_db()
    return session


def seed_dosing(clinic, slug: str) -> None:
    """Harbor Light only, once: the patients' sessions as the README's demo logins describe them."""
    if slug != "harbor" or DosingSession.objects.filter(patient__clinic=clinic).exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    days = datetime.timedelta(days=1)
    today = clinic_time.clinic_today(clinic)

    def morning(days_from_today: int) -> datetime.datetime:
        """10:00 at the clinic, `days_from_today` days from today (negative: in the past)."""
        day = today + datetime.timedelta(days=days_from_today)
        return datetime.datetime.combine(day, datetime.time(10), tzinfo=clinic_time.clinic_zone(clinic))

    jordan = Patient.objects.get(email="patient6@harbor.demo")
    first = None
    for weeks_ago in (3, 2, 1):
        session = run_session(jordan, morning(-7 * weeks_ago), dose_mg=Decimal(40), until="signed")
        first = first or session
    # the vial's leftover after the first dose, wasted with a witness
    dose = first.administrations.get()
    with clock(dose.started_at + datetime.timedelta(minutes=20)):
        services.waste_record(
            lot=dose.lot,
            quantity_mg=Decimal(10),
            reason="Left in the syringe after the dose",
            method="Rendered non-retrievable in the drug disposal container",
            wasted_by=dose.administered_by,
            at=dose.started_at + datetime.timedelta(minutes=15),
            administration=dose.ledger_entry,
            witness=staff(slug, "prescriber"),
        )
    nurse = staff(slug, "nurse")
    with clock(now - days):
        services.session_schedule(
            patient=jordan,
            scheduled_at=morning(1),
            room="Chair 1",
            prescriber=staff(slug, "prescriber"),
            monitor=nurse,
            by=nurse,
        )
    morgan = Patient.objects.get(email="patient4@harbor.demo")
    run_session(morgan, morning(-7), dose_mg=Decimal(39), until="signed")
    run_session(morgan, now - datetime.timedelta(minutes=50), dose_mg=Decimal(39), until="observing")
    avery = Patient.objects.get(email="patient7@harbor.demo")
    run_session(avery, morning(-2), dose_mg=Decimal(28), devices=2, until="discharged")
