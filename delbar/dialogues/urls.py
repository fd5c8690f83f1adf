"""The dialogue pages (mounted at /dialogues/ by delbar/urls.py)."""

from django.http import Http404
from django.urls import path


def _placeholder(request, *args, **kwargs):
    raise Http404  # replaced by dialogues/views.py


urlpatterns = [
    path("", _placeholder, name="dialogue_list"),
    path("new/", _placeholder, name="dialogue_create"),
    path("<int:pk>/", _placeholder, name="dialogue_detail"),
]
