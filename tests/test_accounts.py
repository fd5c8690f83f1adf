"""Sign up, log in and out, password reset by e-mail, personal API tokens."""

from django.contrib.auth.models import User
from django.core import mail

from tests.conftest import PASSWORD, client_for


def test_sign_up_logs_in_without_roles(db, client):
    response = client.post("/accounts/signup/", {
        "username": "ingrid", "first_name": "Ingrid", "last_name": "Hansen", "email": "ingrid@lyngdal.kommune.no",
        "password1": "et-langt-passord-42", "password2": "et-langt-passord-42"})
    assert response.status_code == 302
    user = User.objects.get(username="ingrid")
    assert not user.memberships.exists()
    assert client.get("/cases/new/").status_code == 403


def test_sign_up_rejects_weak_password_and_duplicate_email(cast, client):
    response = client.post("/accounts/signup/", {
        "username": "x", "first_name": "X", "last_name": "Y", "email": "ALICE@example.no",
        "password1": "123", "password2": "123"})
    page = response.content.decode()
    assert response.status_code == 200 and "finnes allerede en konto" in page
    assert not User.objects.filter(username="x").exists()


def test_log_in_and_out(cast, client):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/my/").status_code == 302
    wrong = client.post("/accounts/login/", {"username": "alice", "password": "feil"})
    assert "Feil brukernavn eller passord" in wrong.content.decode()


def test_password_reset_by_email(cast, client):
    client.post("/accounts/password-reset/", {"email": "alice@example.no"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "nytt-sterkt-passord-7",
                                                             "new_password2": "nytt-sterkt-passord-7"})
    assert response.status_code == 302
    assert client.login(username="alice", password="nytt-sterkt-passord-7")


def test_token_shown_once_and_revocable(cast):
    client = client_for(cast["alice"])
    client.post("/accounts/tokens/", {"name": "Skript"})
    page = client.get("/accounts/profile/").content.decode()
    token = cast["alice"].api_tokens.get()
    assert token.hint in page and "dlb_" in page
    assert "Kopier den nå" not in client.get("/accounts/profile/").content.decode()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert not cast["alice"].api_tokens.exists()
    assert client_for(cast["bob"]).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
