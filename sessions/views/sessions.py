"""Placeholder: being written (stubs answer 404 until then)."""

from django.http import Http404


def session_list(request, **kwargs):
    raise Http404


def session_schedule(request, **kwargs):
    raise Http404


def session_detail(request, **kwargs):
    raise Http404


def session_transition(request, **kwargs):
    raise Http404


def session_discharge(request, **kwargs):
    raise Http404


def session_note(request, **kwargs):
    raise Http404


def session_note_sign(request, **kwargs):
    raise Http404


def session_addendum(request, **kwargs):
    raise Http404


def session_rems(request, **kwargs):
    raise Http404
