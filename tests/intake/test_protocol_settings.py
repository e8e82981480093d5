"""A clinic admin's protocol settings: the PCL-5 cutoff, each route's fasting and dose limits, and the
licensed risk-screen wording (placeholder until saved)."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from intake.models import RouteProtocol, ScreenerWording
from intake.protocol import ROUTE_DEFAULTS, route_protocol
from intake.services import measure_record
from intake.services.protocol import screener_wording_for
from kap_clinic.audit.models import AuditEvent
from kap_clinic.instruments.definitions import CSSRS_PLACEHOLDER_WORDING

pytestmark = pytest.mark.django_db

PROTOCOL_URL = reverse("intake:protocol_settings")
WORDING_URL = reverse("intake:screener_wording")
FIELDS = ("fasting_food_hours", "fasting_fluids_hours", "dose_unit", "dose_min", "dose_max", "maximum_mg")


def text(response) -> str:
    return html.unescape(response.content.decode())


def protocol_form(cutoff=33, **overrides) -> dict:
    """The page's form as first shown (the defaults), with `overrides` like iv_dose_max="0.8"."""
    data = {"pcl5_cutoff": cutoff}
    for route, defaults in ROUTE_DEFAULTS.items():
        for name in FIELDS:
            data[f"{route.value}_{name}"] = str(getattr(defaults, name))
    return data | overrides


def wording_form(**overrides) -> dict:
    data = {key: f"Licensed wording of {key}" for key in CSSRS_PLACEHOLDER_WORDING}
    return data | {"licence_reference": "Clario licence 2024-0042"} | overrides


# --- protocol ------------------------------------------------------------------------------------


def test_page_shows_current_values_defaults_and_their_sources(world, login):
    response = login(world.admin).get(PROTOCOL_URL)

    assert response.status_code == 200
    content = text(response)
    assert response.context["form"]["pcl5_cutoff"].value() == 33
    for defaults in ROUTE_DEFAULTS.values():
        assert defaults.source in content
    assert "Default, not yet reviewed" in content
    assert "0.1–0.75 mg/kg" in content  # IV default range, with its unit


def test_saving_writes_every_route_and_the_cutoff(world, login):
    client = login(world.admin)

    response = client.post(PROTOCOL_URL, protocol_form(cutoff=38, iv_dose_max="0.8", in_fasting_fluids_hours="1"))

    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.pcl5_cutoff == 38
    assert RouteProtocol.objects.filter(clinic=world.clinic).count() == 4
    iv = route_protocol(world.clinic, "iv")
    assert isinstance(iv, RouteProtocol)
    assert (iv.dose_max, iv.updated_by) == (Decimal("0.8"), world.admin)
    assert route_protocol(world.clinic, "in").fasting_fluids_hours == Decimal(1)
    assert route_protocol(world.other_clinic, "iv") == ROUTE_DEFAULTS["iv"]  # other clinics unchanged
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, clinic=world.clinic)
    assert "PCL-5 cutoff 33→38" in event.detail and "IV dose_max 0.75→0.8" in event.detail
    page = text(client.get(PROTOCOL_URL))
    assert "Protocol settings saved." in page
    assert "Clinic setting" in page


def test_saving_again_updates_the_same_rows(world, login):
    client = login(world.admin)
    client.post(PROTOCOL_URL, protocol_form())

    client.post(PROTOCOL_URL, protocol_form(sl_dose_min="75"))

    assert RouteProtocol.objects.filter(clinic=world.clinic).count() == 4
    assert route_protocol(world.clinic, "sl").dose_min == Decimal(75)


