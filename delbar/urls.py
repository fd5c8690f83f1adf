from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from delbar.accounts import data_views
from delbar.accounts import views as account_views
from delbar.alerts import views as alert_views
from delbar.api.urls import api
from delbar.cases import views as case_views
from delbar.diffusion import views as diffusion_views
from delbar.groups import views as group_views
from delbar.needs import views as need_views
from delbar.notices import views as notice_views
from delbar.opendata import views as opendata_views
from delbar.ops.health import HealthView
from delbar.orgs import views as org_views
from delbar.questions import views as question_views
from delbar.search import search_page
from delbar.suppliers import views as supplier_views
from delbar.web import views as web_views

admin.site.site_header = "Delbar"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("about/", web_views.about, name="about"),
    path("my/", web_views.my_organization, name="my_organization"),
    path("search/", search_page, name="search"),
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.case_create, name="case_create"),
    path("cases/review/", case_views.review_queue, name="review_queue"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", case_views.case_edit, name="case_edit"),
    path("cases/<int:pk>/submit/", case_views.case_submit, name="case_submit"),
    path("cases/<int:pk>/publish/", case_views.case_publish, name="case_publish"),
    path("cases/<int:pk>/return/", case_views.case_return, name="case_return"),
    path("cases/<int:pk>/archive/", case_views.case_archive, name="case_archive"),
    path("cases/<int:pk>/delete/", case_views.case_delete, name="case_delete"),
    path("cases/<int:pk>/reuse/", case_views.case_reuse, name="case_reuse"),
    path("cases/<int:pk>/documents/new/", case_views.document_upload, name="document_upload"),
    path("cases/<int:pk>/documents/<int:document_pk>/", case_views.document_download, name="document_download"),
    path("cases/<int:pk>/documents/<int:document_pk>/remove/", case_views.document_remove,
         name="document_remove"),
    path("cases/<int:pk>/contacts/<int:contact_pk>/remove/", case_views.contact_remove, name="contact_remove"),
    path("cases/<int:pk>/diffusion/", diffusion_views.case_diffusion, name="case_diffusion"),
    re_path(r"^cases/(?P<pk>[0-9]+)/diffusion/(?P<name>[a-z-]+)\.(?P<fmt>csv|json)$",
            diffusion_views.case_diffusion_download, name="case_diffusion_download"),
    path("cases/<int:pk>/adoptions/", diffusion_views.adoption_declare, name="adoption_declare"),
    re_path(r"^adoptions/(?P<pk>[0-9]+)/(?P<decision>confirm|dismiss|accept|withdraw)/$",
            diffusion_views.adoption_decide, name="adoption_decide"),
    path("observatory/", diffusion_views.observatory_page, name="observatory"),
    re_path(r"^observatory/(?P<name>[a-z-]+)\.(?P<fmt>csv|json)$", diffusion_views.observatory_download,
            name="observatory_download"),
    path("cases/<int:pk>/questions/", question_views.question_ask, name="question_ask"),
    path("cases/<int:pk>/questions/<int:question_pk>/answer/", question_views.question_answer,
         name="question_answer"),
    path("needs/", need_views.need_list, name="need_list"),
    path("needs/new/", need_views.need_create, name="need_create"),
    path("needs/mine/", need_views.my_needs, name="my_needs"),
    path("needs/<int:pk>/", need_views.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", need_views.need_edit, name="need_edit"),
    path("needs/<int:pk>/join/", need_views.need_join, name="need_join"),
    path("needs/<int:pk>/matches/<int:match_pk>/", need_views.match_decide, name="match_decide"),
    path("needs/<int:pk>/propose/", supplier_views.need_propose, name="need_propose"),
    path("needs/<int:pk>/group/", group_views.group_create, name="group_create"),
    path("groups/proposed/", group_views.group_proposals, name="group_proposals"),
    path("groups/<int:pk>/", group_views.group_detail, name="group_detail"),
    path("groups/<int:pk>/messages/", group_views.group_message, name="group_message"),
    path("groups/<int:pk>/stage/", group_views.group_stage, name="group_stage"),
    path("groups/<int:pk>/members/", group_views.group_add_members, name="group_add_members"),
    path("groups/<int:pk>/documents/", group_views.group_document_upload, name="group_document_upload"),
    path("groups/<int:pk>/documents/<int:document_pk>/", group_views.group_document_download,
         name="group_document_download"),
    path("solutions/", supplier_views.solution_list, name="solution_list"),
    path("solutions/new/", supplier_views.solution_create, name="solution_create"),
    path("solutions/<int:pk>/", supplier_views.solution_detail, name="solution_detail"),
    path("solutions/<int:pk>/edit/", supplier_views.solution_edit, name="solution_edit"),
    path("demand/", supplier_views.demand_view, name="demand"),
    path("open-data/ocds.json", opendata_views.ocds_package, name="open_data_ocds"),
    path("open-data/ocds-records.json", opendata_views.ocds_records, name="open_data_ocds_records"),
    path("open-data/delbar.csv", opendata_views.csv_table, name="open_data_csv"),
    path("notices/", notice_views.notice_list, name="notice_list"),
    path("notices/discovered/", notice_views.discovery_queue, name="discovery_queue"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/document/", notice_views.notice_document, name="notice_document"),
    path("notices/<int:pk>/review/", notice_views.notice_review, name="notice_review"),
    path("notifications/", alert_views.notifications, name="notifications"),
    path("notifications/read/", alert_views.notifications_read, name="notifications_read"),
    path("alerts/", alert_views.alerts, name="alerts"),
    path("alerts/<int:pk>/delete/", alert_views.subscription_delete, name="subscription_delete"),
    path("alerts/unsubscribe/<str:token>/", alert_views.unsubscribe, name="alerts_unsubscribe"),
    path("organizations/", org_views.organization_list, name="organization_list"),
    path("cpv/", org_views.cpv_lookup, name="cpv_lookup"),
    path("organizations/<int:pk>/", org_views.organization_detail, name="organization_detail"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/tokens/", account_views.token_create, name="token_create"),
    path("accounts/tokens/<int:pk>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("accounts/my-data.json", data_views.my_data, name="my_data"),
    path("accounts/delete/", data_views.delete_account, name="delete_account"),
    path("organizations/<int:pk>/members/", account_views.members, name="organization_members"),
    path("organizations/<int:pk>/members/grant/", account_views.member_grant, name="member_grant"),
    path("organizations/<int:pk>/contact/", account_views.organization_contact, name="organization_contact"),
    re_path(r"^memberships/(?P<pk>[0-9]+)/(?P<decision>approve|decline|remove)/$", account_views.member_decide,
            name="member_decide"),
    re_path(r"^accounts/oidc/(?P<name>[a-z]+)/login/$", account_views.oidc_login, name="oidc_login"),
    re_path(r"^accounts/oidc/(?P<name>[a-z]+)/callback/$", account_views.oidc_callback, name="oidc_callback"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", secure_admin_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("nettverk/", include("delbar.networks.urls")),
    path("dialogues/", include("delbar.dialogues.urls")),
    path("challenges/", include("delbar.challenges.urls")),
    path("api/", api.urls),
]
