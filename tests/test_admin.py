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
