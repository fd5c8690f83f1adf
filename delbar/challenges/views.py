"""The challenge pages. (Being written: the pages helper replaces this module.)"""

from django.http import Http404


def challenge_list(request):
    raise Http404


def challenge_detail(request, pk):
    raise Http404


def application_detail(request, pk, application_pk):
    raise Http404
