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
