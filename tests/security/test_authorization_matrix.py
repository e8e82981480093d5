"""Every URL the project resolves, tried by every persona (security.md rows 2 and 3)."""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .matrix import LOGIN, PERSONAS, REDIRECT, all_rules

pytestmark = pytest.mark.django_db

# Django's own admin site has its own login and is listed as a whole: no demo role is is_staff.
WHOLE_NAMESPACES = {"admin"}


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in WHOLE_NAMESPACES:
                continue
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"every URL pattern needs a name, {pattern.pattern} has none"
            names.add(namespace + pattern.name)
    return names


def test_every_url_pattern_is_in_the_matrix():
    unlisted = url_names() - set(all_rules())
    assert not unlisted, f"URL patterns missing from tests/security/matrix: {sorted(unlisted)}"
    stale = set(all_rules()) - url_names()
    assert not stale, f"matrix rules for URLs that no longer exist: {sorted(stale)}"


def _persona_user(world, persona):
    if persona == "anonymous":
        return None
    if persona in ("patient_a", "patient_b"):
        return getattr(world, persona).user
    return getattr(world, persona)


def _outcome(response):
    if response.status_code in (301, 302):
        login = reverse(settings.LOGIN_URL)
        return LOGIN if response["Location"].startswith(login) else REDIRECT
    return response.status_code


@pytest.mark.parametrize("name", sorted(all_rules()))
def test_url_answers_each_persona_as_listed(name, world, client):
    rule = all_rules()[name]
    url = reverse(name, kwargs=rule.kwargs(world))
    got = {}
    for persona in PERSONAS:
        client.logout()
        user = _persona_user(world, persona)
        if user is not None:
            client.force_login(user)
        got[persona] = _outcome(client.get(url))
    assert got == rule.expected, f"{name} ({url})"


def test_django_admin_refuses_every_clinic_role(world, client):
    for persona in PERSONAS:
        client.logout()
        user = _persona_user(world, persona)
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/django-admin/login/" in response["Location"], persona
