"""The challenge pages (mounted at /challenges/ by delbar/urls.py)."""

from django.urls import path

from delbar.challenges import views

urlpatterns = [
    path("", views.challenge_list, name="challenge_list"),
    path("<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("<int:pk>/applications/<int:application_pk>/", views.application_detail, name="application_detail"),
]
