"""Not written yet: the helper that owns this module replaces every stub."""

from django.http import Http404


def py(request, *args, **kwargs):
    raise Http404


def my_challenges(request, *args, **kwargs):
    raise Http404


def application_create(request, *args, **kwargs):
    raise Http404


def application_detail(request, *args, **kwargs):
    raise Http404


def application_edit(request, *args, **kwargs):
    raise Http404


def application_withdraw(request, *args, **kwargs):
    raise Http404


def application_document_download(request, *args, **kwargs):
    raise Http404


def application_document_remove(request, *args, **kwargs):
    raise Http404


def application_evaluate(request, *args, **kwargs):
    raise Http404
