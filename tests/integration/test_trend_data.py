"""The trend charts' data (integration/charts.py) and their cards on the chart and the patient's home: every
total by date with the same response and remission markers as the progress rules, at their boundaries; the
dosed sessions by the clinic's date; another patient's data never; two queries whatever the course."""

import datetime
import html
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import MeasureResponse
from integration.charts import trend_data
from integration.progress import progress_for
from sessions import clinic_time
from sessions.models import DosingSession

from .measures_helpers import dosing_session, measure, signed_plan, text

pytestmark = pytest.mark.django_db

FOLLOW_UP = MeasureResponse.Context.FOLLOW_UP
HOME = reverse("intake:patient_home")


def drawn(response) -> list[dict]:
    """The data of every trend canvas on a page, as the script reads them."""
    return [
        json.loads(html.unescape(found)) for found in re.findall(r'data-trend="([^"]*)"', response.content.decode())
    ]


def chart_url(patient) -> str:
    return reverse("intake:patient_chart", args=[patient.code])


def start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=200)


def series(patient, instrument: str, totals: list[int], *, first=None):
    """A baseline and then a follow-up every 30 days, with these totals."""
    first = first or start()
    for n, total in enumerate(totals):
        context = MeasureResponse.Context.BASELINE if n == 0 else FOLLOW_UP
        measure(patient, instrument, total, context=context, when=first + datetime.timedelta(days=30 * n))


def boundaries(patient):
    """Totals on each side of every line: PHQ-9 20 → 11 (45 %), 10 (half: a response), 5, 4 (remission);
    GAD-7 10 → 6, 5 (a response, not below 5), 4 (remission); PCL-5 45 → 36 (9 points), 35 (10: a response),
    33 (at the cutoff), 32 (below it: remission)."""
    series(patient, "phq9", [20, 11, 10, 5, 4])
    series(patient, "gad7", [10, 6, 5, 4])
    series(patient, "pcl5", [45, 36, 35, 33, 32])


def by_key(trends) -> dict:
    return {trend.key: trend for trend in trends}


def test_points_carry_every_total_with_the_progress_markers_at_their_boundaries(world):
    world.clinic.pcl5_cutoff = 33
    world.clinic.save(update_fields=["pcl5_cutoff"])
    world.patient_a.refresh_from_db()
    boundaries(world.patient_a)

    trends = by_key(trend_data(world.patient_a))

    assert list(trends) == ["phq9", "gad7", "pcl5"]
    phq9, gad7, pcl5 = trends["phq9"], trends["gad7"], trends["pcl5"]
    assert [p["total"] for p in phq9.points] == [20, 11, 10, 5, 4]
    assert [p["response"] for p in phq9.points] == [False, False, True, True, True]
    assert [p["remission"] for p in phq9.points] == [False, False, False, False, True]
    assert [(p["response"], p["remission"]) for p in gad7.points] == [
        (False, False),
        (False, False),
        (True, False),
        (True, True),
    ]
    assert [(p["response"], p["remission"]) for p in pcl5.points] == [
        (False, False),
        (False, False),
        (True, False),
        (True, False),
        (True, True),
    ]
    # the very markers the progress pages use
    for instrument in progress_for(world.patient_a):
        points = trends[instrument.key].points[1:]
        assert [(p["total"], p["response"], p["remission"]) for p in points] == [
            (c.markers.total, c.markers.response, c.markers.remission) for c in instrument.later
        ]
    assert phq9.points[0]["baseline"] and phq9.points[0]["change"] == 0 and phq9.points[-1]["change"] == -16


def test_bands_for_phq9_and_gad7_and_the_clinics_cutoff_for_pcl5(world):
    world.clinic.pcl5_cutoff = 31
    world.clinic.save(update_fields=["pcl5_cutoff"])
    world.patient_a.refresh_from_db()
    boundaries(world.patient_a)

    trends = by_key(trend_data(world.patient_a))

    assert [band["low"] for band in trends["phq9"].bands] == [0, 5, 10, 15, 20]
    assert [band["low"] for band in trends["gad7"].bands] == [0, 5, 10, 15]
    assert trends["phq9"].cutoff is None and trends["phq9"].max_total == 27
    assert trends["pcl5"].bands == [] and trends["pcl5"].cutoff == 31 and trends["pcl5"].remission_below == 31
    # a response from PHQ-9 20 is 10 or lower; from PCL-5 45, 35 or lower
    assert trends["phq9"].response_at_or_below == 10 and trends["pcl5"].response_at_or_below == 35
    assert [p["remission"] for p in trends["pcl5"].points] == [False, False, False, False, False]


