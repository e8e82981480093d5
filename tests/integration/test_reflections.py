"""The patient's journal: writing intentions, reflections and journal entries (optionally about one of
their sessions), what happens on bad input, and who reads the entries (the patient and their care team)."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integration import journal_prompts
from integration.models import Reflection
from integration.services import journal as services
from kap_clinic.audit.models import AuditEvent
from sessions.models import DosingSession
from tests.dosing.session_helpers import move, now

from .journal_helpers import (
    JOURNAL_URL,
    dosed_session,
    entry_data,
    fake,
    reflections_url,
    upcoming_session,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def write(patient, **kwargs) -> Reflection:
    values = {"kind": "journal", "body": fake.paragraph()} | kwargs
    return services.reflection_write(patient=patient, by=patient.user, **values)


# --- writing each kind ---------------------------------------------------------------------------


def test_patient_writes_a_journal_entry_and_sees_it_in_their_list(world, login):
    client = login(world.patient_a.user)
    data = entry_data(body="Walked by the river and noticed I was calmer.")

    response = client.post(JOURNAL_URL, data, follow=True)

    entry = Reflection.objects.get(patient=world.patient_a)
    assert (entry.kind, entry.dosing_session, entry.prompt) == ("journal", None, "")
    assert response.redirect_chain[-1][0] == JOURNAL_URL
    assert "Your entry was saved." in text(response)
    assert "Walked by the river and noticed I was calmer." in text(response)


def test_patient_writes_an_intention_for_an_upcoming_session(world, login):
    session = upcoming_session(world)
    prompt = journal_prompts.prompts_for("intention")[0]
    client = login(world.patient_a.user)

    client.post(
        JOURNAL_URL, entry_data(kind="intention", dosing_session=session.code, prompt=prompt, body="Let go of guilt.")
    )

    entry = Reflection.objects.get(patient=world.patient_a)
    assert (entry.kind, entry.dosing_session, entry.prompt, entry.body) == (
        "intention",
        session,
        "What do you hope to explore or let go of?",
        "Let go of guilt.",
    )


def test_patient_writes_a_reflection_about_a_dosed_session(world, login):
    session = dosed_session(world)
    client = login(world.patient_a.user)

    client.post(JOURNAL_URL, entry_data(kind="reflection", dosing_session=session.code, body="Saw my grandmother."))

    entry = Reflection.objects.get(patient=world.patient_a)
    assert (entry.kind, entry.dosing_session) == ("reflection", session)
    page = text(login(world.patient_a.user).get(JOURNAL_URL))
    assert f"about session {session.number}" in page


def test_writing_is_audited_without_the_text(world):
    entry = write(world.patient_a, body="Something private.")

    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(entry.code))
    assert event.actor == world.patient_a.user
    assert event.patient_code == world.patient_a.code
    assert "private" not in event.detail


def test_the_home_page_link_fills_in_an_intention_for_the_session(world, login):
    session = upcoming_session(world)

    response = login(world.patient_a.user).get(f"{JOURNAL_URL}?kind=intention&session={session.code}")

    form = response.context["form"]
    assert form.initial == {"kind": "intention", "dosing_session": str(session.code)}


def test_the_page_offers_the_prompts_of_every_kind_without_script(world, login):
    page = text(login(world.patient_a.user).get(JOURNAL_URL))

    for prompt_set in journal_prompts.PROMPT_SETS:
        assert str(prompt_set.title) in page
        for prompt in prompt_set.prompts:
            assert str(prompt) in page
    assert "a journal adds entries" in page


# --- linking to a session ------------------------------------------------------------------------


def test_an_intention_for_a_dosed_session_is_refused(world):
    session = dosed_session(world)

    with pytest.raises(ValidationError) as error:
        write(world.patient_a, kind="intention", dosing_session=session)

    assert "already taken place" in error.value.message_dict["dosing_session"][0]
    assert not Reflection.objects.exists()


def test_a_reflection_before_the_dose_is_refused(world):
    session = upcoming_session(world)

    with pytest.raises(ValidationError) as error:
        write(world.patient_a, kind="reflection", dosing_session=session)

    assert "hasn't taken place yet" in error.value.message_dict["dosing_session"][0]


def test_an_intention_for_a_cancelled_session_is_refused(world):
    session = upcoming_session(world)
    move(session, DosingSession.Status.CANCELLED, world.nurse, reason="Patient unwell")

    with pytest.raises(ValidationError) as error:
        write(world.patient_a, kind="intention", dosing_session=session)

    assert "won't take place" in error.value.message_dict["dosing_session"][0]


def test_a_journal_entry_may_be_about_any_of_the_patients_sessions(world):
    for session in (upcoming_session(world), dosed_session(world)):
        assert write(world.patient_a, kind="journal", dosing_session=session).dosing_session == session


def test_another_patients_session_is_refused_by_the_service(world):
    theirs = upcoming_session(world, world.patient_b)

    with pytest.raises(ValidationError) as error:
        write(world.patient_a, kind="intention", dosing_session=theirs)

    assert error.value.message_dict["dosing_session"] == ["Choose one of your own sessions from the list."]


def test_another_patients_session_is_not_offered_and_refused_by_the_page(world, login):
    theirs = upcoming_session(world, world.patient_b)
    client = login(world.patient_a.user)
    assert str(theirs.code) not in client.get(JOURNAL_URL).content.decode()

    response = client.post(JOURNAL_URL, entry_data(kind="intention", dosing_session=theirs.code))

    assert response.status_code == 200
    assert "Choose one of your own sessions from the list." in text(response)
    assert not Reflection.objects.exists()


def test_the_session_picker_groups_sessions_to_come_and_sessions_had(world, login):
    upcoming, dosed = upcoming_session(world), dosed_session(world)

    response = login(world.patient_a.user).get(JOURNAL_URL)

    choices = dict(response.context["form"].fields["dosing_session"].choices)
    assert [code for code, _ in choices["Sessions to come"]] == [str(upcoming.code)]
    assert [code for code, _ in choices["Sessions you have had"]] == [str(dosed.code)]


def test_a_prompt_of_another_kind_is_refused(world):
    reflection_prompt = journal_prompts.prompts_for("reflection")[0]

    with pytest.raises(ValidationError) as error:
        write(world.patient_a, kind="intention", prompt=reflection_prompt)

    assert "prompt" in error.value.message_dict


def test_only_the_patient_writes_in_their_journal(world):
    with pytest.raises(PermissionDenied):
        services.reflection_write(patient=world.patient_a, kind="journal", body="x", by=world.therapist)
    with pytest.raises(PermissionDenied):
        services.reflection_write(patient=world.patient_a, kind="journal", body="x", by=world.patient_b.user)


# --- bad input keeps the text --------------------------------------------------------------------


def test_an_entry_refused_for_its_session_keeps_the_text(world, login):
    session = dosed_session(world)
    body = "I want to feel less alone.\nAnd sleep better."
    client = login(world.patient_a.user)

    response = client.post(JOURNAL_URL, entry_data(kind="intention", dosing_session=session.code, body=body))

    assert response.status_code == 200
    assert "Write a reflection about it instead." in text(response)
    assert response.context["form"]["body"].value() == body
    assert body in text(response)
    assert not Reflection.objects.exists()


def test_a_blank_entry_is_refused_in_plain_words(world, login):
    response = login(world.patient_a.user).post(JOURNAL_URL, entry_data(body="   "))

    assert "Write something in your entry before saving it." in text(response)
    assert not Reflection.objects.exists()


def test_a_too_long_entry_is_refused_and_kept_whole(world, login):
    body = "a" * (services.BODY_MAX_CHARS + 1)

    response = login(world.patient_a.user).post(JOURNAL_URL, entry_data(body=body))

    assert "Your entry is 10,001 characters long; an entry holds up to 10,000." in text(response)
    assert response.context["form"]["body"].value() == body
    assert 'maxlength="' not in response.content.decode().split('name="body"')[1].split(">")[0]
    assert not Reflection.objects.exists()


def test_an_entry_of_exactly_the_limit_is_saved(world):
    assert len(write(world.patient_a, body="b" * services.BODY_MAX_CHARS).body) == services.BODY_MAX_CHARS


# --- sent twice, written once --------------------------------------------------------------------


def test_a_double_submit_writes_one_entry(world, login):
    client = login(world.patient_a.user)
    data = entry_data()

    first = client.post(JOURNAL_URL, data)
    second = client.post(JOURNAL_URL, data, follow=True)

    assert first.status_code == 302
    assert Reflection.objects.count() == 1
    assert second.redirect_chain[-1][0] == JOURNAL_URL
    assert "This was already recorded." in text(second)


# --- who reads the entries -----------------------------------------------------------------------


def test_the_patients_own_list_never_shows_another_patients_entries(world, login):
    write(world.patient_a, body="Mine: the lake at dawn.")
    write(world.patient_b, body="Theirs: a loud city.")
    write(world.other_patient, body="Elsewhere: a quiet forest.")

    page = text(login(world.patient_a.user).get(JOURNAL_URL))

    assert "Mine: the lake at dawn." in page
    assert "Theirs: a loud city." not in page
    assert "Elsewhere: a quiet forest." not in page


def test_the_list_is_newest_first_and_paginated(world, login):
    entries = [write(world.patient_a, body=f"Entry number {n}.") for n in range(25)]
    for n, entry in enumerate(entries):  # one a day, the last written most recent
        Reflection.objects.filter(pk=entry.pk).update(created_at=now() - datetime.timedelta(days=25 - n))

    client = login(world.patient_a.user)
    first = client.get(JOURNAL_URL)
    second = client.get(f"{JOURNAL_URL}?page=2")

    assert [e.body for e in first.context["page"]][:2] == ["Entry number 24.", "Entry number 23."]
    assert len(first.context["page"]) == 20
    assert [e.body for e in second.context["page"]][-1] == "Entry number 0."
    assert "Page 1 of 2" in text(first)


def test_an_empty_journal_says_so(world, login):
    assert "No entries yet." in text(login(world.patient_a.user).get(JOURNAL_URL))


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse"])
def test_the_care_team_reads_the_entries_with_their_session(world, login, persona):
    session = dosed_session(world)
    write(world.patient_a, kind="reflection", dosing_session=session, body="Colours and my father's voice.")

    response = login(getattr(world, persona)).get(reflections_url(world.patient_a))

    assert response.status_code == 200
    page = text(response)
    assert "Colours and my father's voice." in page
    assert f"about session {session.number}" in page
    assert reverse("dosing:session_detail", args=[session.code]) in page


def test_reading_the_entries_is_audited(world, login):
    login(world.therapist).get(reflections_url(world.patient_a))

    assert AuditEvent.objects.filter(
        actor=world.therapist, action=AuditEvent.Action.VIEW, patient_code=world.patient_a.code, detail="view_journal"
    ).exists()


@pytest.mark.parametrize("persona", ["admin", "other_clinician", "other_admin"])
def test_admins_and_other_clinics_get_404(world, login, persona):
    write(world.patient_a, body="Not for them.")

    response = login(getattr(world, persona)).get(reflections_url(world.patient_a))

    assert response.status_code == 404
    assert "Not for them." not in text(response)


def test_a_patient_cannot_open_the_care_team_page_of_anyone(world, login):
    client = login(world.patient_a.user)

    assert client.get(reflections_url(world.patient_a)).status_code == 404
    assert client.get(reflections_url(world.patient_b)).status_code == 404


def test_the_care_team_page_shows_only_this_patients_entries(world, login):
    write(world.patient_a, body="A's entry.")
    write(world.patient_b, body="B's entry.")

    page = text(login(world.therapist).get(reflections_url(world.patient_a)))

    assert "A's entry." in page
    assert "B's entry." not in page


def test_the_care_team_page_runs_a_fixed_number_of_queries(world, login):
    client = login(world.therapist)
    url = reflections_url(world.patient_a)
    session = dosed_session(world)
    write(world.patient_a, kind="reflection", dosing_session=session)
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for _ in range(10):
        write(world.patient_a, kind="reflection", dosing_session=session)
    assert count() == few


# --- the cards on the patient's home and the chart -----------------------------------------------


def test_home_asks_for_an_intention_for_a_session_this_week(world, login):
    session = upcoming_session(world, days=3)
    client = login(world.patient_a.user)

    page = text(client.get(reverse("intake:patient_home")))
    assert "Write your intention for" in page
    assert f"?kind=intention&session={session.code}" in page

    write(world.patient_a, kind="intention", dosing_session=session)
    assert "Write your intention for" not in text(client.get(reverse("intake:patient_home")))


def test_home_does_not_ask_for_an_intention_for_a_session_weeks_away(world, login):
    upcoming_session(world, days=10)

    page = text(login(world.patient_a.user).get(reverse("intake:patient_home")))

    assert "Your journal" in page
    assert "Write your intention for" not in page


def test_chart_card_counts_entries_for_the_care_team_only(world, login):
    write(world.patient_a)
    write(world.patient_a)
    chart = reverse("intake:patient_chart", args=[world.patient_a.code])

    therapist_page = login(world.therapist).get(chart)
    assert "Reflections and self-care" in text(therapist_page)
    assert reflections_url(world.patient_a) in text(therapist_page)

    assert "Reflections and self-care" not in text(login(world.admin).get(chart))
    assert "Reflections and self-care" not in text(login(world.patient_a.user).get(chart))
