"""The self-care plan: goals agreed by the therapist or prescriber, the patient's weekly check-in on each
(this week or last week; the same week again updates it), ended goals, and the weeks' history."""

import datetime
import html
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration.models import SelfCareCheckIn, SelfCareGoal
from integration.services import journal as services
from kap_clinic.audit.models import AuditEvent

from .journal_helpers import CHECKIN_URL, agreed_weeks_ago, checkin_data, goal, plan_url, set_today, this_monday

pytestmark = pytest.mark.django_db

WEEK = datetime.timedelta(days=7)


def text(response) -> str:
    return html.unescape(response.content.decode())


def check_in(g, week_of, rating=2, note=""):
    return services.self_care_check_in(goal=g, week_of=week_of, rating=rating, note=note, by=g.patient.user)


def goal_form(**fields) -> dict:
    return {"submission": str(uuid.uuid4()), "category": "sleep", "description": "In bed by 23:00"} | fields


# --- goals: therapists and prescribers only -------------------------------------------------------


@pytest.mark.parametrize("persona", ["therapist", "prescriber"])
def test_therapist_or_prescriber_adds_a_goal_on_the_plan_page(world, login, persona):
    user = getattr(world, persona)

    response = login(user).post(plan_url(world.patient_a), goal_form(), follow=True)

    added = SelfCareGoal.objects.get(patient=world.patient_a)
    assert (added.category, added.description, added.agreed_with, added.is_active) == (
        "sleep",
        "In bed by 23:00",
        user,
        True,
    )
    assert response.redirect_chain[-1][0] == plan_url(world.patient_a)
    assert "The goal “In bed by 23:00” was added." in text(response)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(added.code)).exists()


@pytest.mark.parametrize("persona", ["nurse", "admin", "other_clinician"])
def test_others_cannot_add_goals(world, login, persona):
    user = getattr(world, persona)

    response = login(user).post(plan_url(world.patient_a), goal_form())

    assert response.status_code == 404
    assert not SelfCareGoal.objects.exists()
    with pytest.raises(PermissionDenied):
        goal(world, by=user)


def test_a_patient_cannot_add_their_own_goals(world):
    with pytest.raises(PermissionDenied):
        goal(world, by=world.patient_a.user)


def test_the_nurse_reads_the_plan_without_the_forms(world, login):
    g = goal(world, description="Ten minutes of breathing practice")

    page = text(login(world.nurse).get(plan_url(world.patient_a)))

    assert "Ten minutes of breathing practice" in page
    assert "Add a goal" not in page
    assert f"?end={g.code}" not in page


def test_a_goal_without_description_keeps_what_was_chosen(world, login):
    response = login(world.therapist).post(plan_url(world.patient_a), goal_form(category="movement", description=" "))

    assert response.status_code == 200
    assert response.context["form"]["category"].value() == "movement"
    assert not SelfCareGoal.objects.exists()


def test_a_too_long_goal_is_refused_and_kept(world, login):
    description = "Walk " * 60

    response = login(world.therapist).post(plan_url(world.patient_a), goal_form(description=description))

    assert "Keep the goal to 255 characters" in text(response)
    assert response.context["form"]["description"].value() == description


def test_the_add_goal_form_sent_twice_adds_one_goal(world, login):
    client = login(world.therapist)
    data = goal_form()

    client.post(plan_url(world.patient_a), data)
    second = client.post(plan_url(world.patient_a), data, follow=True)

    assert SelfCareGoal.objects.count() == 1
    assert second.redirect_chain[-1][0] == plan_url(world.patient_a)
    assert "This was already recorded." in text(second)


# --- ending a goal -------------------------------------------------------------------------------


