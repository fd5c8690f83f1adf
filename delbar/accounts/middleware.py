"""Two rules every logged-in request passes: the session's lifetime, and two factors for those who may
change what others read."""

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from delbar.accounts.roles import roles_of

STARTED = "delbar_session_started"
SEEN = "delbar_session_seen"
# The last-seen time is written at most this often, so a busy session does not write on every request.
SEEN_RESOLUTION_SECONDS = 60


class SessionLifetimeMiddleware:
    """Logs out a session idle for longer than SESSION_IDLE_SECONDS, or older than SESSION_COOKIE_AGE
    (the cookie's own expiry says the same to the browser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(STARTED, now)
            seen = request.session.get(SEEN, now)
            if now - seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("You were logged out after a period without activity."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if now - seen >= SEEN_RESOLUTION_SECONDS or SEEN not in request.session:
                request.session[SEEN] = now
        return self.get_response(request)


def needs_second_factor(user) -> bool:
    """Editors, organization administrators, curators and Delbar administrators: whoever can change
    what others read or who acts for an organization."""
    roles = roles_of(user)
    return roles.is_curator or bool(roles.editor_org_ids)


def logged_in_with_password(request) -> bool:
    methods = {record.get("method") for record in get_authentication_records(request, request.user)}
    return "password" in methods and "mfa" not in methods


class TwoFactorRequiredMiddleware:
    """A local log-in (username and password) of someone who needs a second factor and has none is sent
    to set one up, and can do nothing else meanwhile. ID-porten and Ansattporten log-ins already have two
    factors (level substantial or high), so they pass."""

    # allauth asks for the password again before an authenticator is added (/accounts/reauthenticate/).
    ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/reauthenticate/", "/accounts/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not request.path.startswith(self.ALLOWED_PREFIXES)
                and logged_in_with_password(request) and needs_second_factor(user)
                and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()):
            messages.warning(request, _("Your role needs a second factor. Set up an authenticator app to go on."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
