"""Placeholder: being written (stubs answer 404 until then)."""

from django.http import Http404


def predose_check(request, **kwargs):
    raise Http404


def predose_override(request, **kwargs):
    raise Http404


def administration_add(request, **kwargs):
    raise Http404
