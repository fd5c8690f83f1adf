"""The API refuses what the database cannot hold with 422 naming the field, before any query; answers
JSON everywhere under /api/; holds tokens to their scope and expiry; and throttles, guessed tokens
too. One test per finding of the Schemathesis run and the security review that asked for it."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from delbar.accounts.models import ApiToken
from delbar.cases.models import Case, CaseLink, Status
from delbar.diffusion.models import Adoption
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

NEW_CASE = {"title": "Digitalt nattilsyn", "summary": "Kamera og sensorer.", "sector": "helse-omsorg"}


def post_raw(client, path, text):
    """A body as written, for what json.dumps cannot write (1e400) or would rewrite."""
    return client.post(path, text, content_type="application/json")


def problems(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.dumps(response.json()["detail"])


def test_numbers_beyond_what_the_fields_hold_are_422_naming_the_field(cast, api_client):
    client = api_client(cast["alice"])
    body = json.dumps(NEW_CASE)[:-1]
    cases = [
        (', "contract_value_nok": 1e30}', "contract_value_nok"),
        (', "contract_value_nok": 9223372036854775808}', "contract_value_nok"),
        (', "benefits": [{"kind": "money", "description": "Spart", "amount": 1e400}]}', "amount"),
        (', "benefits": [{"kind": "money", "description": "Spart", "amount": NaN}]}', "amount"),
        (', "benefits": [{"kind": "money", "description": "Spart", "amount": 1e13}]}', "amount"),  # 14 digits
        (', "year": 0}', "year"),
        (', "lead_buyer": 100000000000000000000}', "lead_buyer"),
        (', "partner_buyers": [100000000000000000000]}', "partner_buyers"),
    ]
    for tail, field in cases:
        response = post_raw(client, "/api/cases", body + tail)
        assert response.status_code == 422, (tail, response.content)
        assert field in problems(response), tail
    need = {"title": "Fall", "description": "Varsling om natta.", "budget_max_nok": 2**63}
    response = client.post("/api/needs", need, content_type="application/json")
    assert response.status_code == 422 and "budget_max_nok" in problems(response)
    assert not Case.objects.exists()


def test_a_body_must_be_a_json_object(cast, make_case, api_client):
    # ninja read attributes of anything, so `[null, null]` was a PATCH that changed nothing: 200.
    draft = make_case()
    client = api_client(cast["alice"])
    for body in ("[null, null]", "5", '"title"'):
        response = client.patch(f"/api/cases/{draft.pk}", body, content_type="application/json")
        assert response.status_code == 422 and "JSON object" in problems(response), body
    response = post_raw(client, "/api/cases", json.dumps(NEW_CASE)[:-1] + ', "benefits": [5]}')
    assert response.status_code == 422 and "JSON object" in problems(response)
    assert Case.objects.get().revisions.count() == 1


def test_ids_out_of_range_are_a_json_404(db, client):
    for path in ["/api/cases/100000000000000000000", "/api/cases/9223372036854775808", "/api/cases/0",
                 "/api/organizations/100000000000000000000", "/api/notices/100000000000000000000/",
                 "/api/needs/100000000000000000000/matches", "/api/cases/abc"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json; charset=utf-8", path
        assert response.json()["detail"], path
    # The largest id either database holds is looked for, and not found.
    assert client.get(f"/api/cases/{2**63 - 1}").json()["detail"] == "No such case, or you may not see it."


def test_page_numbers_out_of_range_are_422(db, api_client):
    client = api_client()
    for path in ["/api/cases", "/api/needs", "/api/notices", "/api/organizations", "/api/reference/cpv"]:
        for page in (0, 2**63, 10**20):
            response = client.get(path, {"page": page})
            assert response.status_code == 422, (path, page)
            assert "page" in problems(response)
    # In range but past the end: an empty page or a 422 saying how many there are, never a query
    # with an offset the database cannot hold.
    assert client.get("/api/organizations", {"page": 2**63 - 1}).json()["items"] == []
    assert client.get("/api/cases", {"page": 2**63 - 1}).status_code == 422
    assert client.get("/api/search", {"offset": 10**20}).status_code == 422


def test_nul_characters_are_refused_everywhere(cast, api_client):
    # PostgreSQL cannot store them and SQLite stores them silently: both databases answer 422.
    client = api_client(cast["alice"])
    response = client.post("/api/cases", {**NEW_CASE, "title": "Robot\x00"}, content_type="application/json")
    assert response.status_code == 422 and "title" in problems(response)
    for tail in (', "links": [{"url": "https://example.no/", "title": "a\\u0000"}]}',
                 ', "contacts": [{"name": "Per\\u0000", "consent": true}]}'):
        assert post_raw(client, "/api/cases", json.dumps(NEW_CASE)[:-1] + tail).status_code == 422
    for path in ["/api/search", "/api/cases", "/api/needs", "/api/notices", "/api/organizations"]:
        response = client.get(path, {"q": "robot\x00"})
        assert response.status_code == 422 and "q" in problems(response), path
    assert not Case.objects.exists()


def test_urls_longer_than_the_field_are_422(cast, api_client):
    # SQLite stored 5,000 characters in a 500-character column and PostgreSQL failed with 500.
    client = api_client(cast["alice"])
    long_url = "https://example.no/" + "a" * 5000
    response = client.post("/api/cases", {**NEW_CASE, "links": [{"url": long_url}]}, content_type="application/json")
    assert response.status_code == 422 and "url" in problems(response)
    fits = "https://example.no/" + "a" * (500 - len("https://example.no/"))
    response = client.post("/api/cases", {**NEW_CASE, "links": [{"url": fits}]}, content_type="application/json")
    assert response.status_code == 201 and CaseLink.objects.get().url == fits


def test_evidence_urls_longer_than_the_field_are_422(cast, make_case, api_client):
    case = make_case(Status.PUBLISHED)
    declaration = {"adopted_on": timezone.localdate().isoformat(), "evidence_url": "https://example.no/" + "a" * 600}
    response = api_client(cast["bob"]).post(f"/api/cases/{case.pk}/adoptions", declaration,
                                            content_type="application/json")
    assert response.status_code == 422 and "evidence_url" in problems(response)
    assert not Adoption.objects.exists()


def test_unknown_paths_and_methods_under_api_are_json(db, client):
    for path in ["/api/nope", "/api/", "/api/cases/", "/api/cases/1/nope", "/api/observatory/ø"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json; charset=utf-8", path
        assert "No such path" in response.json()["detail"] or path.startswith("/api/observatory"), path
    # Any method: a POST without a CSRF cookie is a JSON 404 too, not Django's CSRF page.
    response = Client(enforce_csrf_checks=True).post("/api/nope", {"a": 1}, content_type="application/json")
    assert response.status_code == 404 and response.json()["detail"].startswith("No such path")
    response = client.delete("/api/cases")
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
    assert response.json()["detail"] == "DELETE is not allowed here. Allowed: GET, POST."


def test_errors_are_json_with_a_reason(cast, make_case, api_client):
    anonymous = api_client()
    missing = anonymous.get("/api/organizations/999999")
    assert missing.status_code == 404 and missing.json()["detail"]
    draft = make_case()
    assert api_client(cast["bob"]).post(f"/api/cases/{draft.pk}/submit").json()["detail"]
    refused = anonymous.post("/api/cases", NEW_CASE, content_type="application/json")
    assert refused.status_code == 401 and "personal token" in refused.json()["detail"]
    assert refused["WWW-Authenticate"].startswith("Bearer")
    broken = api_client(cast["alice"]).post("/api/cases", "{broken", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"].startswith("Cannot parse request body")


def test_a_bug_is_a_json_500(db, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr("delbar.api.reference.County.objects.all", broken)
    response = Client(raise_request_exception=False).get("/api/reference/counties")
    assert response.status_code == 500 and response.json() == {"detail": "Server error. It has been logged."}


def test_filters_have_documented_ranges(db, api_client):
    # year=0 was refused with a schema that allowed it; now the document says 1990–2100.
    client = api_client()
    for year in (1990, 2100):
        assert client.get("/api/cases", {"year": year}).status_code == 200
    for path in ["/api/cases", "/api/search", "/api/notices"]:
        for year in (0, 1989, 2101, 10**20):
            response = client.get(path, {"year": year})
            assert response.status_code == 422 and "year" in problems(response), (path, year)
    assert client.get("/api/observatory", {"since": 0}).status_code == 422
    assert client.get("/api/search", {"cpv": "4"}).status_code == 422
    assert client.get("/api/cases", {"county": "four"}).status_code == 422
    assert client.get("/api/cases", {"county": ""}).status_code == 200
    assert client.get("/api/needs/1/matches", {"kind": "person"}).status_code == 422
    assert client.get("/api/organizations", {"q": "x" * 201}).status_code == 422


def test_a_read_token_may_only_read(cast, make_case, openapi):
    draft = make_case()
    raw = ApiToken.issue(user=cast["alice"], name="rapport", scope=ApiToken.Scope.READ)[1]
    client = ApiClient(openapi, raw)
    assert client.get(f"/api/cases/{draft.pk}").status_code == 200  # Alice's draft: the token is hers
    assert client.get("/api/cases/mine").status_code == 200
    for response in [client.post("/api/cases", NEW_CASE, content_type="application/json"),
                     client.patch(f"/api/cases/{draft.pk}", {"title": "Endret"}, content_type="application/json"),
                     client.post(f"/api/cases/{draft.pk}/submit")]:
        assert response.status_code == 403 and response.json()["detail"] == "This token may only read."
    assert Case.objects.get().title == draft.title and Case.objects.get().status == Status.DRAFT


def test_an_expired_token_is_401_with_the_reason(cast, openapi):
    token, raw = ApiToken.issue(user=cast["alice"], name="gammel")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    for response in [ApiClient(openapi, raw).get("/api/cases"), ApiClient(openapi, raw).get("/api/cases/mine")]:
        assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_requests_are_throttled_with_retry_after(cast, settings, api_client):
    settings.DELBAR_API_ANONYMOUS_RATE = "3/m"
    settings.DELBAR_API_TOKEN_RATE = "5/m"
    anonymous = api_client()
    assert [anonymous.get("/api/reference/sectors").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = anonymous.get("/api/cases")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60 and refused.json()["detail"]
    # A forged X-Forwarded-For is no new address (no proxy is trusted unless NINJA_NUM_PROXIES says so).
    assert anonymous.get("/api/cases", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    alice = api_client(cast["alice"])  # counted per account, not with the anonymous visitors
    assert [alice.get("/api/cases/mine").status_code for _ in range(6)] == [200] * 5 + [429]


def test_guessing_tokens_gets_429(cast, settings, openapi):
    settings.DELBAR_API_FAILED_TOKEN_RATE = "3/m"
    raw = ApiToken.issue(user=cast["alice"], name="ekte")[1]
    guesses = [ApiClient(openapi, f"dlb_guess{n}").get("/api/cases/mine").status_code for n in range(3)]
    assert guesses == [401, 401, 401]
    # Past the limit, every token from that address waits, the right one too.
    for response in [ApiClient(openapi, "dlb_guess4").post("/api/cases", NEW_CASE, content_type="application/json"),
                     ApiClient(openapi, raw).get("/api/search")]:
        assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert ApiClient(openapi, raw).get("/api/search", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_long_word_is_indexed_on_both_databases(cast, api_client):
    # An identifier, a hash or a pasted token in a text can be one word of more than 100 characters.
    summary = "Avtalen har sjekksummen " + "9f86d081884c7d659a2feaa0c55ad015" * 4
    client = api_client(cast["alice"])
    response = client.post("/api/cases", {**NEW_CASE, "summary": summary}, content_type="application/json")
    assert response.status_code == 201
