"""The treatment plan: prescribers only, after a signed "eligible" assessment; dose guardrails (range, the
route's maximum, esketamine's labelled doses); signed after a confirmation page, locked, and the chart
moves to "planned"."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from intake.measure_schedule import DEFAULT_SCHEDULE
from intake.models import Patient, RouteProtocol, TreatmentPlan
from intake.services.plan import plan_save, plan_sign

from .review_helpers import eligible, submit_intake

pytestmark = pytest.mark.django_db

D = Decimal


def url(patient, query: str = "") -> str:
    return reverse("intake:plan_edit", args=[patient.code]) + query


def plan(**overrides) -> dict:
    """A valid IV plan in mg/kg."""
    return {
        "indication": "depression",
        "drug": "racemic",
        "route": "iv",
        "dose_unit": "mg_per_kg",
        "planned_dose": D("0.5"),
        "dose_min": D("0.1"),
        "dose_max": D("0.75"),
        "induction_sessions": 6,
        "spacing_days": 3,
        "measure_schedule": list(DEFAULT_SCHEDULE),
        "fasting_food_hours": D(4),
        "fasting_fluids_hours": D(2),
        "medication_holds": "Hold lorazepam the morning of each session.",
        "escort_required": True,
        "instructions": "No driving until the next day.",
    } | overrides


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


@pytest.fixture
def ready(world):
    """Patient A with a signed eligible assessment and a baseline weight of 70 kg."""
    eligible(world.patient_a, world.prescriber)
    return world.patient_a


# --- dose guardrails ------------------------------------------------------------------------------


def test_a_valid_plan_is_signed_and_the_chart_moves_to_planned(world, ready):
    signed = plan_sign(patient=ready, by=world.prescriber, **plan())

    assert signed.is_signed and signed.signed_by == world.prescriber
    assert signed.measure_schedule == DEFAULT_SCHEDULE
    ready.refresh_from_db()
    assert ready.stage == Patient.Stage.PLANNED


def test_the_planned_dose_must_lie_in_the_range(world, ready):
    errors = errors_of(lambda: plan_sign(patient=ready, by=world.prescriber, **plan(planned_dose=D("0.9"))))
    assert "must lie within the allowed range, 0.1–0.75 mg/kg" in errors["planned_dose"][0]

    errors = errors_of(lambda: plan_sign(patient=ready, by=world.prescriber, **plan(dose_min=D("0.8"))))
    assert "below the lowest" in errors["dose_max"][0]
    assert not TreatmentPlan.objects.exists()


def test_a_mg_range_may_not_exceed_the_routes_maximum(world, ready):
    data = plan(route="sl", dose_unit="mg", planned_dose=D(150), dose_min=D(50), dose_max=D(450))
    errors = errors_of(lambda: plan_sign(patient=ready, by=world.prescriber, **data))
    assert "above the clinic's maximum single dose for Sublingual / buccal (SL) (400 mg" in errors["dose_max"][0]


def test_a_mg_per_kg_range_is_checked_at_the_latest_weight(world):
    eligible(world.patient_a, world.prescriber, weight_kg=D("150.0"))

    errors = errors_of(lambda: plan_sign(patient=world.patient_a, by=world.prescriber, **plan()))

    message = errors["dose_max"][0]
    assert "At the latest weight (150 kg" in message and "0.75 mg/kg is 112.5 mg" in message
    assert "(100 mg)" in message


def test_without_a_weight_the_mg_per_kg_maximum_is_not_checked_and_the_page_says_so(world, client):
    eligible(world.patient_a, world.prescriber, weight_kg=None)
    client.force_login(world.prescriber)

    response = client.get(url(world.patient_a))
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data |= {"measure_schedule": DEFAULT_SCHEDULE, "escort_required": "on", "action": "sign"}
    confirm = client.post(url(world.patient_a), data)

    assert "No weight is on file, so the mg/kg range could not be checked" in confirm.content.decode()
    assert plan_sign(patient=world.patient_a, by=world.prescriber, **plan()).is_signed


def test_the_clinics_own_route_maximum_applies(world, ready):
    RouteProtocol.objects.create(
        clinic=world.clinic,
        route="iv",
        fasting_food_hours=4,
        fasting_fluids_hours=2,
        dose_unit="mg_per_kg",
        dose_min=D("0.1"),
        dose_max=D("0.75"),
        maximum_mg=D(40),
        updated_by=world.admin,
    )
    errors = errors_of(lambda: plan_sign(patient=ready, by=world.prescriber, **plan()))
    assert "0.75 mg/kg is 52.5 mg" in errors["dose_max"][0] and "(40 mg)" in errors["dose_max"][0]


def test_esketamine_is_intranasal_only_in_labelled_doses(world, ready):
    errors = errors_of(
        lambda: plan_sign(
            patient=ready,
            by=world.prescriber,
            **plan(drug="esketamine", route="im", dose_unit="mg", planned_dose=D(60), dose_min=D(28), dose_max=D(84)),
        )
    )
    assert "only intranasally" in errors["route"][0]
    assert "labelled dose (28, 56, 84 mg), not 60 mg" in errors["planned_dose"][0]

    labelled = plan(drug="esketamine", route="in", dose_unit="mg", planned_dose=D(56), dose_min=D(56), dose_max=D(84))
    assert plan_sign(patient=ready, by=world.prescriber, **labelled).route == "in"


def test_esketamine_is_not_dosed_by_weight(world, ready):
    errors = errors_of(lambda: plan_sign(patient=ready, by=world.prescriber, **plan(drug="esketamine", route="in")))
    assert "dosed in mg" in errors["dose_unit"][0]


# --- preconditions and who ------------------------------------------------------------------------


def test_a_plan_needs_a_signed_eligible_assessment(world, client):
    submit_intake(world.patient_a)
    with pytest.raises(ValidationError, match="signed assessment that found the patient eligible"):
        plan_save(patient=world.patient_a, by=world.prescriber, **plan())
    client.force_login(world.prescriber)
    response = client.get(url(world.patient_a))
    assert response.status_code == 200 and "form" not in response.context
    assert "a plan needs a signed assessment" in response.content.decode().lower()


@pytest.mark.parametrize("persona", ["therapist", "nurse"])
def test_only_a_prescriber_writes_the_plan(world, client, ready, persona):
    with pytest.raises(PermissionDenied):
        plan_save(patient=ready, by=getattr(world, persona), **plan())
    client.force_login(getattr(world, persona))
    assert client.get(url(ready)).status_code == 404


def test_another_clinics_prescriber_is_told_the_plan_does_not_exist(world, client, ready):
    client.force_login(world.other_clinician)
    assert client.get(url(ready)).status_code == 404
    assert client.post(url(ready), {"action": "confirm"}).status_code == 404


# --- the page: prefilled, confirmed, once -----------------------------------------------------------


def test_a_new_plan_is_prefilled_from_the_routes_protocol(world, client, ready):
    client.force_login(world.prescriber)

    sublingual = client.get(url(ready, "?route=sl")).context["form"]

    assert sublingual["dose_unit"].value() == "mg"
    assert sublingual["planned_dose"].value() == D(100)
    assert (sublingual["dose_min"].value(), sublingual["dose_max"].value()) == (D(50), D(200))
    assert (sublingual["fasting_food_hours"].value(), sublingual["fasting_fluids_hours"].value()) == (D(4), D(2))
    assert sublingual["indication"].value() == "depression"
    assert sublingual["measure_schedule"].value() == DEFAULT_SCHEDULE
    assert "next day" in sublingual["instructions"].value()
    intranasal = client.get(url(ready, "?route=in")).context["form"]
    assert intranasal["drug"].value() == "esketamine" and intranasal["fasting_fluids_hours"].value() == D("0.5")


def _page_data(client, patient, **overrides) -> dict:
    form = client.get(url(patient)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["submission"] = str(data["submission"])
    data |= {"measure_schedule": DEFAULT_SCHEDULE, "escort_required": "on"}
    return {k: v for k, v in (data | overrides).items() if v is not None}


def test_signing_shows_a_confirmation_then_signs_once_however_often_sent(world, client, ready):
    client.force_login(world.prescriber)
    data = _page_data(client, ready)

    confirm = client.post(url(ready), data | {"action": "sign"})
    assert "Sign the plan" in confirm.content.decode()
    assert not TreatmentPlan.objects.exists()

    first = client.post(url(ready), data | {"action": "confirm"})
    second = client.post(url(ready), data | {"action": "confirm"}, follow=True)

    assert first["Location"] == ready.get_absolute_url()
    assert "This was already recorded." in second.content.decode()
    assert TreatmentPlan.objects.filter(patient=ready, signed_at__isnull=False).count() == 1
    chart = client.get(ready.get_absolute_url()).content.decode()
    assert "Treatment planned" in chart and "Intravenous infusion (IV)" in chart


def test_a_bad_dose_on_the_page_is_explained_and_what_was_typed_is_kept(world, client, ready):
    client.force_login(world.prescriber)
    data = _page_data(client, ready, planned_dose="2", medication_holds="Hold clonazepam")

    response = client.post(url(ready), data | {"action": "sign"})

    content = response.content.decode()
    assert "must lie within the allowed range" in content
    assert "Hold clonazepam" in content
    assert "Sign the plan" not in content


def test_a_signed_plan_is_locked_and_the_latest_signed_is_current(world, client, ready):
    first = plan_sign(patient=ready, by=world.prescriber, **plan())
    with pytest.raises(DatabaseError), transaction.atomic():
        TreatmentPlan.objects.filter(pk=first.pk).update(planned_dose=D("0.7"))

    second = plan_sign(patient=ready, by=world.prescriber, **plan(planned_dose=D("0.3")))

    client.force_login(world.prescriber)
    assert client.get(url(ready)).context["current"] == second
    assert TreatmentPlan.objects.filter(patient=ready).count() == 2


def test_a_draft_is_saved_and_shown_again(world, client, ready):
    client.force_login(world.prescriber)
    data = _page_data(client, ready, planned_dose="0.4")

    assert client.post(url(ready), data | {"action": "save"}).status_code == 302

    draft = TreatmentPlan.objects.get(patient=ready)
    assert not draft.is_signed and draft.planned_dose == D("0.4")
    assert client.get(url(ready)).context["form"]["planned_dose"].value() == D("0.400")
