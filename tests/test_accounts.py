"""Local accounts: sign-up that reveals nothing and verifies the address, log-in with throttling and a
second factor, sessions that end, password reset by e-mail, personal API tokens that expire."""

import os
import subprocess
import sys
import time
from datetime import timedelta

from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from delbar.accounts.middleware import SEEN, STARTED
from delbar.accounts.models import ApiToken
from tests.conftest import PASSWORD, authenticator_code, client_for

SIGNUP = {"first_name": "Ingrid", "last_name": "Hansen", "password1": "et-langt-passord-42",
          "password2": "et-langt-passord-42"}


def _verification_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/accounts/confirm-email/" in line)
    return line.split("testserver", 1)[1].strip()


def test_sign_up_verifies_the_address_before_logging_in(db, client):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "ingrid@lyngdal.kommune.no"})
    assert response.status_code == 302 and "/accounts/confirm-email/" in response["Location"]
    user = User.objects.get(email="ingrid@lyngdal.kommune.no")
    assert not user.memberships.exists()
    assert client.get("/my/").status_code == 302  # not logged in until the address is verified
    assert len(mail.outbox) == 1
    link = _verification_link(mail.outbox[0])
    client.post(link)
    assert client.post("/accounts/login/", {"login": "ingrid@lyngdal.kommune.no",
                                            "password": SIGNUP["password1"]}).status_code == 302
    assert client.get("/cases/new/").status_code == 403  # no role until an organization approves


def test_sign_up_does_not_tell_that_an_address_has_an_account(cast, client):
    taken = client.post("/accounts/signup/", {**SIGNUP, "email": "ALICE@example.no"})
    fresh = client_for(None).post("/accounts/signup/", {**SIGNUP, "email": "someone-new@example.no"})
    # The same answer either way; the owner of the address is told by e-mail instead.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="alice@example.no").count() == 1
    assert any("alice@example.no" in message.to for message in mail.outbox)


def test_sign_up_refuses_a_weak_password(db, client):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "x@example.no", "password1": "123",
                                                 "password2": "123"})
    assert response.status_code == 200 and "passord" in response.content.decode().lower()
    assert not User.objects.filter(email="x@example.no").exists()


def test_log_in_and_out(cast, client):
    response = client.post("/accounts/login/", {"login": "dave", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/my/").status_code == 302
    wrong = client.post("/accounts/login/", {"login": "dave", "password": "feil"})
    assert wrong.status_code == 200 and "passordet du oppgav er feil" in wrong.content.decode()


def test_wrong_passwords_are_throttled_then_even_the_right_one_is_refused(cast, client):
    for _ in range(10):
        client.post("/accounts/login/", {"login": "dave", "password": "feil"})
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/login/", {"login": "dave", "password": PASSWORD})
    assert response.status_code == 200 and "Log-in is paused: too many attempts" in response.content.decode()
    assert client.get("/my/").status_code == 302, "the right password must not get through while throttled"


def test_behind_the_proxy_log_in_throttles_count_per_client_not_per_proxy(cast, client, settings):
    # BEHIND_PROXY=1: every request comes from nginx (127.0.0.1), which names the client in X-Forwarded-For.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = settings.NINJA_NUM_PROXIES = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    client.cookies["django_language"] = "en"
    guesser = {"X-Forwarded-For": "203.0.113.9"}
    for login in ("dave", "carol", "alice"):
        client.post("/accounts/login/", {"login": login, "password": "feil"}, headers=guesser)
    paused = client.post("/accounts/login/", {"login": "dave", "password": PASSWORD}, headers=guesser)
    assert "Log-in is paused: too many attempts" in paused.content.decode()
    # Another client behind the same nginx is not paused by the guesser's failures.
    other = client.post("/accounts/login/", {"login": "dave", "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.51.100.4"})
    assert other.status_code == 302 and other["Location"] == "/my/"


def test_behind_proxy_makes_every_throttle_trust_the_one_address_nginx_passes_on(tmp_path):
    # Settings are read once per process: a new one, configured as deploy/delbar.env.example does.
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "delbar.example.no",
           "BEHIND_PROXY": "1", "DELBAR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "delbar.settings"}
    env.pop("DATABASE_URL", None)
    read = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; "
         "print(s.NINJA_NUM_PROXIES, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.RATELIMIT_IP_META_KEY, "
         "s.SECURE_PROXY_SSL_HEADER)"],
        env=env, capture_output=True, text=True, check=True)
    assert read.stdout.split() == ["1", "1", "delbar.api.throttling.client_address",
                                   "('HTTP_X_FORWARDED_PROTO',", "'https')"]


