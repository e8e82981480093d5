"""Placeholder: being written (stubs answer 404 until then)."""

from django.http import Http404


def consent_documents(request, **kwargs):
    raise Http404


def consent_create(request, **kwargs):
    raise Http404


def consent_document(request, **kwargs):
    raise Http404


def consent_publish(request, **kwargs):
    raise Http404


def consent_download(request, **kwargs):
    raise Http404


def protocol_settings(request, **kwargs):
    raise Http404


def screener_wording(request, **kwargs):
    raise Http404


def consent_sign(request, **kwargs):
    raise Http404


def consent_signed(request, **kwargs):
    raise Http404


def consent_download_own(request, **kwargs):
    raise Http404
