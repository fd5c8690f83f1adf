"""Log-in with ID-porten and Ansattporten, against a real OpenID provider running locally
(devtools/oidc-provider, panva's certified oidc-provider): Delbar's views, Authlib's checks, users keyed
by (issuer, subject), and the membership an Ansattporten log-in asks for."""

import re
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.test import Client

from delbar.accounts import oidc
from delbar.accounts.models import ExternalIdentity, Membership, Role
from delbar.accounts.roles import roles_of
from delbar.audit.models import AuditEvent
from tests.conftest import client_for
from tests.oidc_provider import oidc_provider_fixture  # noqa: F401

LYNGDAL_ORG_NUMBER = "922421498"


@pytest.fixture
def providers(settings, oidc_provider, lyngdal):
    lyngdal.org_number = LYNGDAL_ORG_NUMBER
    lyngdal.save(update_fields=["org_number"])
    settings.OIDC_PROVIDERS = {}
    for name, label in (("idporten", "ID-porten"), ("ansattporten", "Ansattporten")):
        client_id, secret = oidc_provider.client(name)
        settings.OIDC_PROVIDERS[name] = {
            "label": label, "issuer": oidc_provider.issuer(name), "acr": "idporten-loa-substantial",
            "accepted_acr": ["idporten-loa-high", "idporten-loa-substantial"],
            "client_id": client_id, "client_secret": secret}
    return settings.OIDC_PROVIDERS


def log_in_at_provider(client: Client, name: str, login: str, acr: str = "idporten-loa-substantial",
                       tamper=None):
    """Starts the log-in in Delbar, logs in at the provider as a person would, and returns Delbar's answer
    to the callback. `tamper` may change the callback's query first (an attacker's replay, say)."""
    start = client.get(f"/accounts/oidc/{name}/login/")
    assert start.status_code == 302
    with httpx.Client(timeout=10) as browser:
        response = browser.get(start["Location"])
        page = browser.get(urljoin(str(response.url), response.headers["location"]))
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        choice = next(value for value in re.findall(r'name="login" value="([^"]+)"', page.text)
                      if value.split(":")[0] == login)
        response = browser.post(urljoin(str(page.url), action), data={"acr": acr, "login": choice})
        for _ in range(5):
            location = urljoin(str(response.url), response.headers["location"])
            if "/accounts/oidc/" in location:
                break
            response = browser.get(location)
    parts = urlsplit(location)
    query = tamper(parts.query) if tamper else parts.query
    return client.get(f"{parts.path}?{query}")


def refusal(response) -> list[str]:
    """Why Delbar refused a log-in, as it told the person: the message shown on the log-in page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_ansattporten_log_in_asks_to_act_for_lyngdal_and_its_administrator_approves(db, providers, cast, lyngdal):
    lyngdal_admin = cast["bob"]
    Membership.objects.filter(user=lyngdal_admin, organization=lyngdal).update(role=Role.ORG_ADMIN)
    client = Client(SERVER_NAME="127.0.0.1")
    response = log_in_at_provider(client, "ansattporten", "nora")
    assert (response.status_code, response["Location"]) == (302, "/my/"), refusal(response)
    identity = ExternalIdentity.objects.get(issuer=providers["ansattporten"]["issuer"])
    nora = identity.user
    assert not nora.has_usable_password()
    membership = Membership.objects.get(user=nora, organization=lyngdal)
    assert membership.is_pending and membership.source == Membership.Source.ANSATTPORTEN
    assert client.get("/cases/new/").status_code == 403  # nothing until Lyngdal says yes
    assert lyngdal_admin.notifications.filter(event=f"membership-request:{membership.pk}").exists()

    client_for(lyngdal_admin).post(f"/memberships/{membership.pk}/approve/")
    membership.refresh_from_db()
    assert not membership.is_pending
    assert client.get("/cases/new/").status_code == 200  # no second factor asked: ID-porten gave two
    assert AuditEvent.objects.filter(action="membership.approve", object_id=str(lyngdal.pk)).exists()

    # The same person again is the same user, and asks for nothing twice.
    again = log_in_at_provider(Client(SERVER_NAME="127.0.0.1"), "ansattporten", "nora")
    assert again.status_code == 302
    assert ExternalIdentity.objects.count() == 1 and Membership.objects.filter(user=nora).count() == 1


def test_idporten_log_in_is_a_person_without_an_organization(db, providers, cast):
    client = Client(SERVER_NAME="127.0.0.1")
    response = log_in_at_provider(client, "idporten", "ola")
    assert response.status_code == 302
    user = ExternalIdentity.objects.get(issuer=providers["idporten"]["issuer"]).user
    assert not user.memberships.exists() and roles_of(user).member_org_ids == set()
    assert client.get("/accounts/profile/").status_code == 200


def test_a_level_below_the_required_one_is_refused(db, providers, settings):
    settings.OIDC_PROVIDERS["idporten"]["acr"] = "idporten-loa-high"
    settings.OIDC_PROVIDERS["idporten"]["accepted_acr"] = ["idporten-loa-high"]
    client = Client(SERVER_NAME="127.0.0.1")
    response = log_in_at_provider(client, "idporten", "ola", acr="idporten-loa-high")
    assert (response.status_code, response["Location"]) == (302, "/my/"), refusal(response)
    # The provider would not issue a lower level than asked; a relying party asking for less and getting
    # "substantial" where it requires "high" must refuse on its own check.
    settings.OIDC_PROVIDERS["idporten"]["acr"] = "idporten-loa-substantial"
    refused_client = Client(SERVER_NAME="127.0.0.1")
    refused = log_in_at_provider(refused_client, "idporten", "per", acr="idporten-loa-substantial")
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/login/")
    assert refused_client.get("/accounts/profile/").status_code == 302
    assert ExternalIdentity.objects.count() == 1


def test_a_provider_moved_in_the_settings_is_asked_at_its_new_address(db, providers, settings):
    # A client first made for an address where nothing answers, as an earlier configuration would leave it.
    moved = settings.OIDC_PROVIDERS["idporten"]
    settings.OIDC_PROVIDERS = {**settings.OIDC_PROVIDERS,
                               "idporten": {**moved, "issuer": "http://127.0.0.1:9/idporten"}}
    stale = oidc.client("idporten")
    settings.OIDC_PROVIDERS = {**settings.OIDC_PROVIDERS, "idporten": moved}
    assert oidc.client("idporten") is not stale
    client = Client(SERVER_NAME="127.0.0.1")
    response = log_in_at_provider(client, "idporten", "ola")
    assert (response.status_code, response["Location"]) == (302, "/my/"), refusal(response)
    assert ExternalIdentity.objects.filter(issuer=moved["issuer"]).exists()


def test_a_forged_or_replayed_state_is_refused(db, providers):
    client = Client(SERVER_NAME="127.0.0.1")
    response = log_in_at_provider(client, "idporten", "ola",
                                  tamper=lambda query: re.sub(r"state=[^&]+", "state=forged", query))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/profile/").status_code == 302
    assert not ExternalIdentity.objects.exists()


def test_unknown_provider_is_404(db, providers):
    assert Client().get("/accounts/oidc/facebook/login/").status_code == 404