def test_ending_a_goal_asks_to_confirm_then_keeps_its_history(world, login):
    g = goal(world, description="Call a friend weekly")
    check_in(g, this_monday(world.clinic), rating=3)
    client = login(world.therapist)

    confirm = client.get(f"{plan_url(world.patient_a)}?end={g.code}")
    assert confirm.status_code == 200
    assert "End this goal?" in text(confirm)
    g.refresh_from_db()
    assert g.is_active  # nothing ended by opening the page

    response = client.post(plan_url(world.patient_a), {"end": str(g.code), "confirm": "1"}, follow=True)

    g.refresh_from_db()
    assert not g.is_active
    assert g.check_ins.count() == 1
    page = text(response)
    assert "The goal “Call a friend weekly” has ended." in page
    assert "Ended goals" in page
    assert "Every day" in page


def test_ending_a_goal_twice_says_it_already_ended(world):
    g = goal(world)
    services.self_care_goal_end(goal=g, by=world.therapist)

    with pytest.raises(ValidationError, match="already ended"):
        services.self_care_goal_end(goal=g, by=world.therapist)


def test_the_nurse_cannot_end_a_goal(world, login):
    g = goal(world)

    assert login(world.nurse).post(plan_url(world.patient_a), {"end": str(g.code), "confirm": "1"}).status_code == 404
    g.refresh_from_db()
    assert g.is_active


def test_a_goal_of_another_patient_cannot_be_ended_through_this_patients_page(world, login):
    theirs = goal(world, world.patient_b)

    response = login(world.therapist).post(plan_url(world.patient_a), {"end": str(theirs.code), "confirm": "1"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_an_ended_goal_is_not_asked_about(world, login):
    kept = goal(world, description="Stretch in the morning")
    ended = goal(world, description="No screens after 22:00")
    services.self_care_goal_end(goal=ended, by=world.therapist)

    response = login(world.patient_a.user).get(CHECKIN_URL)

    assert [g for g, *_ in response.context["form"].rows()] == [kept]
    assert "No screens after 22:00" not in text(response)
    with pytest.raises(ValidationError, match="has ended"):
        check_in(ended, this_monday(world.clinic))


# --- the weekly check-in -------------------------------------------------------------------------


def test_patient_checks_in_on_every_goal_with_one_form(world, login):
    walk = goal(world, category="movement", description="A 20-minute walk")
    sleep = goal(world, category="sleep", description="In bed by 23:00")
    client = login(world.patient_a.user)

    response = client.post(
        CHECKIN_URL, checkin_data({walk: 2, sleep: 0}, {sleep: "Late shifts this week."}), follow=True
    )

    monday = this_monday(world.clinic)
    assert {(c.goal, c.week_of, c.rating, c.note) for c in SelfCareCheckIn.objects.all()} == {
        (walk, monday, 2, ""),
        (sleep, monday, 0, "Late shifts this week."),
    }
    assert "Thank you: your check-in was saved." in text(response)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, actor=world.patient_a.user).count() == 2


def test_a_goal_may_be_left_for_later_but_not_all(world, login):
    walk, sleep = goal(world), goal(world, category="sleep")
    client = login(world.patient_a.user)

    nothing = client.post(CHECKIN_URL, checkin_data({walk: None, sleep: None}))
    assert "Choose how the week went for at least one goal." in text(nothing)

    client.post(CHECKIN_URL, checkin_data({walk: 1, sleep: None}))
    assert list(SelfCareCheckIn.objects.values_list("goal", flat=True)) == [walk.pk]


def test_a_note_without_a_rating_is_refused_and_kept(world, login):
    g = goal(world)

    response = login(world.patient_a.user).post(CHECKIN_URL, checkin_data({g: None}, {g: "Hard week at work."}))

    assert "Choose how often, or clear the note." in text(response)
    assert "Hard week at work." in text(response)
    assert not SelfCareCheckIn.objects.exists()


def test_a_second_check_in_the_same_week_updates_it(world, login):
    g = goal(world)
    client = login(world.patient_a.user)

    client.post(CHECKIN_URL, checkin_data({g: 1}, {g: "Only Monday."}))
    page = client.get(CHECKIN_URL)
    assert page.context["form"][f"rating_{g.code}"].value() == 1  # the form shows this week's answer
    client.post(CHECKIN_URL, checkin_data({g: 3}, {g: "Every day after all."}))

    only = SelfCareCheckIn.objects.get()
    assert (only.rating, only.note, only.week_of) == (3, "Every day after all.", this_monday(world.clinic))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(only.pk)).exists()


