"""Placeholder: being written (stubs answer 404 until then)."""

from django.http import Http404


def questionnaire_resume(request, **kwargs):
    raise Http404


def questionnaire_step(request, **kwargs):
    raise Http404


def questionnaire_submit(request, **kwargs):
    raise Http404


def questionnaire_answers(request, **kwargs):
    raise Http404
