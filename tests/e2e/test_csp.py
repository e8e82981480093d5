"""Pages work under the strict Content-Security-Policy in a real browser: nothing is refused."""

import pytest

from kap_clinic.demo.clinic import DEMO_PASSWORD, seed
from sessions.models import Lot

pytestmark = pytest.mark.django_db(transaction=True)


def watch(page) -> list[str]:
    """Everything the browser refused or failed to run on the pages visited."""
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        (
            "nurse@harbor.demo",
            ["/intake/patients/", "/dosing/ledger/", "{lot}", "{lot}waste/", "/dosing/ledger/inventories/"],
        ),
        (
            "admin@harbor.demo",
            ["/home/admin/audit/", "/accounts/staff/", "/accounts/clinic/", "/accounts/staff/invite/"],
        ),
        ("patient1@harbor.demo", ["/intake/me/"]),
    ],
)
def test_no_page_breaks_the_content_security_policy(email, paths, page, log_in):
    seed()
    lot = Lot.objects.filter(clinic__name__startswith="Harbor").order_by("lot_number").first()
    problems = watch(page)
    log_in(email, DEMO_PASSWORD)
    for path in paths:
        url = path.format(lot=f"/dosing/ledger/lots/{lot.code}/")
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
    assert not problems, problems


def test_bootstrap_scripts_run_under_the_policy(page, log_in):
    """The collapsed menu opens: Bootstrap's own script was allowed to load and run."""
    seed()
    log_in("nurse@harbor.demo", DEMO_PASSWORD)
    page.set_viewport_size({"width": 600, "height": 800})  # collapsed navigation
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Ledger").is_visible()