def test_check_in_for_last_week_once_but_not_earlier_or_later(world):
    g = agreed_weeks_ago(goal(world), 3)
    monday = this_monday(world.clinic)

    _, created = check_in(g, monday - WEEK, rating=1)
    assert created
    with pytest.raises(ValidationError, match="that week is over"):
        check_in(g, monday - WEEK, rating=3)
    for week in (monday - 2 * WEEK, monday + WEEK):
        with pytest.raises(ValidationError, match="this week .* or last week .* only"):
            check_in(g, week)
    assert SelfCareCheckIn.objects.get().rating == 1


def test_the_week_is_the_clinics_monday_to_sunday(world, monkeypatch):
    # Monday 12 May 2025 at 02:00 UTC is still Sunday evening in New York: the week of 5 May.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2025, 5, 12, 2, tzinfo=datetime.UTC))
    assert world.clinic.time_zone == "America/New_York"

    assert services.check_in_weeks(world.clinic) == (datetime.date(2025, 5, 5), datetime.date(2025, 4, 28))

    world.clinic.time_zone = "Europe/Berlin"
    assert services.this_week(world.clinic) == datetime.date(2025, 5, 12)


def test_on_sunday_the_week_still_takes_changes_and_on_monday_it_is_over(world, monkeypatch):
    g = goal(world)
    monday = this_monday(world.clinic)
    set_today(monkeypatch, monday + datetime.timedelta(days=6))
    check_in(g, monday, rating=1)
    check_in(g, monday, rating=2)  # Sunday: still this week

    set_today(monkeypatch, monday + WEEK)
    with pytest.raises(ValidationError, match="that week is over"):
        check_in(g, monday, rating=3)
    assert SelfCareCheckIn.objects.get().rating == 2


def test_the_page_catches_up_on_last_week_for_the_goals_missed(world, login):
    done, missed = goal(world, description="Walk"), goal(world, description="Journal")
    agreed_weeks_ago(done, 2)
    agreed_weeks_ago(missed, 2)
    goal(world, description="Agreed today")  # didn't exist last week: not asked about it
    monday = this_monday(world.clinic)
    check_in(done, monday - WEEK, rating=2)
    client = login(world.patient_a.user)

    assert "Missed last week?" in text(client.get(CHECKIN_URL))
    last = client.get(f"{CHECKIN_URL}?week=last")
    assert [g for g, *_ in last.context["form"].rows()] == [missed]

    client.post(CHECKIN_URL, checkin_data({missed: 0}, week="last"))

    assert SelfCareCheckIn.objects.get(goal=missed).week_of == monday - WEEK
    assert "Missed last week?" not in text(client.get(CHECKIN_URL))


def test_a_goal_agreed_this_week_is_not_checked_in_for_last_week(world, login):
    g = goal(world)

    with pytest.raises(ValidationError, match="was agreed this week"):
        check_in(g, this_monday(world.clinic) - WEEK)
    assert "Missed last week?" not in text(login(world.patient_a.user).get(CHECKIN_URL))


def test_only_the_patient_checks_in(world):
    g = goal(world)

    for user in (world.therapist, world.patient_b.user):
        with pytest.raises(PermissionDenied):
            services.self_care_check_in(goal=g, week_of=this_monday(world.clinic), rating=1, note="", by=user)


def test_the_patients_page_never_shows_another_patients_goals(world, login):
    goal(world, world.patient_b, description="Patient B's goal")

    response = login(world.patient_a.user).get(CHECKIN_URL)

    assert "Your therapist will add goals with you." in text(response)
    assert "Patient B's goal" not in text(response)


