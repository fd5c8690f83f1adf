"""API authentication: personal tokens sent as `Authorization: Bearer dlb_…`. Every rule about tokens
is here, and every operation passes through one of the two classes below:

| request                                            | answer                                  |
|----------------------------------------------------|-----------------------------------------|
| no token, to a reading operation (TokenIfAny)       | served as to an anonymous visitor       |
| no token, to an operation that needs one (TokenAuth) | 401 "This needs a personal token…"      |
| an unknown token, or not a Bearer header            | 401, and counted against the address    |
| an expired token                                    | 401 saying when it expired              |
| a read token, with POST, PUT, PATCH or DELETE       | 403 "This token may only read."         |
| any token from an address past the refused-token limit | 429 with Retry-After (throttling.py) |

A token that is sent must be valid, so a typo is a 401 and not a quiet downgrade to anonymous."""

import math

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.errors import AuthenticationError, AuthorizationError, Throttled
from ninja.security import HttpBearer

from delbar.accounts.models import ApiToken, hash_token
from delbar.api.throttling import FailedTokenThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
NEEDS_TOKEN = "This needs a personal token, sent as Authorization: Bearer dlb_… (make one on your profile page)."


def _user_for_token(request):
    """The user of the request's token, or an HttpError saying why not."""
    failures = FailedTokenThrottle()
    if failures.blocked(request):
        raise Throttled(wait=math.ceil(failures.wait()))
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    token = ApiToken.objects.authenticate(raw) if scheme.lower() == "bearer" and raw else None
    if token is None:
        expired_at = (ApiToken.objects.filter(key_hash=hash_token(raw), expires_at__lte=timezone.now())
                      .values_list("expires_at", flat=True).first()) if raw else None
        if expired_at is not None:
            raise AuthenticationError(message=f"This token expired on {expired_at:%Y-%m-%d}. "
                                              "Make a new one on your profile page.")
        failures.count(request)
        raise AuthenticationError(message="Unknown token. Send a personal token as Authorization: Bearer dlb_….")
    if request.method not in SAFE_METHODS and not token.can_write:
        raise AuthorizationError(message="This token may only read.")
    request.user = token.user
    return token.user


class TokenAuth(HttpBearer):
    """Operations that need a token: writing, and what only a member sees (/api/cases/mine)."""

    def __call__(self, request):
        if "Authorization" not in request.headers:
            raise AuthenticationError(message=NEEDS_TOKEN)
        return _user_for_token(request)

    def authenticate(self, request, token):  # HttpBearer's hook; __call__ above does the work
        return _user_for_token(request)


class TokenIfAny(HttpBearer):
    """Reading: anyone may, and with a token sees what its user may see. The API's default.

    The OpenAPI document shows it as TokenAuth or nothing (urls.py)."""

    def __call__(self, request):
        if "Authorization" not in request.headers:
            return AnonymousUser()
        return _user_for_token(request)

    def authenticate(self, request, token):
        return _user_for_token(request)
