"""Log-in with ID-porten (a person) and Ansattporten (a person acting for an organization).

Authlib does the protocol: authorization code flow with PKCE (S256), `state` and `nonce` kept in the
session, the ID token's signature checked against the provider's published keys, and `iss`, `aud`,
`exp`, `nonce` and the required `acr` level checked as claims. This module only decides who the person
is in Delbar: users are keyed by (issuer, subject); an Ansattporten log-in for organization X asks for
the editor role in X, pending its administrators' approval (accounts/actions.py).
"""

import json

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from delbar.accounts.actions import request_membership
from delbar.accounts.models import ExternalIdentity, Membership
from delbar.orgs.models import Organization

# What Delbar asks Ansattporten for: the organizations the person may act for (Digdir's RAR type).
ANSATTPORTEN_DETAILS = [{"type": "ansattporten:altinn:service", "resource": "urn:altinn:resource:delbar-access"}]
# eForms/PEPPOL's scheme for Norwegian organization numbers in Altinn's reportee ids ("0192:922421498").
ORG_NUMBER_SCHEME = "0192:"

_clients: dict[tuple[str, str, str, str], object] = {}


class LoginRefused(Exception):
    """The provider's answer cannot log anyone in; the message says why, for the person."""


def providers() -> dict:
    return settings.OIDC_PROVIDERS


def client(name: str):
    """Authlib's client for the provider as the settings name it now, each in a registry of its own: kept
    per issuer and client, not per name alone, since Authlib's registry keeps the first client of a name.
    A client registered for an earlier issuer fetches that issuer's metadata and keys and refuses every
    token of the new one (`Invalid claim: 'iss'`), as a suite that runs two providers found."""
    conf = providers()[name]
    key = (name, conf["issuer"], conf["client_id"], conf["client_secret"])
    app = _clients.get(key)
    if app is None:
        app = _clients[key] = OAuth().register(
            name, client_id=conf["client_id"], client_secret=conf["client_secret"],
            server_metadata_url=f"{conf['issuer']}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile", "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "client_secret_post"})
    return app


def authorize_redirect(request, name: str, redirect_uri: str):
    extra = {"acr_values": providers()[name]["acr"], "ui_locales": request.LANGUAGE_CODE}
    if name == "ansattporten":
        extra["authorization_details"] = json.dumps(ANSATTPORTEN_DETAILS)
    return client(name).authorize_redirect(request, redirect_uri, **extra)


def verified_claims(request, name: str) -> dict:
    """The ID token's claims after every check, or LoginRefused."""
    conf = providers()[name]
    accepted_acr = conf["accepted_acr"]
    try:
        token = client(name).authorize_access_token(request, claims_options={
            "iss": {"essential": True, "values": [conf["issuer"]]},
            "acr": {"essential": True, "values": accepted_acr},
            "sub": {"essential": True},
        })
    except OAuthError as error:
        raise LoginRefused(error.description or error.error) from error
    except Exception as error:  # a claim that fails validation (authlib.jose's errors) or a bad signature
        raise LoginRefused(str(error)) from error
    return dict(token["userinfo"])


def reportee_org_numbers(claims: dict) -> list[str]:
    """The organization numbers an Ansattporten token says the person acts for."""
    numbers = []
    for detail in claims.get("authorization_details") or []:
        for reportee in detail.get("reportees") or []:
            reportee_id = str(reportee.get("ID", ""))
            if reportee_id.startswith(ORG_NUMBER_SCHEME):
                numbers.append(reportee_id.removeprefix(ORG_NUMBER_SCHEME))
    return numbers


@transaction.atomic
def user_for(*, name: str, claims: dict):
    """The Delbar user behind (issuer, subject), created at the first log-in; for Ansattporten, a request
    to act for each organization Delbar knows among the token's reportees."""
    issuer = providers()[name]["issuer"]
    identity = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=claims["sub"]).first()
    if identity is None:
        user = get_user_model().objects.create_user(username=f"{name}-{get_random_string(12).lower()}")
        user.set_unusable_password()
        user.save()
        identity = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"])
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    if name == "ansattporten":
        for organization in Organization.objects.filter(org_number__in=reportee_org_numbers(claims)):
            request_membership(user=identity.user, organization=organization, source=Membership.Source.ANSATTPORTEN)
    return identity.user