def test_a_rating_for_another_patients_goal_is_ignored(world, login):
    mine, theirs = goal(world), goal(world, world.patient_b)

    login(world.patient_a.user).post(CHECKIN_URL, checkin_data({mine: 1, theirs: 3}))

    assert list(SelfCareCheckIn.objects.values_list("goal", flat=True)) == [mine.pk]


# --- the history table ---------------------------------------------------------------------------


def test_history_shows_the_last_six_weeks_per_goal(world, login):
    g = agreed_weeks_ago(goal(world, description="Mindful breathing", category="mindfulness"), 10)
    monday = this_monday(world.clinic)
    for weeks_ago, rating in ((0, 3), (2, 1), (7, 0)):  # 7 weeks ago is outside the table
        SelfCareCheckIn.objects.create(goal=g, week_of=monday - weeks_ago * WEEK, rating=rating)

    response = login(world.therapist).get(plan_url(world.patient_a))

    history = response.context["history"]
    assert history["weeks"] == [monday - n * WEEK for n in range(5, -1, -1)]
    (row,) = history["rows"]
    assert [cell.rating if cell else None for cell in row["cells"]] == [None, None, None, 1, None, 3]
    page = text(response)
    assert "This week" in page
    assert "Every day" in page and "Some days" in page
    assert "Not at all" not in page.split("Add a goal")[0]  # the 7-weeks-ago rating isn't in the table


def test_history_marks_weeks_before_the_goal_was_agreed(world, login):
    goal(world)

    response = login(world.patient_a.user).get(CHECKIN_URL)

    (row,) = response.context["history"]["rows"]
    assert row["cells"][:5] == ["before"] * 5
    assert row["cells"][5] is None
    assert "not a goal yet" in text(response)


def test_chart_card_shows_each_goals_last_rating(world, login):
    g = agreed_weeks_ago(goal(world, description="Yoga twice a week"), 2)
    check_in(g, this_monday(world.clinic) - WEEK, rating=2)

    page = text(login(world.therapist).get(reverse("intake:patient_chart", args=[world.patient_a.code])))

    assert "Yoga twice a week" in page
    assert "Most days (week of" in page


def test_home_card_shows_this_weeks_check_ins_to_do(world, login):
    walk, sleep = goal(world, description="Walk"), goal(world, description="Sleep", category="sleep")
    client = login(world.patient_a.user)

    page = text(client.get(reverse("intake:patient_home")))
    assert "Self-care this week" in page
    assert "Check in for this week" in page

    check_in(walk, this_monday(world.clinic))
    check_in(sleep, this_monday(world.clinic))
    assert "All done for this week." in text(client.get(reverse("intake:patient_home")))


def test_home_has_no_self_care_card_without_goals(world, login):
    assert "Self-care this week" not in text(login(world.patient_a.user).get(reverse("intake:patient_home")))


@pytest.mark.parametrize("persona", ["admin", "other_clinician", "other_admin"])
def test_the_plan_is_404_outside_the_care_team(world, login, persona):
    goal(world, description="Private goal")

    response = login(getattr(world, persona)).get(plan_url(world.patient_a))

    assert response.status_code == 404
    assert "Private goal" not in text(response)


@pytest.mark.parametrize(
    ("url_of", "persona"),
    [
        (lambda w: reverse("intake:patient_home"), "patient_a"),
        (lambda w: CHECKIN_URL, "patient_a"),
        (lambda w: plan_url(w.patient_a), "therapist"),
        (lambda w: reverse("intake:patient_chart", args=[w.patient_a.code]), "therapist"),
    ],
)
def test_pages_and_cards_run_a_fixed_number_of_queries(world, client, url_of, persona):
    user = world.patient_a.user if persona == "patient_a" else getattr(world, persona)
    client.force_login(user)
    url = url_of(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def grow(n):
        for _ in range(n):
            g = agreed_weeks_ago(goal(world), 3)
            check_in(g, this_monday(world.clinic), rating=1)
            check_in(g, this_monday(world.clinic) - WEEK, rating=2)

    grow(1)
    count()  # the first request of a session also caches the clinic's time zone
    few = count()
    grow(5)
    assert count() == few
