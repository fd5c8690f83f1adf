"""The challenge pages (mounted at /challenges/ by delbar/urls.py). views.py: the challenge, its phases,
criteria, evaluators, questions and results (public and owners); application_views.py: applying, the
applicants' own pages, and evaluating."""

from django.urls import path

from delbar.challenges import application_views, views

urlpatterns = [
    path("", views.challenge_list, name="challenge_list"),
    path("new/", views.challenge_create, name="challenge_create"),
    path("mine/", application_views.my_challenges, name="my_challenges"),
    path("<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("<int:pk>/edit/", views.challenge_edit, name="challenge_edit"),
    path("<int:pk>/phases/", views.challenge_phases, name="challenge_phases"),
    path("<int:pk>/phases/<int:phase_pk>/edit/", views.phase_edit, name="phase_edit"),
    path("<int:pk>/phases/<int:phase_pk>/remove/", views.phase_remove, name="phase_remove"),
    path("<int:pk>/phases/<int:phase_pk>/results/", views.phase_results, name="phase_results"),
    path("<int:pk>/criteria/", views.challenge_criteria, name="challenge_criteria"),
    path("<int:pk>/evaluators/", views.challenge_evaluators, name="challenge_evaluators"),
    path("<int:pk>/evaluators/<int:evaluator_pk>/remove/", views.evaluator_remove, name="evaluator_remove"),
    path("<int:pk>/publish/", views.challenge_publish, name="challenge_publish"),
    path("<int:pk>/cancel/", views.challenge_cancel, name="challenge_cancel"),
    path("<int:pk>/end/", views.challenge_end, name="challenge_end"),
    path("<int:pk>/case/", views.challenge_publish_case, name="challenge_publish_case"),
    path("<int:pk>/questions/", views.challenge_ask, name="challenge_ask"),
    path("<int:pk>/questions/<int:question_pk>/answer/", views.challenge_answer, name="challenge_answer"),
    path("<int:pk>/applications/", views.challenge_applications, name="challenge_applications"),
    path("<int:pk>/phases/<int:phase_pk>/apply/", application_views.application_create, name="application_create"),
    path("<int:pk>/applications/<int:application_pk>/", application_views.application_detail,
         name="application_detail"),
    path("<int:pk>/applications/<int:application_pk>/edit/", application_views.application_edit,
         name="application_edit"),
    path("<int:pk>/applications/<int:application_pk>/withdraw/", application_views.application_withdraw,
         name="application_withdraw"),
    path("<int:pk>/applications/<int:application_pk>/documents/<int:document_pk>/",
         application_views.application_document_download, name="application_document_download"),
    path("<int:pk>/applications/<int:application_pk>/documents/<int:document_pk>/remove/",
         application_views.application_document_remove, name="application_document_remove"),
    path("<int:pk>/applications/<int:application_pk>/evaluate/", application_views.application_evaluate,
         name="application_evaluate"),
]
