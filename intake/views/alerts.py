"""Placeholder: being written (stubs answer 404 until then)."""

from django.http import Http404


def alert_list(request, **kwargs):
    raise Http404


def alert_acknowledge(request, **kwargs):
    raise Http404
