"""The network pages (mounted at /nettverk/ by delbar/urls.py)."""

from django.http import Http404
from django.urls import path


def _placeholder(request, *args, **kwargs):
    raise Http404  # replaced by networks/views.py


urlpatterns = [
    path("", _placeholder, name="network_list"),
    path("mine/", _placeholder, name="my_networks"),
    path("<slug:slug>/", _placeholder, name="network_detail"),
    path("<slug:slug>/news/<int:pk>/", _placeholder, name="network_news_item"),
]
