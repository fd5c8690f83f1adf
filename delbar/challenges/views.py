"""Not written yet: the helper that owns this module replaces every stub."""

from django.http import Http404


def py(request, *args, **kwargs):
    raise Http404


def challenge_list(request, *args, **kwargs):
    raise Http404


def challenge_create(request, *args, **kwargs):
    raise Http404


def challenge_detail(request, *args, **kwargs):
    raise Http404


def challenge_edit(request, *args, **kwargs):
    raise Http404


def challenge_phases(request, *args, **kwargs):
    raise Http404


def phase_edit(request, *args, **kwargs):
    raise Http404


def phase_remove(request, *args, **kwargs):
    raise Http404


def phase_results(request, *args, **kwargs):
    raise Http404


def challenge_criteria(request, *args, **kwargs):
    raise Http404


def challenge_evaluators(request, *args, **kwargs):
    raise Http404


def evaluator_remove(request, *args, **kwargs):
    raise Http404


def challenge_publish(request, *args, **kwargs):
    raise Http404


def challenge_cancel(request, *args, **kwargs):
    raise Http404


def challenge_end(request, *args, **kwargs):
    raise Http404


def challenge_publish_case(request, *args, **kwargs):
    raise Http404


def challenge_ask(request, *args, **kwargs):
    raise Http404


def challenge_answer(request, *args, **kwargs):
    raise Http404


def challenge_applications(request, *args, **kwargs):
    raise Http404
