"""Test data for every app: factories with Faker values only."""

import factory
from factory.django import DjangoModelFactory

from intake.models import Patient
from kap_clinic.accounts.models import Clinic, Membership, User

PASSWORD = "correct-horse-battery-staple"


class ClinicFactory(DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    time_zone = "America/New_York"
    phone = factory.Faker("phone_number")
    contact_email = factory.Faker("company_email")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    role = User.Role.CLINICIAN
    clinician_kind = User.ClinicianKind.PRESCRIBER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A clinician (prescriber unless told) or admin with a membership of `clinic`."""

    @factory.post_generation
    def clinic(obj, create, extracted, **kwargs):
        if create:
            Membership.objects.create(user=obj, clinic=extracted or ClinicFactory())


class PatientUserFactory(UserFactory):
    role = User.Role.PATIENT
    clinician_kind = ""


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(PatientUserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    legal_name = factory.Faker("name")
    email = factory.SelfAttribute("user.email")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=20, maximum_age=80)
    stage = Patient.Stage.INTAKE


# --- the controlled-substance ledger (sessions app, label "dosing") -------------------------------


_LEDGER_SEQUENCE = iter(range(1, 10**9))


def dea_number(prefix: str = "RD") -> str:
    """A DEA registration number with a valid check digit (two letters, seven digits), new each call."""
    digits = [int(c) for c in f"{next(_LEDGER_SEQUENCE) * 7919 % 10**6:06d}"]
    check = (digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])) % 10
    return prefix + "".join(map(str, digits)) + str(check)


def receive_lot(*, clinic, by, containers: int = 2, **overrides):
    """A lot received through the real service: 10 mL vials of 50 mg/mL unless told (500 mg a vial)."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from sessions import clinic_time, services

    n = next(_LEDGER_SEQUENCE)
    details = {
        "substance": "ketamine_hcl",
        "form": "vial",
        "strength_mg": Decimal("50"),
        "container_size": Decimal("10"),
        "ndc": f"99999-{n % 10000:04d}-01",
        "lot_number": f"LOT{n:06d}",
        "expires_on": timezone.localdate() + datetime.timedelta(days=365),
        # received a while ago, so that tests may date doses and counts in the past (nothing leaves a lot
        # before the day it arrived)
        "received_on": clinic_time.clinic_today(clinic) - datetime.timedelta(days=365),
        "supplier_name": "Faker Pharma Supply",
        "supplier_address": "1 Supply Way, Springfield",
        "supplier_dea_number": dea_number(),
        "invoice_number": f"INV-{n}",
        "containers": containers,
        "received_by": by,
    }
    details.update(overrides)
    return services.lot_receive(clinic=clinic, by=by, **details).lot
