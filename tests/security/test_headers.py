"""Security headers on every page, and templates that keep to the strict Content-Security-Policy."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from .matrix import all_rules

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
REQUIRED_DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
}


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("name", sorted(all_rules()))
def test_every_page_carries_the_security_headers(name, world, client):
    client.force_login(world.admin)
    response = client.get(reverse(name, kwargs=all_rules()[name].kwargs(world)))

    policy = response["Content-Security-Policy"]
    assert directives(policy) >= REQUIRED_DIRECTIVES, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_anonymous_pages_carry_them_too(client):
    response = client.get(reverse("accounts:login"))
    assert directives(response["Content-Security-Policy"]) >= REQUIRED_DIRECTIVES


# What a strict policy would block: inline scripts, inline styles and inline event handlers.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_nothing_inline(template):
    text = template.read_text()
    if template.name == "500.html":  # rendered without the app's static files, on purpose; still no script
        assert "<script" not in text
        return
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template.relative_to(TEMPLATES)} has {', '.join(found)}"
