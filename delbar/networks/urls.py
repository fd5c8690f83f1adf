"""The network pages (mounted at /nettverk/ by delbar/urls.py). "mine" and "collection" come before the
networks' own addresses, so no network may take those slugs (actions.RESERVED_SLUGS)."""

from django.urls import path, re_path

from delbar.networks import views

urlpatterns = [
    path("", views.network_list, name="network_list"),
    path("mine/", views.my_networks, name="my_networks"),
    path("collection/add/", views.network_collection_add, name="network_collection_add"),
    path("<slug:slug>/", views.network_detail, name="network_detail"),
    path("<slug:slug>/cases/", views.network_cases, name="network_cases"),
    path("<slug:slug>/logo.png", views.network_logo, name="network_logo"),
    path("<slug:slug>/feed.atom", views.network_feed, name="network_feed"),
    path("<slug:slug>/embed/", views.network_embed, name="network_embed"),
    path("<slug:slug>/edit/", views.network_edit, name="network_edit"),
    path("<slug:slug>/queue/", views.network_queue, name="network_queue"),
    path("<slug:slug>/collection/<int:case_pk>/remove/", views.network_collection_remove,
         name="network_collection_remove"),
    path("<slug:slug>/members/", views.network_members, name="network_members"),
    path("<slug:slug>/join/", views.network_join, name="network_join"),
    re_path(r"^(?P<slug>[-a-zA-Z0-9_]+)/members/(?P<pk>[0-9]+)/(?P<decision>approve|decline|leave)/$",
            views.network_member_decide, name="network_member_decide"),
    path("<slug:slug>/news/", views.network_news, name="network_news"),
    path("<slug:slug>/news/new/", views.network_news_create, name="network_news_create"),
    path("<slug:slug>/news/<int:pk>/", views.network_news_item, name="network_news_item"),
    path("<slug:slug>/news/<int:pk>/edit/", views.network_news_edit, name="network_news_edit"),
    path("<slug:slug>/news/<int:pk>/delete/", views.network_news_delete, name="network_news_delete"),
    path("<slug:slug>/members-area/", views.network_members_area, name="network_members_area"),
    path("<slug:slug>/members-area/documents/", views.network_document_upload, name="network_document_upload"),
    path("<slug:slug>/members-area/documents/<int:pk>/", views.network_document_download,
         name="network_document_download"),
    path("<slug:slug>/members-area/discussion/", views.network_post, name="network_post"),
]
