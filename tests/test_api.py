"""The JSON API: reading without a token, writing with one, and the committed OpenAPI document."""

import json

from delbar.accounts.models import ApiToken
from delbar.api.management.commands.openapi import COMMITTED, openapi_text
from delbar.cases.models import Case, Status


def test_committed_openapi_document_matches_the_code():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), "run `delbar openapi` and commit docs/openapi.json"


def test_openapi_and_docs_are_served(client):
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Delbar API"
    assert client.get("/api/docs").status_code == 200


def test_list_filters_and_paginates_published_cases(cast, make_case, api_client):
    make_case(Status.PUBLISHED, title="Ferje", outcome="success", year=2020)
    make_case(Status.PUBLISHED, title="Robot", outcome="failed", year=2021)
    make_case(Status.DRAFT, title="Utkast")
    client = api_client()
    body = client.get("/api/cases").json()
    assert body["count"] == 2 and {item["title"] for item in body["items"]} == {"Ferje", "Robot"}
    assert [item["title"] for item in client.get("/api/cases?outcome=failed").json()["items"]] == ["Robot"]
    assert client.get("/api/cases?county=46").json()["count"] == 2
    assert client.get("/api/cases?county=03").json()["count"] == 0
    bad = client.get("/api/cases?outcome=great")
    assert bad.status_code == 422
    assert client.get("/api/cases?page=2").status_code == 422  # two cases fit on page 1
    assert client.get("/api/cases?page=0").status_code == 422


def test_create_update_submit_with_token(cast, api_client, bergen):
    client = api_client(cast["alice"])
    created = client.post("/api/cases", {
        "title": "Digitalt nattilsyn", "summary": "Kamera og sensorer.", "sector": "helse-omsorg",
        "cpv": ["85312000"], "other_sectors": ["administrasjon-digitalisering"],
        "benefits": [{"kind": "time", "description": "Spart kjøring", "amount": "25", "unit": "timer/uke"}],
        "contacts": [{"name": "Per Eksempel", "email": "per@example.no", "consent": True}],
        "links": [{"kind": "web", "url": "https://example.no/nattilsyn"}],
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["lead_buyer"]["id"] == bergen.pk and body["cpv"] == ["85312000"]
    case_id = body["id"]
    patched = client.patch(f"/api/cases/{case_id}", {"outcome": "success", "year": 2022},
                           content_type="application/json")
    assert patched.json()["outcome"] == "success" and patched.json()["title"] == "Digitalt nattilsyn"
    assert client.post(f"/api/cases/{case_id}/submit").json()["status"] == "submitted"
    assert client.post(f"/api/cases/{case_id}/submit").status_code in (403, 409)
    assert Case.objects.get(pk=case_id).revisions.count() == 3


def test_bad_bodies_get_4xx_with_a_reason(cast, api_client):
    client = api_client(cast["alice"])
    cases = [
        ({"title": "X", "summary": "Y", "sector": "romfart"}, "Unknown sector"),
        ({"title": "X", "summary": "Y", "sector": "samferdsel", "cpv": ["99999999"]}, "Unknown CPV code"),
        ({"title": "X", "summary": "Y", "sector": "samferdsel", "contacts": [{"name": "A", "consent": False}]}, ""),
        ({"title": "", "summary": "Y", "sector": "samferdsel"}, ""),
        ({"title": "X", "summary": "Y", "sector": "samferdsel", "contacts": [{"name": "A", "email": "nope",
                                                                              "consent": True}]}, "e-mail"),
    ]
    for payload, reason in cases:
        response = client.post("/api/cases", payload, content_type="application/json")
        assert response.status_code == 422, payload
        assert reason in json.dumps(response.json())
    broken = client.post("/api/cases", "{broken", content_type="application/json")
    assert 400 <= broken.status_code < 500
    assert not Case.objects.exists()


def test_invalid_token_is_401_not_anonymous(db, openapi):
    from tests.conftest import ApiClient

    client = ApiClient(openapi, token="dlb_not-a-real-token")
    assert client.get("/api/cases").status_code == 401


def test_tokens_store_only_a_hash(cast):
    token, raw = ApiToken.issue(user=cast["alice"], name="skript")
    assert raw.startswith("dlb_") and raw not in token.key_hash
    assert ApiToken.objects.authenticate(raw).user == cast["alice"]
    assert ApiToken.objects.authenticate(raw + "x") is None


def test_reference_data_endpoints(db, api_client):
    client = api_client()
    assert len(client.get("/api/reference/counties").json()) == 15
    assert len(client.get("/api/reference/sectors").json()) == 8
    cpv = client.get("/api/reference/cpv?q=34512000").json()
    assert cpv["items"][0]["name_nb"].startswith("Skip")
    orgs = client.get("/api/organizations?kind=municipality").json()
    assert orgs["count"] == 357
    karasjok = client.get("/api/organizations?q=5610").json()["items"][0]
    assert karasjok["official_name"] == "Kárášjohka - Karasjok" and karasjok["size_class"] == "small"
    assert client.get("/api/organizations/999999").status_code == 404