@pytest.mark.parametrize(("cutoff", "ok"), [(19, False), (20, True), (60, True), (61, False)])
def test_cutoff_between_20_and_60(world, login, cutoff, ok):
    response = login(world.admin).post(PROTOCOL_URL, protocol_form(cutoff=cutoff))

    world.clinic.refresh_from_db()
    assert (response.status_code == 302) is ok
    assert world.clinic.pcl5_cutoff == (cutoff if ok else 33)
    if not ok:
        assert response.context["form"].errors["pcl5_cutoff"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"iv_dose_min": "0.8", "iv_dose_max": "0.5"},
            "iv_dose_max",
            "The highest dose (0.5 mg/kg) can't be below the lowest (0.8 mg/kg).",
        ),
        (
            {"sl_dose_max": "450", "sl_maximum_mg": "400"},
            "sl_dose_max",
            "The highest dose (450 mg) can't be above the maximum single dose (400 mg).",
        ),
        ({"im_dose_max": "12"}, "im_dose_max", "12 mg/kg is more than 10 mg/kg: check the unit."),
        ({"iv_fasting_food_hours": "25"}, "iv_fasting_food_hours", "Enter between 0 and 24 hours."),
        ({"in_fasting_fluids_hours": "-1"}, "in_fasting_fluids_hours", "Enter between 0 and 24 hours."),
        ({"sl_dose_min": "0"}, "sl_dose_min", "Enter a dose above 0."),
        ({"iv_maximum_mg": "1500"}, "iv_maximum_mg", "1000 mg"),
        ({"iv_dose_unit": "ml"}, "iv_dose_unit", "valid choice"),
    ],
)
def test_inconsistent_route_settings_are_refused_with_the_typed_values_kept(world, login, overrides, field, message):
    response = login(world.admin).post(PROTOCOL_URL, protocol_form(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert "Nothing was saved" in text(response)
    for name, value in overrides.items():
        assert response.context["form"][name].value() == value
    assert not RouteProtocol.objects.exists()


def test_a_mg_per_kg_route_is_not_capped_by_the_mg_maximum(world, login):
    # 0.75 mg/kg is compared with the body weight at dosing, not with the mg cap.
    response = login(world.admin).post(PROTOCOL_URL, protocol_form(iv_maximum_mg="0.5"))

    assert response.status_code == 302


def test_the_clinics_cutoff_is_used_for_new_pcl5_scores(world, login):
    login(world.admin).post(PROTOCOL_URL, protocol_form(cutoff=40))
    world.patient_a.clinic.refresh_from_db()
    answers = {f"q{n}": 2 for n in range(1, 21)}  # total 40

    at_cutoff = measure_record(patient=world.patient_a, instrument="pcl5", answers=answers, by=world.patient_a.user)

    assert at_cutoff.total == 40 and "pcl5_above_cutoff" in at_cutoff.flags
    answers["q20"] = 1  # 39
    below = measure_record(patient=world.patient_a, instrument="pcl5", answers=answers, by=world.patient_a.user)
    assert "pcl5_above_cutoff" not in below.flags


def test_another_clinics_admin_edits_only_their_own_clinic(world, login):
    login(world.other_admin).post(PROTOCOL_URL, protocol_form(cutoff=31))

    world.clinic.refresh_from_db()
    world.other_clinic.refresh_from_db()
    assert (world.clinic.pcl5_cutoff, world.other_clinic.pcl5_cutoff) == (33, 31)
    assert not RouteProtocol.objects.filter(clinic=world.clinic).exists()


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse"])
def test_clinicians_cant_change_the_protocol(world, login, persona):
    client = login(getattr(world, persona))

    assert client.post(PROTOCOL_URL, protocol_form(cutoff=50)).status_code == 403
    assert client.post(WORDING_URL, wording_form()).status_code == 403
    world.clinic.refresh_from_db()
    assert world.clinic.pcl5_cutoff == 33
    assert not ScreenerWording.objects.exists()


def test_patients_cant_change_the_protocol(world, login):
    assert login(world.patient_a.user).post(PROTOCOL_URL, protocol_form(cutoff=50)).status_code == 403


# --- the risk screen's wording -------------------------------------------------------------------


def test_wording_page_explains_the_licence_and_shows_the_placeholder(world, login):
    response = login(world.admin).get(WORDING_URL)

    content = text(response)
    assert "Clario" in content
    assert "placeholder wording" in content
    assert response.context["form"]["q1"].value() == str(CSSRS_PLACEHOLDER_WORDING["q1"])
    assert screener_wording_for(world.clinic) == (
        {key: str(value) for key, value in CSSRS_PLACEHOLDER_WORDING.items()},
        False,
    )


def test_saving_the_licensed_wording(world, login):
    client = login(world.admin)

    response = client.post(WORDING_URL, wording_form())

    assert response.status_code == 302
    wording, licensed = screener_wording_for(world.clinic)
    assert licensed and wording["q6_recent"] == "Licensed wording of q6_recent"
    saved = ScreenerWording.objects.get(clinic=world.clinic)
    assert (saved.licence_reference, saved.updated_by) == ("Clario licence 2024-0042", world.admin)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="intake.ScreenerWording").exists()
    assert "Clario licence 2024-0042" in text(client.get(WORDING_URL))
    assert screener_wording_for(world.other_clinic)[1] is False


def test_wording_needs_every_text_and_a_licence_reference(world, login):
    response = login(world.admin).post(WORDING_URL, wording_form(q4="", licence_reference=""))

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"q4", "licence_reference"}
    assert form["q3"].value() == "Licensed wording of q3"  # what was typed is kept
    assert not ScreenerWording.objects.exists()


def test_reverting_to_the_placeholder_asks_first_then_deletes(world, login):
    client = login(world.admin)
    client.post(WORDING_URL, wording_form())

    confirm = client.get(WORDING_URL + "?revert=1")
    assert "Go back to the placeholder wording?" in text(confirm)
    assert ScreenerWording.objects.exists()

    done = client.post(WORDING_URL, {"revert": "confirm"})

    assert done.status_code == 302
    assert not ScreenerWording.objects.exists()
    assert screener_wording_for(world.clinic)[1] is False
    assert AuditEvent.objects.filter(detail__contains="placeholder wording applies").exists()


def test_revert_without_saved_wording_changes_nothing(world, login):
    response = login(world.admin).post(WORDING_URL, {"revert": "confirm"}, follow=True)

    assert "already in use" in text(response)
