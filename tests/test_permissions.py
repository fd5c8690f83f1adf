"""The permission matrix: every role × action × case status, for a case owned by Bergen.

The expected table is written out here by hand, from the rules in docs/permissions.md, so it checks
the access helpers rather than repeating them. Alice owns; Bob edits for another municipality.
"""

import pytest

from delbar.cases import actions
from delbar.cases.models import Case, Status
from tests.conftest import bring_to, client_for

STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.ARCHIVED]
ACTIONS = ["view", "edit", "submit", "publish", "return", "archive", "download"]
READ = {"view", "download"}

EXPECTED = {
    "anonymous": {Status.DRAFT: set(), Status.SUBMITTED: set(), Status.PUBLISHED: READ, Status.ARCHIVED: set()},
    "alice": {Status.DRAFT: READ | {"edit", "submit"}, Status.SUBMITTED: READ,
              Status.PUBLISHED: READ | {"edit", "archive"}, Status.ARCHIVED: READ},
    "bob": {Status.DRAFT: set(), Status.SUBMITTED: set(), Status.PUBLISHED: READ, Status.ARCHIVED: set()},
    "dave": {Status.DRAFT: set(), Status.SUBMITTED: set(), Status.PUBLISHED: READ, Status.ARCHIVED: set()},
    "carol": {Status.DRAFT: set(), Status.SUBMITTED: READ | {"edit", "publish", "return"},
              Status.PUBLISHED: READ | {"edit", "archive"}, Status.ARCHIVED: READ | {"publish"}},
    "admin": {Status.DRAFT: READ | {"edit", "submit"}, Status.SUBMITTED: READ | {"edit", "publish", "return"},
              Status.PUBLISHED: READ | {"edit", "archive"}, Status.ARCHIVED: READ | {"edit", "publish"}},
}
AFTER = {"submit": Status.SUBMITTED, "publish": Status.PUBLISHED, "return": Status.DRAFT, "archive": Status.ARCHIVED}
MATRIX = [(role, status, action) for role in EXPECTED for status in STATUSES for action in ACTIONS]


@pytest.fixture
def case_with_document(make_case, cast, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(status):
        case = make_case(Status.DRAFT)
        document = actions.attach_document(case=case, actor=cast["alice"], content_type="application/pdf",
                                           kind="report", title="Rapport",
                                           upload=SimpleUploadedFile("rapport.pdf", pdf_bytes))
        return bring_to(case, status, cast), document

    return make


def _web_request(client, case, document, action):
    base = f"/cases/{case.pk}"
    if action == "view":
        return client.get(f"{base}/")
    if action == "download":
        return client.get(f"{base}/documents/{document.pk}/")
    if action == "edit":
        return client.post(f"{base}/edit/", _edit_form(case))
    if action == "return":
        return client.post(f"{base}/return/", {"comment": "Legg til kontraktsverdi."})
    return client.post(f"{base}/{action}/")


def _edit_form(case):
    data = {"title": "Endret tittel", "summary": case.summary, "sector": case.sector_id, "language": "nb"}
    for prefix in ("benefits", "links", "contacts"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


@pytest.mark.parametrize(("role", "status", "action"), MATRIX)
def test_web_permission_matrix(role, status, action, cast, case_with_document):
    case, document = case_with_document(status)
    response = _web_request(client_for(cast[role]), case, document, action)
    allowed = action in EXPECTED[role][status]
    case.refresh_from_db()
    if allowed:
        assert response.status_code in (200, 302), response.content[:500]
        if action == "view":
            assert case.title.encode() in response.content
        elif action == "download":
            assert b"".join(response.streaming_content).startswith(b"%PDF")
        elif action == "edit":
            assert response.status_code == 302 and case.title == "Endret tittel"
        else:
            assert case.status == AFTER[action]
    else:
        login_redirect = (role == "anonymous" and response.status_code == 302
                          and "/accounts/login/" in response["Location"])
        assert response.status_code in (403, 404) or login_redirect, response.status_code
        assert case.status == status
        assert case.title != "Endret tittel"


def _api_request(client, case, action):
    base = f"/api/cases/{case.pk}"
    if action == "view":
        return client.get(base)
    if action == "edit":
        return client.patch(base, {"title": "Endret tittel"}, content_type="application/json")
    if action == "return":
        return client.post(f"{base}/return", {"comment": "Legg til kontraktsverdi."}, content_type="application/json")
    return client.post(f"{base}/{action}")


API_MATRIX = [(role, status, action) for role, status, action in MATRIX if action != "download"]


@pytest.mark.parametrize(("role", "status", "action"), API_MATRIX)
def test_api_permission_matrix(role, status, action, cast, make_case, api_client):
    case = make_case(status)
    client = api_client(cast[role])
    response = _api_request(client, case, action)
    assert client.validated == 1  # the response matched the OpenAPI document
    case.refresh_from_db()
    if action in EXPECTED[role][status]:
        assert response.status_code == 200, response.json()
        if action == "edit":
            assert case.title == "Endret tittel"
        elif action != "view":
            assert case.status == AFTER[action] and response.json()["status"] == AFTER[action]
    else:
        expected = {401} if role == "anonymous" and action != "view" else {403, 404}
        assert response.status_code in expected, (response.status_code, response.content)
        assert "detail" in response.json()
        assert case.status == status and case.title != "Endret tittel"


def test_drafts_never_listed_for_others(cast, make_case):
    draft = make_case(Status.DRAFT, title="Hemmelig utkast")
    published = make_case(Status.PUBLISHED, title="Publisert sak")
    for role in ("anonymous", "bob", "dave", "carol"):
        page = client_for(cast[role]).get("/cases/").content.decode()
        assert published.title in page and draft.title not in page
    assert draft in Case.objects.visible_to(cast["alice"])
    assert draft not in Case.objects.visible_to(cast["carol"])


def test_other_municipality_cannot_create_case_for_bergen(cast, api_client, bergen):
    response = api_client(cast["bob"]).post(
        "/api/cases", {"title": "Inntrenger", "summary": "x", "sector": "samferdsel", "lead_buyer": bergen.pk},
        content_type="application/json")
    assert response.status_code == 403
    assert not Case.objects.filter(title="Inntrenger").exists()


def test_suppliers_cannot_write_cases(cast):
    response = client_for(cast["dave"]).get("/cases/new/")
    assert response.status_code == 403


def test_only_curators_see_review_queue(cast, make_case):
    make_case(Status.SUBMITTED, title="Til vurdering")
    assert "Til vurdering" in client_for(cast["carol"]).get("/cases/review/").content.decode()
    assert client_for(cast["alice"]).get("/cases/review/").status_code == 403


ADMIN_ROLES = ["anonymous", "alice", "dave", "carol", "admin"]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_follows_the_same_table(role, status, cast, make_case):
    """The admin is another surface of the same rules: a case's change page opens (and its list shows it)
    only where the table says "view", and saves only where it says "edit"; those outside the admin never
    get in at all."""
    case = make_case(status)
    client = client_for(cast[role])
    in_admin = role in ("carol", "admin")
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    listed = client.get("/admin/cases/case/")
    if not in_admin:
        assert page.status_code in (302, 403) and listed.status_code in (302, 403)
        return
    may_view, may_edit = "view" in EXPECTED[role][status], "edit" in EXPECTED[role][status]
    assert (page.status_code == 200) is may_view, page.status_code
    assert (f"/admin/cases/case/{case.pk}/change/" in listed.content.decode()) is may_view
    if may_view:
        assert ('name="_save"' in page.content.decode()) is may_edit