def test_doses_are_the_dosed_sessions_by_the_clinics_date_only(world):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber)
    series(patient, "phq9", [18, 9])
    today = clinic_time.clinic_today(patient.clinic)
    first = dosing_session(patient, plan, world.prescriber, number=1, day=today - datetime.timedelta(days=20))
    late = dosing_session(patient, plan, world.prescriber, number=2, day=today - datetime.timedelta(days=13))
    # dosed at 23:30 in New York: already the next day in UTC, still this day at the clinic
    evening = datetime.datetime.combine(
        today - datetime.timedelta(days=13), datetime.time(23, 30), tzinfo=clinic_time.clinic_zone(patient.clinic)
    )
    DosingSession.objects.filter(pk=late.pk).update(dosed_at=evening)
    dosing_session(patient, plan, world.prescriber, number=3, day=today + datetime.timedelta(days=1), held=False)
    dosing_session(
        patient,
        plan,
        world.prescriber,
        number=4,
        day=today - datetime.timedelta(days=6),
        status=DosingSession.Status.CANCELLED,
    )

    (phq9,) = trend_data(patient)

    assert phq9.doses == [
        {"date": clinic_time.clinic_date(patient.clinic, first.dosed_at).isoformat(), "number": 1},
        {"date": (today - datetime.timedelta(days=13)).isoformat(), "number": 2},
    ]


def test_another_patients_measures_and_doses_are_never_included(world):
    series(world.patient_a, "phq9", [15, 12])
    series(world.patient_b, "phq9", [24, 3])
    series(world.patient_b, "gad7", [12, 2])
    plan = signed_plan(world.patient_b, world.prescriber)
    dosing_session(world.patient_b, plan, world.prescriber, number=1, day=clinic_time.clinic_today(world.clinic))

    trends = trend_data(world.patient_a)

    assert [trend.key for trend in trends] == ["phq9"]
    assert [p["total"] for p in trends[0].points] == [15, 12]
    assert trends[0].doses == []


def test_no_chart_before_a_baseline(world):
    measure(world.patient_a, "phq9", 12, context=FOLLOW_UP)

    assert trend_data(world.patient_a) == []


def test_the_json_for_the_script_has_the_same_numbers_and_a_summary_for_screen_readers(world):
    series(world.patient_a, "phq9", [16, 8, 6])

    (phq9,) = trend_data(world.patient_a)
    data = json.loads(phq9.json)

    assert [p["total"] for p in data["points"]] == [16, 8, 6]
    assert data["max"] == 27 and data["text"]["total"] == "PHQ-9 total"
    assert phq9.summary.startswith("PHQ-9 chart: 16 at baseline on ")
    assert ", 6 on " in phq9.summary and "3 measures in all." in phq9.summary and "Latest: Response." in phq9.summary


@pytest.mark.parametrize("follow_ups", [1, 12])
def test_two_queries_whatever_the_length_of_the_course(world, follow_ups, django_assert_num_queries):
    patient = world.patient_a
    plan = signed_plan(patient, world.prescriber, sessions=follow_ups)
    for instrument in ("phq9", "gad7", "pcl5"):
        series(patient, instrument, [15] + [10] * follow_ups)
    for n in range(follow_ups):
        dosing_session(patient, plan, world.prescriber, number=n + 1, day=start().date() + datetime.timedelta(n))

    with django_assert_num_queries(2):
        trends = trend_data(patient)
    assert len(trends[0].points) == follow_ups + 1 and len(trends[0].doses) == follow_ups


# --- the cards ----------------------------------------------------------------------------------------------


def test_the_care_team_sees_a_drawn_chart_with_its_data_table(world, login):
    series(world.patient_a, "phq9", [16, 8])

    response = login(world.therapist).get(chart_url(world.patient_a))
    page = text(response)

    assert "Trends" in page and 'role="img"' in page
    assert "PHQ-9 as a table" in page and "vendor/chartjs/chart.umd.min.js" in page and "js/charts.js" in page
    assert 'aria-label="PHQ-9 chart: 16 at baseline on' in page
    assert [[p["total"] for p in trend["points"]] for trend in drawn(response)] == [[16, 8]]


def test_no_trends_card_for_an_admin_nor_before_a_baseline(world, login):
    assert "data-trend" not in text(login(world.prescriber).get(chart_url(world.patient_a)))
    series(world.patient_a, "phq9", [16, 8])
    assert "data-trend" not in text(login(world.admin).get(chart_url(world.patient_a)))


def test_another_clinics_clinician_cannot_open_the_chart(world, login):
    series(world.patient_a, "phq9", [16, 8])

    assert login(world.other_clinician).get(chart_url(world.patient_a)).status_code == 404


def test_the_patient_sees_only_their_own_chart_on_their_home(world, client):
    series(world.patient_a, "phq9", [19, 7])
    series(world.patient_b, "phq9", [23, 22])

    client.force_login(world.patient_a.user)
    response = client.get(HOME)
    client.force_login(world.patient_b.user)
    other = client.get(HOME)

    assert "Your scores over time" in text(response) and "PHQ-9 (low mood) chart: 19 at baseline" in text(response)
    assert [[p["total"] for p in trend["points"]] for trend in drawn(response)] == [[19, 7]]
    assert [[p["total"] for p in trend["points"]] for trend in drawn(other)] == [[23, 22]]
