"""The local ID-porten/Ansattporten provider (devtools/oidc-provider) driven as a relying party would:
discovery, authorization code flow with PKCE, the login form, the token exchange and the ID token's
signature and claims. Plain HTTP with httpx; no browser, no Django views, no database."""

import base64
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc_provider import oidc_provider_fixture  # noqa: F401  (the session fixture oidc_provider)

ANSATTPORTEN_CALLBACK = "http://127.0.0.1:8000/accounts/oidc/ansattporten/callback/"
IDPORTEN_CALLBACK = "http://127.0.0.1:8000/accounts/oidc/idporten/callback/"
DELBAR_ACCESS = [{"type": "ansattporten:altinn:service", "resource": "urn:altinn:resource:delbar-access"}]
NORA_PID = "05899931884"
INGRID_PID = "14837841276"
LYNGDAL = "922421498"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def discover(issuer: str) -> dict:
    response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    return response.json()


def follow_to(browser: httpx.Client, response: httpx.Response, callback: str) -> dict[str, str]:
    """Follows the provider's redirects until one points at the callback; returns its query. The
    callback itself is never requested (no relying party runs in these tests)."""
    for _ in range(5):
        assert response.status_code in (302, 303), response.text
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(callback):
            return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
        response = browser.get(location)
    raise AssertionError("the provider never redirected to the callback")


def login_page(browser: httpx.Client, config: dict, params: dict) -> httpx.Response:
    """Sends the authorization request and returns the provider's login page."""
    response = browser.get(config["authorization_endpoint"], params=params)
    assert response.status_code in (302, 303), response.text
    page = browser.get(urljoin(str(response.url), response.headers["location"]))
    assert page.status_code == 200
    return page


def submit(browser: httpx.Client, page: httpx.Response, form: dict) -> httpx.Response:
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    return browser.post(urljoin(str(page.url), action), data=form)


def authorization_params(client_id: str, callback: str, challenge: str, **extra) -> dict:
    return {
        "response_type": "code", "client_id": client_id, "redirect_uri": callback, "scope": "openid",
        "state": secrets.token_urlsafe(16), "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge, "code_challenge_method": "S256", **extra,
    }


