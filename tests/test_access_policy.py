"""The access policy (kap_clinic.access) for every role and clinician kind, inside and outside their clinic."""

import pytest
from django.contrib.auth.models import AnonymousUser

from kap_clinic.access import PATIENT_ACTIONS, Action, can, clinics_where
from kap_clinic.accounts.models import Membership, User

from .factories import ClinicFactory, PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db

CLINICIANS = ("prescriber", "therapist", "nurse")
STAFF = (*CLINICIANS, "admin")
CLINIC_ACTIONS = [action for action in Action if action not in PATIENT_ACTIONS]
LEDGER = (Action.VIEW_LEDGER, Action.RECORD_LEDGER)


def fresh(user) -> User:
    """The user as the next request would load it (no cached clinic ids)."""
    return User.objects.get(pk=user.pk)


def allowed_clinic_actions(user, clinic) -> set[Action]:
    return {action for action in CLINIC_ACTIONS if can(user, action, clinic=clinic)}


def test_patient_sees_only_their_own_chart(world):
    user = world.patient_a.user
    assert can(user, Action.VIEW_CHART, patient=world.patient_a)
    assert not can(user, Action.VIEW_CHART, patient=world.patient_b)
    assert not can(user, Action.VIEW_CHART, patient=world.other_patient)


def test_patient_may_not_edit_their_chart_or_do_anything_clinic_wide(world):
    user = world.patient_a.user
    assert not can(user, Action.EDIT_CHART, patient=world.patient_a)
    assert allowed_clinic_actions(user, world.clinic) == set()
    for action in Action:
        assert not clinics_where(user, action).exists()


@pytest.mark.parametrize("persona", CLINICIANS)
def test_clinician_views_and_edits_their_clinics_patients(world, persona):
    clinician = getattr(world, persona)
    for patient in (world.patient_a, world.patient_b):
        assert can(clinician, Action.VIEW_CHART, patient=patient)
        assert can(clinician, Action.EDIT_CHART, patient=patient)


@pytest.mark.parametrize("persona", CLINICIANS)
def test_clinician_lists_and_invites_patients_but_does_not_run_the_clinic(world, persona):
    clinician = getattr(world, persona)
    allowed = allowed_clinic_actions(clinician, world.clinic)
    assert {Action.LIST_PATIENTS, Action.INVITE_PATIENT} <= allowed
    assert Action.MANAGE_STAFF not in allowed
    assert Action.VIEW_AUDIT_LOG not in allowed
    assert list(clinics_where(clinician, Action.LIST_PATIENTS)) == [world.clinic]
    assert not clinics_where(clinician, Action.MANAGE_STAFF).exists()


def test_clinician_at_two_clinics_sees_both_but_not_a_third(world):
    clinician = StaffFactory(clinic=world.clinic, clinician_kind=User.ClinicianKind.THERAPIST)
    Membership.objects.create(user=clinician, clinic=world.other_clinic)
    third_clinic = ClinicFactory()
    third_patient = PatientFactory(clinic=third_clinic)
    clinician = fresh(clinician)

    assert can(clinician, Action.VIEW_CHART, patient=world.patient_a)
    assert can(clinician, Action.VIEW_CHART, patient=world.other_patient)
    assert not can(clinician, Action.VIEW_CHART, patient=third_patient)
    assert can(clinician, Action.LIST_PATIENTS, clinic=world.other_clinic)
    assert not can(clinician, Action.LIST_PATIENTS, clinic=third_clinic)
    assert set(clinics_where(clinician, Action.LIST_PATIENTS)) == {world.clinic, world.other_clinic}


def test_admin_views_charts_but_may_not_edit_them(world):
    assert can(world.admin, Action.VIEW_CHART, patient=world.patient_a)
    assert not can(world.admin, Action.EDIT_CHART, patient=world.patient_a)


def test_admin_runs_their_own_clinic_but_not_its_clinical_review(world):
    business = set(CLINIC_ACTIONS) - {Action.REVIEW_QUEUE, Action.VIEW_BOARD}
    assert allowed_clinic_actions(world.admin, world.clinic) == business
    for action in business:
        assert list(clinics_where(world.admin, action)) == [world.clinic]
    assert not clinics_where(world.admin, Action.REVIEW_QUEUE).exists()
    assert not clinics_where(world.admin, Action.VIEW_BOARD).exists()


@pytest.mark.parametrize("persona", (*STAFF, "patient_a"))
def test_nobody_acts_on_another_clinic(world, persona):
    user = world.patient_a.user if persona == "patient_a" else getattr(world, persona)
    for action in Action:
        assert not can(user, action, patient=world.other_patient), action
        assert not can(user, action, clinic=world.other_clinic), action
        assert world.other_clinic not in clinics_where(user, action), action


@pytest.mark.parametrize("persona", ("other_clinician", "other_admin"))
def test_other_clinics_staff_act_on_nothing_of_ours(world, persona):
    user = getattr(world, persona)
    for action in Action:
        assert not can(user, action, patient=world.patient_a), action
        assert not can(user, action, clinic=world.clinic), action


@pytest.mark.parametrize("persona", (*STAFF, "patient_a"))
def test_deactivated_user_may_do_nothing(world, persona):
    user = world.patient_a.user if persona == "patient_a" else getattr(world, persona)
    user.is_active = False
    user.save(update_fields=["is_active"])
    user = fresh(user)
    for action in Action:
        assert not can(user, action, patient=world.patient_a), action
        assert not can(user, action, clinic=world.clinic), action
        assert not clinics_where(user, action).exists(), action


def test_anonymous_visitor_may_do_nothing(world):
    anonymous = AnonymousUser()
    for action in Action:
        assert not can(anonymous, action, patient=world.patient_a), action
        assert not can(anonymous, action, clinic=world.clinic), action
        assert not clinics_where(anonymous, action).exists(), action
    assert not can(None, Action.VIEW_CHART, patient=world.patient_a)


def test_patient_action_without_a_patient_and_clinic_action_without_a_clinic_are_refused(world):
    assert not can(world.prescriber, Action.VIEW_CHART)
    assert not can(world.prescriber, Action.VIEW_CHART, clinic=world.clinic)
    assert not can(world.admin, Action.MANAGE_STAFF)
    assert not can(world.admin, Action.MANAGE_STAFF, patient=world.patient_a)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("prescriber", True), ("nurse", True), ("admin", True), ("therapist", False), ("patient_a", False)],
)
def test_ledger_is_for_prescribers_nurses_and_admins_only(world, persona, allowed):
    user = world.patient_a.user if persona == "patient_a" else getattr(world, persona)
    for action in LEDGER:
        assert can(user, action, clinic=world.clinic) is allowed, action
        assert clinics_where(user, action).exists() is allowed, action
        assert not can(user, action, clinic=world.other_clinic), action
