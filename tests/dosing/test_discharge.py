"""Discharge against the criteria of domain.md §8: blocked until each is met (one test per criterion), a
prescriber's override with a reason, a nurse who can't override, and the checklist on the pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from intake.models import MeasureResponse, SafetyAlert
from sessions.discharge_rules import CRITERIA, discharge_criteria
from sessions.models import Discharge, DosingSession

from .session_helpers import (
    RECOVERED,
    discharge,
    form_data,
    minutes,
    now,
    observe,
    session_in_observation,
    text,
)

pytestmark = pytest.mark.django_db
Status = DosingSession.Status


def _unmet(session, **confirmed) -> set[str]:
    confirmed = {"walks_steadily": True, "escort_present": True} | confirmed
    return {c["code"] for c in discharge_criteria(session, now(), **confirmed) if not c["met"]}


def _blocked(session, by, title: str, **kwargs):
    with pytest.raises(ValidationError) as refused:
        discharge(session, by, **kwargs)
    message = " ".join(refused.value.messages)
    assert "Discharge is blocked" in message and title in message, message
    session.refresh_from_db()
    assert session.status == Status.OBSERVING
    assert not Discharge.objects.filter(session=session).exists()


def test_every_criterion_has_a_title_and_a_source():
    assert [c.code for c in CRITERIA] == [
        "observation_time",
        "sedation",
        "dissociation",
        "blood_pressure",
        "spo2",
        "walks_steadily",
        "escort",
        "risk_screen",
    ]
    assert all(c.title and c.source for c in CRITERIA)


def test_discharged_when_every_criterion_is_met(world):
    session = session_in_observation(world)
    assert _unmet(session) == set()

    record = discharge(session, world.nurse)

    session.refresh_from_db()
    assert session.status == Status.DISCHARGED and session.discharged_at == record.discharged_at
    assert record.all_met and record.override_reason == "" and record.discharged_by == world.nurse
    assert [c["code"] for c in record.criteria] == [c.code for c in CRITERIA]  # the snapshot
    assert all(c["met"] for c in record.criteria)
    assert record.escort_name == "Sam Rivera"


# --- blocked before each criterion is met ---------------------------------------------------------


def test_blocked_before_the_minimum_observation_time(world):
    # sublingual: 120 minutes from the dose; dosed 60 minutes ago, otherwise recovered
    session = session_in_observation(world, minutes_ago=60)
    assert _unmet(session) == {"observation_time"}
    _blocked(session, world.nurse, "Minimum observation time")


def test_observation_time_counts_from_the_end_of_an_infusion(world):
    session = session_in_observation(world, minutes_ago=150)
    dose = session.administrations.get()
    dose.ended_at = now() - minutes(100)  # a long infusion that ended 100 minutes ago: 120 needed
    dose.save(update_fields=["ended_at"])
    criteria = {c["code"]: c for c in discharge_criteria(session, now())}
    assert not criteria["observation_time"]["met"]
    assert "since the end of the last dose" in criteria["observation_time"]["detail"]


def test_blocked_until_fully_awake(world):
    session = session_in_observation(world, recovered=False)
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"moaas": 4}))
    assert _unmet(session) == {"sedation"}
    _blocked(session, world.nurse, "Fully awake (MOAA/S 5)")


def test_blocked_until_dissociation_has_resolved(world):
    session = session_in_observation(world, recovered=False)
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"dissociation": 2}))
    assert _unmet(session) == {"dissociation"}
    _blocked(session, world.nurse, "Dissociation resolved")


def test_dissociation_back_to_its_pre_dose_level_counts_as_resolved(world):
    session = session_in_observation(world, recovered=False)
    dosed_at = session.administrations.get().started_at
    observe(session, world.nurse, dosed_at - minutes(10), dissociation=1)  # before the dose
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"dissociation": 1}))
    assert "dissociation" not in _unmet(session)


def test_blocked_while_blood_pressure_is_at_the_crisis_limit(world):
    session = session_in_observation(world, recovered=False)
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"systolic": 182, "diastolic": 96}))
    assert _unmet(session) == {"blood_pressure"}
    _blocked(session, world.nurse, "Blood pressure within the limit")


def test_blocked_while_blood_pressure_is_40_above_pre_dose_and_not_falling(world):
    # pre-dose 124 systolic; 40-minute reading 150; now 166 (+42, rising)
    session = session_in_observation(world, recovered=False)
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"systolic": 166, "diastolic": 95}))
    assert _unmet(session) == {"blood_pressure"}
    _blocked(session, world.nurse, "Blood pressure within the limit")


def test_blood_pressure_40_above_pre_dose_but_falling_is_met(world):
    session = session_in_observation(world, recovered=False)
    observe(session, world.nurse, now() - minutes(20), **(RECOVERED | {"systolic": 176, "diastolic": 98}))
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"systolic": 166, "diastolic": 92}))
    criteria = {c["code"]: c for c in discharge_criteria(session, now())}
    assert criteria["blood_pressure"]["met"]
    assert "falling" in criteria["blood_pressure"]["detail"]


def test_blocked_while_spo2_is_below_94(world):
    session = session_in_observation(world, recovered=False)
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"spo2": 92}))
    assert _unmet(session) == {"spo2"}
    _blocked(session, world.nurse, "SpO₂ at least 94%")


def test_spo2_on_oxygen_does_not_count(world):
    session = session_in_observation(world, recovered=False)
    observe(session, world.nurse, now() - minutes(5), **(RECOVERED | {"spo2": 98, "on_oxygen": True}))
    assert _unmet(session) == {"spo2"}


def test_blocked_until_the_patient_walks_steadily(world):
    session = session_in_observation(world)
    assert _unmet(session, walks_steadily=False) == {"walks_steadily"}
    _blocked(session, world.nurse, "Walks steadily", walks_steadily=False)


def test_blocked_without_an_escort(world):
    session = session_in_observation(world)
    assert _unmet(session, escort_present=False) == {"escort"}
    _blocked(session, world.nurse, "Escort present", escort_present=False, escort_name="")


def test_blocked_after_a_new_high_risk_screen(world):
    session = session_in_observation(world)
    MeasureResponse.objects.create(
        patient=session.patient,
        instrument="cssrs",
        version="screener",
        answers={"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0},
        risk="high",
        band="High risk",
        context=MeasureResponse.Context.OTHER,
        completed_at=now() - minutes(3),
        entered_by=world.nurse,
    )
    assert _unmet(session) == {"risk_screen"}
    _blocked(session, world.nurse, "No new high-risk screen")


def test_blocked_while_a_high_risk_alert_is_open(world):
    session = session_in_observation(world)
    SafetyAlert.objects.create(patient=session.patient, source=SafetyAlert.Source.CSSRS_HIGH, detail="high")
    assert _unmet(session) == {"risk_screen"}


def test_blocked_with_no_reading_since_the_dose(world):
    session = session_in_observation(world, recovered=False)
    session.observations.all().delete()
    assert {"sedation", "dissociation", "blood_pressure", "spo2"} <= _unmet(session)


# --- overrides ------------------------------------------------------------------------------------


def test_a_prescriber_discharges_early_with_a_reason(world):
    session = session_in_observation(world, minutes_ago=60)

    record = discharge(session, world.prescriber, override_reason="Stable for an hour; escort is a nurse.")

    assert not record.all_met and record.override_by == world.prescriber
    assert record.override_reason == "Stable for an hour; escort is a nurse."
    unmet = [c["code"] for c in record.criteria if not c["met"]]
    assert unmet == ["observation_time"]
    session.refresh_from_db()
    assert session.status == Status.DISCHARGED


def test_a_prescriber_must_give_the_reason(world):
    session = session_in_observation(world, minutes_ago=60)
    with pytest.raises(ValidationError) as refused:
        discharge(session, world.prescriber, override_reason="  ")
    assert "write why the patient may leave now" in str(refused.value.message_dict["override_reason"])
    assert not Discharge.objects.exists()


def test_a_nurse_cannot_override_even_with_a_reason(world):
    session = session_in_observation(world, minutes_ago=60)
    _blocked(session, world.nurse, "Only a prescriber may discharge", override_reason="I'm sure she's fine")


def test_no_override_is_kept_when_every_criterion_is_met(world):
    session = session_in_observation(world)
    record = discharge(session, world.prescriber, override_reason="Not needed")
    assert record.all_met and record.override_reason == "" and record.override_by is None


def test_discharge_only_from_observation(world):
    session = session_in_observation(world)
    discharge(session, world.nurse)
    with pytest.raises(ValidationError, match="Only a patient under observation"):
        discharge(session, world.nurse)


def test_a_therapist_does_not_discharge(world):
    session = session_in_observation(world)
    with pytest.raises(Exception, match="Only a nurse or prescriber"):
        discharge(session, world.therapist)


# --- the pages ------------------------------------------------------------------------------------


def _post(**changes):
    return form_data(**({"walks_steadily": "on", "escort_present": "on", "escort_name": "Sam Rivera"} | changes))


def test_session_page_shows_the_live_checklist(world, login):
    session = session_in_observation(world, minutes_ago=60)
    page = text(login(world.nurse).get(session.get_absolute_url()))
    assert "Minimum observation time since the last dose" in page
    assert "so not before" in page  # the time the patient may leave
    assert reverse("dosing:session_discharge", args=[session.code]) in page


def test_discharge_page_blocks_a_nurse_and_shows_why(world, login):
    session = session_in_observation(world, minutes_ago=60)
    client = login(world.nurse)
    url = reverse("dosing:session_discharge", args=[session.code])

    page = text(client.get(url))
    assert "discharge is blocked until they are" in page
    assert 'name="override_reason"' not in page

    refused = client.post(url, _post())
    assert refused.status_code == 200
    assert "Discharge is blocked until every criterion is met" in text(refused)
    assert 'value="Sam Rivera"' in refused.content.decode()  # what was typed stays
    assert DosingSession.objects.get(pk=session.pk).status == Status.OBSERVING


def test_discharge_page_lets_a_prescriber_override_with_a_reason(world, login):
    session = session_in_observation(world, minutes_ago=60)
    client = login(world.prescriber)
    url = reverse("dosing:session_discharge", args=[session.code])

    assert 'name="override_reason"' in client.get(url).content.decode()
    refused = client.post(url, _post())
    assert "write why the patient may leave now" in text(refused)

    response = client.post(url, _post(override_reason="Recovered early; reviewed in person."))
    assert response.status_code == 302
    record = Discharge.objects.get(session=session)
    assert record.override_by == world.prescriber and not record.all_met
    page = text(client.get(session.get_absolute_url()))
    assert "Discharged before every criterion was met" in page
    assert "Recovered early; reviewed in person." in page


def test_discharge_page_discharges_when_met(world, login):
    session = session_in_observation(world)
    client = login(world.nurse)
    response = client.post(reverse("dosing:session_discharge", args=[session.code]), _post())
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert DosingSession.objects.get(pk=session.pk).status == Status.DISCHARGED


def test_escort_present_needs_a_name(world, login):
    session = session_in_observation(world)
    refused = login(world.nurse).post(reverse("dosing:session_discharge", args=[session.code]), _post(escort_name=""))
    assert "Give the name of the person taking the patient home." in text(refused)


def test_discharge_page_of_another_clinic_is_not_found(world, login):
    session = session_in_observation(world)
    response = login(world.other_clinician).get(reverse("dosing:session_discharge", args=[session.code]))
    assert response.status_code == 404


def test_discharge_is_measured_from_now_not_from_the_page(world):
    session = session_in_observation(world, minutes_ago=100)
    later = now() + datetime.timedelta(minutes=25)
    unmet_now = {
        c["code"] for c in discharge_criteria(session, now(), walks_steadily=True, escort_present=True) if not c["met"]
    }
    unmet_later = {
        c["code"] for c in discharge_criteria(session, later, walks_steadily=True, escort_present=True) if not c["met"]
    }
    assert unmet_now == {"observation_time"} and unmet_later == set()
