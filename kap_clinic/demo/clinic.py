"""The demo clinic: two clinics (to show isolation), their staff and patients. Idempotent.

Later stages add to `seed()` so the demo shows a patient at every step of the course.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from intake.models import Patient
from kap_clinic.accounts.models import Clinic, Membership, User
from kap_clinic.demo.dosing import clock, seed_dosing
from kap_clinic.demo.follow_up import seed_follow_up
from kap_clinic.demo.intake import SCENARIOS, seed_consent, seed_intake
from kap_clinic.demo.ledger import seed_ledger

DEMO_PASSWORD = "kap-demo-password-2026"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    clinic: str


CLINICS = [
    {
        "name": "Harbor Light Ketamine Clinic",
        "slug": "harbor",
        "time_zone": "America/New_York",
        "address": "12 Wharf Street, Portland, ME 04101",
        "phone": "(207) 555-0142",
        "contact_email": "safety@harbor.demo",
        "dea_number": "FH1234563",
    },
    {
        "name": "Desert Bloom Integrative Psychiatry",
        "slug": "desert",
        "time_zone": "America/Phoenix",
        "address": "400 Saguaro Ave, Tucson, AZ 85701",
        "phone": "(520) 555-0178",
        "contact_email": "safety@desert.demo",
        "dea_number": "FD7654329",
    },
]

STAFF = [
    ("admin", "admin", "", "Dana Whitfield", "Omar Haddad"),
    ("prescriber", "clinician", "prescriber", "Dr. Priya Raman", "Dr. Luis Ortega"),
    ("therapist", "clinician", "therapist", "Maya Goldberg, LCSW", "Jordan Bell, PhD"),
    ("nurse", "clinician", "nurse", "Sam Okafor, RN", "Rosa Jimenez, RN"),
]

PATIENTS = {
    "harbor": [
        ("patient1", "Alex Morgan", "Alex", datetime.date(1986, 4, 12), Patient.Stage.INTAKE),
        ("patient2", "Jamie Chen", "", datetime.date(1979, 9, 30), Patient.Stage.INTAKE),
        ("patient3", "Riley Thompson", "Ri", datetime.date(1992, 1, 5), Patient.Stage.INVITED),
        ("patient4", "Morgan Reyes", "", datetime.date(1975, 2, 17), Patient.Stage.INTAKE),
        ("patient5", "Sam Patel", "", datetime.date(1968, 8, 9), Patient.Stage.INTAKE),
        ("patient6", "Jordan Kim", "", datetime.date(1989, 12, 3), Patient.Stage.INTAKE),
        ("patient7", "Avery Brooks", "", datetime.date(1971, 5, 26), Patient.Stage.INTAKE),
        ("patient8", "Noah Bennett", "", datetime.date(1981, 10, 14), Patient.Stage.INTAKE),
    ],
    "desert": [
        ("patient1", "Casey Alvarez", "", datetime.date(1983, 6, 21), Patient.Stage.INTAKE),
        ("patient2", "Taylor Brooks", "", datetime.date(1990, 11, 2), Patient.Stage.INVITED),
    ],
}


def _user(email: str, full_name: str, role: str, kind: str = "", *, active_password: bool = True) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD if active_password else None, full_name=full_name, role=role, clinician_kind=kind
        )
    return user


@transaction.atomic
def seed() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    for index, spec in enumerate(CLINICS):
        clinic, _ = Clinic.objects.get_or_create(
            name=spec["name"],
            defaults={k: spec[k] for k in ("time_zone", "address", "phone", "contact_email", "dea_number")},
        )
        slug = spec["slug"]
        charts = {}
        for handle, role, kind, *names in STAFF:
            email = f"{handle}@{slug}.demo"
            user = _user(email, names[index], role, kind)
            Membership.objects.get_or_create(user=user, clinic=clinic)
            logins.append(DemoLogin(email, user.role_label, clinic.name))
        for handle, legal, preferred, dob, stage in PATIENTS[slug]:
            email = f"{handle}@{slug}.demo"
            invited_only = stage == Patient.Stage.INVITED
            user = _user(email, preferred or legal, User.Role.PATIENT, active_password=not invited_only)
            patient, _ = Patient.objects.get_or_create(
                user=user,
                defaults={
                    "clinic": clinic,
                    "legal_name": legal,
                    "preferred_name": preferred,
                    "date_of_birth": dob,
                    "email": email,
                    "stage": stage,
                    "phone": f"(555) 010-{10 + len(legal):04d}",
                },
            )
            if not invited_only:
                logins.append(DemoLogin(email, "Patient", clinic.name))
            charts[handle] = patient
        with clock(timezone.now() - datetime.timedelta(days=365)):  # the clinic's consent predates its patients
            seed_consent(clinic, User.objects.get(email=f"admin@{slug}.demo"))
        prescriber = User.objects.get(email=f"prescriber@{slug}.demo")
        for (clinic_slug, handle), scenario in SCENARIOS.items():
            if clinic_slug == slug:
                # planned patients came through intake weeks before their first dose (demo/dosing.py)
                days_ago = 45 if scenario.startswith("planned") else 0
                with clock(timezone.now() - datetime.timedelta(days=days_ago)):
                    seed_intake(charts[handle], scenario, handle, prescriber=prescriber)
        seed_ledger(clinic, slug)
        seed_dosing(clinic, slug)
        if slug == "harbor":
            seed_follow_up(charts["patient8"])
    return logins
