"""Screenshots of the three homes for the README, taken from a running demo server.

    DEBUG=1 .venv/bin/python manage.py seed_demo        # the demo clinic, once
    DEBUG=1 .venv/bin/python manage.py runserver 127.0.0.1:8000
    .venv/bin/python docs/screenshots.py http://127.0.0.1:8000

Logs in through the real login form as the demo prescriber, clinic admin and patient 8 (months into
follow-up) and saves docs/clinician-home.png, docs/admin-home.png and docs/patient-home.png (whole pages).
Uses Playwright with the machine's Chromium (Debian's package), launched as the browser tests do.
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
DEMO_PASSWORD = "kap-demo-password-2026"  # noqa: S105 - the demo logins' published password (kap_clinic/demo/clinic.py)
HOMES = [
    ("prescriber@harbor.demo", "clinician-home.png"),
    ("admin@harbor.demo", "admin-home.png"),
    ("patient8@harbor.demo", "patient-home.png"),
]
CHROMIUM_ARGS = [  # as tests/e2e/conftest.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def screenshot_home(browser, base_url: str, email: str, password: str, path: Path, *, width: int, height: int):
    """Log `email` in (a fresh browser context: nobody else's session) and save their home page."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        context.close()
        raise SystemExit(f"{email} could not log in at {base_url}: is the demo seeded (manage.py seed_demo)?")
    page.wait_for_timeout(500)  # let charts finish their animation
    page.screenshot(path=str(path), full_page=True)
    context.close()
    print(f"{email}: {page.url} → {path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the demo logins' password")
    parser.add_argument("--out", type=Path, default=DOCS, help="where to save the PNG files (default: docs/)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    executable = shutil.which("chromium")
    if executable is None:
        print("Chromium is not installed: run `make browsers` (Debian's chromium package).", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            for email, filename in HOMES:
                screenshot_home(
                    browser,
                    args.url.rstrip("/"),
                    email,
                    args.password,
                    args.out / filename,
                    width=args.width,
                    height=args.height,
                )
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
