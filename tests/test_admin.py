"""Django's admin for curators and admins: who gets in, and changes there are audited too."""

from delbar.audit.models import AuditEvent
from delbar.cases.models import Status
from tests.conftest import client_for


def test_curators_and_admins_get_in_editors_do_not(cast):
    assert client_for(cast["carol"]).get("/admin/").status_code == 200
    assert client_for(cast["admin"]).get("/admin/").status_code == 200
    assert client_for(cast["alice"]).get("/admin/").status_code == 302  # to the admin log-in
    assert client_for(cast["alice"]).get("/admin/cases/case/").status_code == 302


def test_curator_edit_in_admin_is_revised_and_audited(cast, make_case):
    case = make_case(Status.PUBLISHED)
    client = client_for(cast["carol"])
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({"title": "Rettet av kurator", "sector": case.sector_id, "lead_buyer": case.lead_buyer_id,
                 "language": "nb", "other_sectors": [], "cpv_codes": [], "partner_buyers": [], "suppliers": []})
    for prefix in ("benefits", "links", "contacts", "documents"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(f"/admin/cases/case/{case.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    case.refresh_from_db()
    assert case.title == "Rettet av kurator"
    assert AuditEvent.objects.filter(action="case.admin_change", actor=cast["carol"]).exists()
    assert case.revisions.first().changed_fields == ["title"]


def test_curators_cannot_delete_in_admin(cast, make_case):
    case = make_case(Status.PUBLISHED)
    assert client_for(cast["carol"]).get(f"/admin/cases/case/{case.pk}/delete/").status_code == 403


def test_admin_pages_for_needs_groups_solutions_and_questions_open(cast, make_case, lyngdal):
    from delbar.needs import actions as need_actions
    from delbar.questions.actions import ask

    case = make_case("published")
    need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Tunnelinspeksjon", "description": "Vi vil inspisere tunnelene."})
    ask(case=case, actor=cast["bob"], organization=lyngdal, body="Hvordan gikk det?")
    client = client_for(cast["admin"])
    from django.contrib import admin
    new_apps = ("needs", "groups", "suppliers", "questions")
    for model in [model for model in admin.site._registry if model._meta.app_label in new_apps]:
        name = f"{model._meta.app_label}/{model._meta.model_name}"
        assert client.get(f"/admin/{name}/").status_code == 200, name
        assert client.get(f"/admin/{name}/?q=tunnel").status_code == 200, name
    assert client.get(f"/admin/needs/need/{need.pk}/change/").status_code == 200


def test_a_need_changed_in_admin_is_searched_and_matched_again(cast, lyngdal, make_case):
    from delbar.needs import actions as need_actions
    from delbar.search.engine import search

    need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Tunnelinspeksjon", "description": "Vi vil inspisere tunnelene."})
    case = make_case("published")
    response = client_for(cast["carol"]).post(f"/admin/needs/need/{need.pk}/change/", {
        "organization": lyngdal.pk, "title": "Undervannsrobot i tunnelene", "description": need.description,
        "language": "nb", "visibility": "public", "status": "open", "open_for_joint_procurement": "on",
        "interests-TOTAL_FORMS": 0, "interests-INITIAL_FORMS": 0})
    assert response.status_code == 302
    assert [hit.document.object_id for hit in search("undervannsrobot", kinds=["need"]).shown()] == [need.pk]
    assert need.matches.filter(kind="case", object_id=case.pk).exists()
