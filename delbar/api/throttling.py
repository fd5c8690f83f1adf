"""Rate limits for the whole API: django-ninja's throttles, counting in Django's cache (shared by every
process when CACHE_URL is set), with rates read from settings at each request.

| who                              | limit (setting, default)                 | counted per           |
|----------------------------------|------------------------------------------|-----------------------|
| anonymous visitors               | DELBAR_API_ANONYMOUS_RATE, 60/m          | address               |
| requests with a valid token      | DELBAR_API_TOKEN_RATE, 600/m             | account               |
| refused tokens (guessing)        | DELBAR_API_FAILED_TOKEN_RATE, 10/m       | address               |

Over a limit the answer is 429 with Retry-After. Past the refused-token limit every token from that
address is refused until the window has passed (auth.py), so guessing tokens gets nowhere.

The address is REMOTE_ADDR. ninja would believe all of X-Forwarded-For when NINJA_NUM_PROXIES is
unset, which lets a client name its own address and start afresh with each request; Delbar believes
it only as far as NINJA_NUM_PROXIES proxies of its own stand in front (1 behind one reverse proxy)."""

import math

from django.conf import settings
from ninja.throttling import SimpleRateThrottle


def client_address(request) -> str:
    proxies = getattr(settings, "NINJA_NUM_PROXIES", None)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return request.META.get("REMOTE_ADDR", "")
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))]


def _is_authenticated(request) -> bool:
    user = getattr(request, "auth", None)
    return bool(user is not None and user.is_authenticated)


class SettingsRateThrottle(SimpleRateThrottle):
    """A ninja throttle whose rate comes from a Django setting at each request (ninja reads it once, at
    start-up), so an operator's change, or a test's, takes effect at once."""

    setting = ""
    default = ""

    def __init__(self):
        self.read_rate()

    def read_rate(self) -> None:
        self.rate = getattr(settings, self.setting, self.default)
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request) -> bool:
        self.read_rate()
        return super().allow_request(request)

    def get_ident(self, request) -> str:
        return client_address(request)

    def wait(self) -> float:
        # ninja gives no wait when more requests than the limit were counted (a rate lowered meanwhile);
        # a 429 always says when to come back.
        return max(1, math.ceil(super().wait() or self.duration))


class AnonymousRateThrottle(SettingsRateThrottle):
    scope = "api-anonymous"
    setting = "DELBAR_API_ANONYMOUS_RATE"
    default = "60/m"

    def get_cache_key(self, request) -> str | None:
        if _is_authenticated(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRateThrottle(SettingsRateThrottle):
    scope = "api-token"
    setting = "DELBAR_API_TOKEN_RATE"
    default = "600/m"

    def get_cache_key(self, request) -> str | None:
        if not _is_authenticated(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class FailedTokenThrottle(SettingsRateThrottle):
    """Refused tokens per address. Not one of the API's throttles (those run after authentication, and a
    refused token never gets there): auth.py asks it before looking a token up, and counts each refusal.
    Make one per request: it keeps the request's count on itself."""

    scope = "api-failed-token"
    setting = "DELBAR_API_FAILED_TOKEN_RATE"
    default = "10/m"

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.read_rate()
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration]

    def blocked(self, request) -> bool:
        self._load(request)
        return len(self.history) >= self.num_requests

    def count(self, request) -> None:
        self._load(request)
        self.throttle_success()
