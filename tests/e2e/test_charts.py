"""The trend charts in a real browser: Chart.js (from npm, served by staticfiles) draws the demo follow-up
patient's PHQ-9, GAD-7 and PCL-5 under the strict Content-Security-Policy, for the prescriber on the chart and
for the patient on their home, with nothing refused or failing in the console."""

import pytest

from intake.models import Patient
from kap_clinic.demo.clinic import DEMO_PASSWORD, seed

pytestmark = pytest.mark.django_db(transaction=True)

DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-trend]")).map((canvas) => {
    const chart = Chart.getChart(canvas);
    return chart ? {
        measures: chart.data.datasets[0].data.length,
        doses: chart.data.datasets[3].data.length,
        label: canvas.getAttribute("aria-label"),
        height: canvas.clientHeight,
    } : null;
})"""


def watch(page) -> list[str]:
    """Everything the browser refused (a CSP violation is a console error) or failed to run."""
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_the_prescriber_sees_the_trend_charts_drawn_on_the_chart(page, log_in):
    seed()
    noah = Patient.objects.get(email="patient8@harbor.demo")  # months into follow-up
    problems = watch(page)

    log_in("prescriber@harbor.demo", DEMO_PASSWORD)
    page.goto(f"/intake/patients/{noah.code}/")
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.KapCharts && document.querySelector('canvas[data-trend]')")

    charts = page.evaluate(DRAWN)
    assert len(charts) == 3 and all(charts), charts  # PHQ-9, GAD-7, PCL-5, each drawn by Chart.js
    assert all(chart["measures"] >= 3 and chart["doses"] == 6 and chart["height"] > 100 for chart in charts)
    assert charts[0]["label"].startswith("PHQ-9 chart: 16 at baseline")
    page.get_by_text("PHQ-9 as a table").click()
    table = page.get_by_role("table").filter(has_text="Change from baseline").first
    assert table.is_visible() and "Baseline" in table.inner_text()
    assert page.get_by_role("heading", name="Course timeline").is_visible()
    assert not problems, problems


def test_the_patient_sees_their_own_chart_on_their_home(page, log_in):
    seed()
    problems = watch(page)

    log_in("patient8@harbor.demo", DEMO_PASSWORD)
    page.goto("/intake/me/")
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.KapCharts && document.querySelector('canvas[data-trend]')")

    assert page.get_by_role("heading", name="Your scores over time").is_visible()
    charts = page.evaluate(DRAWN)
    assert charts and all(charts) and charts[0]["measures"] > 0, charts
    assert charts[0]["label"].startswith("PHQ-9 (low mood) chart")
    assert not problems, problems


def test_no_animation_for_those_who_ask_for_reduced_motion(browser, live_server):
    seed()
    context = browser.new_context(base_url=live_server.url, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill("patient8@harbor.demo")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto("/intake/me/")
        page.wait_for_function("() => window.KapCharts && document.querySelector('canvas[data-trend]')")
        animation = page.evaluate(
            "() => Chart.getChart(document.querySelector('canvas[data-trend]')).options.animation"
        )
        assert animation is False
    finally:
        context.close()


def test_the_admin_dashboard_draws_its_charts(page, log_in):
    """The clinic admin's funnel and sessions-per-week charts are drawn with the demo's numbers."""
    seed()
    problems = watch(page)

    log_in("admin@harbor.demo", DEMO_PASSWORD)
    page.goto("/home/admin/")
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.KapCharts && document.querySelector('canvas[data-chart]')")

    charts = page.evaluate(
        """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
            const chart = Chart.getChart(canvas);
            return chart ? chart.data.datasets.reduce((sum, d) => sum + d.data.reduce((a, b) => a + b, 0), 0) : null;
        })"""
    )
    assert len(charts) >= 2 and all(total and total > 0 for total in charts), charts
    assert not problems, problems