def verified_claims(config: dict, id_token: str, client_id: str, nonce: str) -> dict:
    """Checks the ID token's RS256 signature against the published JWKS and its standard claims."""
    keys = KeySet.import_key_set(httpx.get(config["jwks_uri"], timeout=10).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": config["issuer"]},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(token.claims)
    return token.claims


@pytest.mark.parametrize("kind", ["idporten", "ansattporten"])
def test_discovery_looks_like_digdirs(oidc_provider, kind):
    config = discover(oidc_provider.issuer(kind))
    assert config["issuer"] == oidc_provider.issuer(kind)
    assert config["response_types_supported"] == ["code"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["acr_values_supported"] == ["idporten-loa-substantial", "idporten-loa-high"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"client_secret_post", "client_secret_basic"} <= set(config["token_endpoint_auth_methods_supported"])
    assert {"pid", "locale"} <= set(config["claims_supported"])
    keys = httpx.get(config["jwks_uri"], timeout=10).json()["keys"]
    assert [(key["kty"], key["alg"], "d" in key) for key in keys] == [("RSA", "RS256", False)]
    if kind == "ansattporten":
        assert "ansattporten:altinn:service" in config["authorization_details_types_supported"]


def test_ansattporten_code_flow_as_nora_for_lyngdal(oidc_provider):
    config = discover(oidc_provider.ansattporten_issuer)
    client_id, client_secret = oidc_provider.client("ansattporten")
    verifier, challenge = pkce_pair()
    params = authorization_params(client_id, ANSATTPORTEN_CALLBACK, challenge, acr_values="idporten-loa-high",
                                  ui_locales="nn", authorization_details=json.dumps(DELBAR_ACCESS))
    with httpx.Client(timeout=10) as browser:
        page = login_page(browser, config, params)
        assert '<html lang="nb">' in page.text
        assert f'value="nora:{LYNGDAL}"' in page.text  # the organization chooser
        assert 'value="idporten-loa-substantial"' not in page.text  # high was asked for
        assert '<label for="acr-idporten-loa-high">' in page.text
        callback = follow_to(browser, submit(browser, page, {"acr": "idporten-loa-high", "login": f"nora:{LYNGDAL}"}),
                             ANSATTPORTEN_CALLBACK)
    assert callback["state"] == params["state"]
    assert callback["iss"] == oidc_provider.ansattporten_issuer

    response = httpx.post(config["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": callback["code"], "redirect_uri": ANSATTPORTEN_CALLBACK,
        "code_verifier": verifier, "client_id": client_id, "client_secret": client_secret,
    })
    assert response.status_code == 200, response.text
    tokens = response.json()
    claims = verified_claims(config, tokens["id_token"], client_id, params["nonce"])

    assert claims["iss"] == oidc_provider.ansattporten_issuer
    assert claims["aud"] == client_id
    assert claims["acr"] == "idporten-loa-high"
    assert claims["amr"] == ["TestID"]
    assert claims["pid"] == NORA_PID
    assert claims["locale"] == "nn"
    assert not {"name", "given_name", "family_name"} & set(claims)
    [detail] = claims["authorization_details"]
    assert detail["type"] == "ansattporten:altinn:service"
    assert detail["resource"] == "urn:altinn:resource:delbar-access"
    [reportee] = detail["reportees"]
    assert reportee["ID"] == f"0192:{LYNGDAL}"
    assert reportee["Authority"] == "iso6523-actorid-upis"
    assert reportee["Name"] == "LYNGDAL KOMMUNE"
    assert reportee["Rights"] == ["Read", "Write"]
    # As Ansattporten does, the token response and userinfo carry the same authorization_details.
    assert tokens["authorization_details"] == claims["authorization_details"]
    userinfo = httpx.get(config["userinfo_endpoint"], timeout=10,
                         headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["pid"] == NORA_PID
    assert userinfo["authorization_details"] == claims["authorization_details"]


def test_idporten_code_flow_with_client_secret_basic(oidc_provider):
    config = discover(oidc_provider.idporten_issuer)
    client_id, client_secret = oidc_provider.client("idporten")
    verifier, challenge = pkce_pair()
    params = authorization_params(client_id, IDPORTEN_CALLBACK, challenge)  # no acr_values: acr all the same
    with httpx.Client(timeout=10) as browser:
        page = login_page(browser, config, params)
        assert 'value="ingrid"' in page.text and "Ingrid Lyngdal" in page.text
        callback = follow_to(browser, submit(browser, page, {"acr": "idporten-loa-substantial", "login": "ingrid"}),
                             IDPORTEN_CALLBACK)
    assert callback["state"] == params["state"]
    response = httpx.post(config["token_endpoint"], timeout=10, auth=(client_id, client_secret), data={
        "grant_type": "authorization_code", "code": callback["code"], "redirect_uri": IDPORTEN_CALLBACK,
        "code_verifier": verifier,
    })
    assert response.status_code == 200, response.text
    claims = verified_claims(config, response.json()["id_token"], client_id, params["nonce"])
    assert claims["acr"] == "idporten-loa-substantial"
    assert claims["amr"] == ["TestID"] and claims["auth_time"] <= claims["iat"]
    assert claims["pid"] == INGRID_PID
    assert claims["locale"] == "nb"
    assert "authorization_details" not in claims and "authorization_details" not in response.json()


def test_authorization_request_without_pkce_is_refused(oidc_provider):
    config = discover(oidc_provider.idporten_issuer)
    params = authorization_params(oidc_provider.idporten_client_id, IDPORTEN_CALLBACK, "unused")
    del params["code_challenge"], params["code_challenge_method"]
    with httpx.Client(timeout=10) as browser:
        error = follow_to(browser, browser.get(config["authorization_endpoint"], params=params), IDPORTEN_CALLBACK)
    assert error["error"] == "invalid_request"
    assert "PKCE" in error["error_description"]
    assert error["state"] == params["state"]
    assert "code" not in error


def test_wrong_code_verifier_is_refused(oidc_provider):
    config = discover(oidc_provider.ansattporten_issuer)
    client_id, client_secret = oidc_provider.client("ansattporten")
    _verifier, challenge = pkce_pair()
    params = authorization_params(client_id, ANSATTPORTEN_CALLBACK, challenge)
    with httpx.Client(timeout=10) as browser:
        page = login_page(browser, config, params)
        callback = follow_to(browser, submit(browser, page, {"acr": "idporten-loa-substantial", "login": "ola"}),
                             ANSATTPORTEN_CALLBACK)
    response = httpx.post(config["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": callback["code"], "redirect_uri": ANSATTPORTEN_CALLBACK,
        "code_verifier": pkce_pair()[0], "client_id": client_id, "client_secret": client_secret,
    })
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_lower_level_than_requested_is_refused(oidc_provider):
    config = discover(oidc_provider.idporten_issuer)
    _verifier, challenge = pkce_pair()
    params = authorization_params(oidc_provider.idporten_client_id, IDPORTEN_CALLBACK, challenge,
                                  acr_values="idporten-loa-high")
    with httpx.Client(timeout=10) as browser:
        page = login_page(browser, config, params)
        refused = submit(browser, page, {"acr": "idporten-loa-substantial", "login": "per"})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text


def test_any_loopback_redirect_uri_is_accepted_but_no_other(oidc_provider):
    """So a relying party on live_server's run-time port can use the provider; dev only."""
    config = discover(oidc_provider.idporten_issuer)
    _verifier, challenge = pkce_pair()
    with httpx.Client(timeout=10) as browser:
        loopback = browser.get(config["authorization_endpoint"], params=authorization_params(
            oidc_provider.idporten_client_id, "http://localhost:54321/accounts/oidc/idporten/callback/", challenge))
        assert loopback.status_code == 303
        assert "/idporten/interaction/" in loopback.headers["location"]
        elsewhere = browser.get(config["authorization_endpoint"], params=authorization_params(
            oidc_provider.idporten_client_id, "https://delbar.example/callback/", challenge))
    assert elsewhere.status_code == 400
    assert "location" not in elsewhere.headers
    assert "invalid_redirect_uri" in elsewhere.text
