"""Shared fixtures: a small world of two clinics with every persona the authorization tests use."""

from dataclasses import dataclass

import pytest

from kap_clinic.accounts.models import Clinic, User

from .factories import ClinicFactory, PatientFactory, StaffFactory


@dataclass
class World:
    clinic: Clinic
    other_clinic: Clinic
    prescriber: User
    therapist: User
    nurse: User
    admin: User
    other_clinician: User
    other_admin: User
    patient_a: object  # intake.models.Patient
    patient_b: object
    other_patient: object


@pytest.fixture
def world(db) -> World:
    clinic, other = ClinicFactory(), ClinicFactory()
    kinds = User.ClinicianKind
    return World(
        clinic=clinic,
        other_clinic=other,
        prescriber=StaffFactory(clinic=clinic, clinician_kind=kinds.PRESCRIBER),
        therapist=StaffFactory(clinic=clinic, clinician_kind=kinds.THERAPIST),
        nurse=StaffFactory(clinic=clinic, clinician_kind=kinds.NURSE),
        admin=StaffFactory(clinic=clinic, role=User.Role.ADMIN, clinician_kind=""),
        other_clinician=StaffFactory(clinic=other, clinician_kind=kinds.PRESCRIBER),
        other_admin=StaffFactory(clinic=other, role=User.Role.ADMIN, clinician_kind=""),
        patient_a=PatientFactory(clinic=clinic),
        patient_b=PatientFactory(clinic=clinic),
        other_patient=PatientFactory(clinic=other),
    )


@pytest.fixture
def login(client):
    """Log `user` into the test client and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
