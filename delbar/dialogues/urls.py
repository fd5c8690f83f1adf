"""The dialogue pages (mounted at /dialogues/ by delbar/urls.py)."""

from django.urls import path

from delbar.dialogues import views

urlpatterns = [
    path("", views.dialogue_list, name="dialogue_list"),
    path("new/", views.dialogue_create, name="dialogue_create"),
    path("<int:pk>/", views.dialogue_detail, name="dialogue_detail"),
    path("<int:pk>/edit/", views.dialogue_edit, name="dialogue_edit"),
    path("<int:pk>/cancel/", views.dialogue_cancel, name="dialogue_cancel"),
    path("<int:pk>/calendar.ics", views.dialogue_calendar, name="dialogue_calendar"),
    path("<int:pk>/register/", views.dialogue_register, name="dialogue_register"),
    path("<int:pk>/registrations/<int:registration_pk>/cancel/", views.registration_cancel,
         name="registration_cancel"),
    path("<int:pk>/questions/", views.dialogue_ask, name="dialogue_ask"),
    path("<int:pk>/questions/<int:question_pk>/answer/", views.dialogue_answer, name="dialogue_answer"),
    path("<int:pk>/input/", views.dialogue_input, name="dialogue_input"),
    path("<int:pk>/input/documents/<int:document_pk>/", views.input_document_download,
         name="input_document_download"),
    path("<int:pk>/input/documents/<int:document_pk>/remove/", views.input_document_remove,
         name="input_document_remove"),
    path("<int:pk>/summary/", views.dialogue_summary, name="dialogue_summary"),
    path("<int:pk>/matchmaking/", views.matchmaking_page, name="dialogue_matchmaking"),
    path("<int:pk>/matchmaking.csv", views.matchmaking_csv, name="matchmaking_csv"),
    path("<int:pk>/matchmaking/propose/", views.matchmaking_propose, name="matchmaking_propose"),
    path("<int:pk>/matchmaking/add/", views.matchmaking_add, name="matchmaking_add"),
    path("<int:pk>/matchmaking/send/", views.matchmaking_send, name="matchmaking_send"),
    path("<int:pk>/matchmaking/group/", views.matchmaking_group, name="matchmaking_group"),
    path("<int:pk>/matchmaking/<int:meeting_pk>/", views.meeting_change, name="meeting_change"),
]
