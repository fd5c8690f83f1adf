"""API authentication: personal tokens sent as `Authorization: Bearer dlb_…`.

Reading endpoints work without a token (they then see what an anonymous visitor sees); a token that
is sent must be valid, so a typo is a 401 and not a quiet downgrade to anonymous."""

from django.contrib.auth.models import AnonymousUser
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from delbar.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.authenticate(token)
        if found is None:
            return None
        request.user = found.user
        return found.user


def current_user(request):
    header = request.headers.get("Authorization", "")
    if not header:
        return AnonymousUser()
    scheme, _, raw = header.partition(" ")
    token = ApiToken.objects.authenticate(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise AuthenticationError()
    return token.user
