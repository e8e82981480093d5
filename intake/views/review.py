"""Placeholder: being written (stubs answer 404 until then)."""

from django.http import Http404


def review_queue(request, **kwargs):
    raise Http404


def intake_review(request, **kwargs):
    raise Http404


def assessment_edit(request, **kwargs):
    raise Http404


def plan_edit(request, **kwargs):
    raise Http404