def test_admin_login_goes_through_the_throttled_log_in(cast, client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_editor_without_a_second_factor_must_set_one_up(cast, client):
    client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    response = client.get("/cases/new/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password once more before an authenticator is added, then shows the QR code.
    reauthenticate = client.get("/accounts/2fa/totp/activate/")
    assert reauthenticate["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(reauthenticate["Location"], {"password": PASSWORD}).status_code == 302
    activate = client.get("/accounts/2fa/totp/activate/")
    assert activate.status_code == 200 and "data:image/svg+xml" in activate.content.decode()
    assert client.get("/notifications/").status_code == 302  # nothing else until it is done


def test_an_editor_with_a_second_factor_gives_the_code(cast, client):
    code = authenticator_code(cast["alice"])
    response = client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/my/").status_code == 302  # not in before the code
    assert client.post("/accounts/2fa/authenticate/", {"code": "000000" if code != "000000" else "111111"}
                       ).status_code == 200
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/cases/new/").status_code == 200


def test_a_supplier_logs_in_with_a_password_alone(cast, client):
    client.post("/accounts/login/", {"login": "dave", "password": PASSWORD})
    assert client.get("/solutions/new/").status_code == 200


def test_an_idle_session_ends(cast, client, settings):
    client.post("/accounts/login/", {"login": "dave", "password": PASSWORD})
    session = client.session
    session[SEEN] = time.time() - settings.SESSION_IDLE_SECONDS - 1
    session.save()
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/profile/").status_code == 302


def test_an_old_session_ends_however_busy(cast, client, settings):
    client.post("/accounts/login/", {"login": "dave", "password": PASSWORD})
    session = client.session
    session[STARTED] = time.time() - settings.SESSION_COOKIE_AGE - 1
    session.save()
    assert client.get("/my/").status_code == 302


def test_password_reset_by_email(cast, client):
    client.post("/accounts/password/reset/", {"email": "dave@example.no"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link.split("testserver", 1)[1].strip()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0], {"password1": "nytt-sterkt-passord-7",
                                                             "password2": "nytt-sterkt-passord-7"})
    assert response.status_code == 302
    assert client.post("/accounts/login/", {"login": "dave", "password": "nytt-sterkt-passord-7"}
                       ).status_code == 302


def test_password_reset_does_not_tell_whether_an_address_exists(cast, client):
    known = client.post("/accounts/password/reset/", {"email": "dave@example.no"})
    unknown = client_for(None).post("/accounts/password/reset/", {"email": "nobody@example.no"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    # The unknown address is told that it has no account; no reset link goes anywhere else.
    assert [message.to for message in mail.outbox] == [["dave@example.no"], ["nobody@example.no"]]
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_token_shown_once_revocable_and_with_scope_and_expiry(cast):
    client = client_for(cast["alice"])
    client.post("/accounts/tokens/", {"name": "Skript", "scope": "read", "days": "30"})
    page = client.get("/accounts/profile/").content.decode()
    token = cast["alice"].api_tokens.get()
    assert token.hint in page and "dlb_" in page
    assert token.scope == ApiToken.Scope.READ
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert "Kopier den nå" not in client.get("/accounts/profile/").content.decode()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert not cast["alice"].api_tokens.exists()
    assert client_for(cast["bob"]).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404


def test_a_token_cannot_be_made_to_last_more_than_a_year(cast):
    client_for(cast["alice"]).post("/accounts/tokens/", {"name": "Evig", "scope": "write", "days": "5000"})
    assert not cast["alice"].api_tokens.exists()


def test_an_expired_token_authenticates_no_one(cast):
    token, raw = ApiToken.issue(user=cast["alice"], name="gammel")
    assert ApiToken.objects.authenticate(raw) == token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiToken.objects.authenticate(raw) is None


def test_pages_for_a_logged_in_person_are_not_stored(cast):
    response = client_for(cast["alice"]).get("/accounts/profile/")
    assert "no-store" in response["Cache-Control"]
