"""Placeholder: being written (stubs answer 404 until then)."""

from django.http import Http404


def board(request, **kwargs):
    raise Http404


def board_rows(request, **kwargs):
    raise Http404


def observation_add(request, **kwargs):
    raise Http404


def adverse_event_add(request, **kwargs):
    raise Http404
