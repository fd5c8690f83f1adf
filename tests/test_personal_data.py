"""Your data: everything Delbar holds about a person in one download, and an account deletion that erases
the person everywhere but keeps what they wrote under their organization (docs/privacy.md)."""

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from delbar.accounts import actions as account_actions
from delbar.accounts import oidc
from delbar.accounts.models import ApiToken, ExternalIdentity, Role
from delbar.alerts.models import Notification
from delbar.audit.models import AuditEvent
from delbar.cases import actions as case_actions
from delbar.cases.models import CaseRevision, ContactPerson, Status
from delbar.groups import actions as group_actions
from delbar.needs import actions as need_actions
from delbar.orgs.models import Sector
from delbar.questions.actions import answer, ask
from delbar.questions.models import Question
from delbar.search.engine import search
from delbar.search.models import SearchDocument
from tests.conftest import client_for

NAME = "Alice Ødegård"
EMAIL = "alice@example.no"
# What must not be left anywhere once she is gone: her name (also as the search engine folds it) and address.
TRACES = (NAME, NAME.lower(), "ødegård", EMAIL)
BOBS_QUESTION = "Hva kostet roboten per meter tunnel?"


@pytest.fixture
def footprint(cast, bergen, lyngdal):
    """Alice as Delbar knows her after a while: a published case (with her as its contact), a question on
    Lyngdal's case, an answer to Bob, a need, a buyer group message, notifications, a token, a followed
    sector, a request to join Lyngdal, and the audit events all of these left."""
    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    User.objects.filter(pk=alice.pk).update(first_name="Alice", last_name="Ødegård")
    alice.refresh_from_db()
    water = Sector.objects.get(pk="vann-avlop-avfall")
    case = case_actions.create_case(
        actor=alice, lead_buyer=bergen,
        fields={"title": "Robot som inspiserer drikkevannstunneler", "summary": "Bergen leide en undervannsrobot.",
                "sector": water, "lessons": f"Spør {NAME} ({EMAIL}) om erfaringene med roboten."},
        relations={"contacts": [{"name": NAME, "email": EMAIL, "role": "Prosjektleder"}]})
    case = case_actions.publish_case(case=case_actions.submit_case(case=case, actor=alice), actor=carol)
    ferry = case_actions.create_case(actor=bob, lead_buyer=lyngdal, fields={
        "title": "Elektrisk ferje", "summary": "Lyngdal kjøpte en elektrisk ferje.",
        "sector": Sector.objects.get(pk="samferdsel")})
    ferry = case_actions.publish_case(case=case_actions.submit_case(case=ferry, actor=bob), actor=carol)
    her_question = ask(case=ferry, actor=alice, organization=bergen,
                       body=f"Hvordan fikk dere ladingen til å virke? Hilsen {NAME}")
    answer(question=her_question, actor=bob, body="Med et batteri på kaia.")
    bobs = ask(case=case, actor=bob, organization=lyngdal, body="Hvor lenge måtte vannet stenges?")
    answer(question=bobs, actor=alice, body=f"Ikke lenge. Skriv til {EMAIL} for detaljer.")
    ask(case=case, actor=bob, organization=lyngdal, body=BOBS_QUESTION)
    need = need_actions.create_need(actor=alice, organization=bergen, fields={
        "title": "Lekkasjesøk i vannledninger", "description": "Vi vil finne lekkasjer før de blir brudd."})
    group = group_actions.form_group(need=need, actor=alice, name="Lekkasjegruppa", members=[lyngdal])
    group_actions.post_message(group=group, actor=alice, organization=bergen, body=f"Velkommen! Hilsen {NAME}")
    token, raw_token = ApiToken.issue(user=alice, name="Skript")
    assert client_for(alice).post("/alerts/", {"topic": "sector", "value": "vann-avlop-avfall"}).status_code == 302
    account_actions.request_membership(user=alice, organization=lyngdal)
    return SimpleNamespace(alice=alice, case=case, ferry=ferry, need=need, group=group, raw_token=raw_token,
                           her_question=her_question)


def _lexical_hits(query: str, user=None) -> list[int]:
    return [hit.document.object_id for hit in search(query, user=user, mode="lexical").shown()]


def _leftovers(text: str) -> list[str]:
    return [trace for trace in TRACES if trace in text.lower() or trace in text]


def test_her_download_holds_each_thing_about_her_and_nothing_about_others(footprint, cast):
    response = client_for(footprint.alice).get("/accounts/my-data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["username"] == "alice" and data["account"]["last_name"] == "Ødegård"
    assert [address["email"] for address in data["email_addresses"]] == [EMAIL]
    assert {(m["organization"]["name"], m["role"], m["status"]) for m in data["memberships"]} == {
        ("Bergen", Role.EDITOR, "active"), ("Lyngdal", Role.EDITOR, "pending")}
    assert [(t["name"], t["hint"]) for t in data["api_tokens"]] == [("Skript", footprint.raw_token[:10])]
    assert [q["body"] for q in data["questions_asked"]] == [footprint.her_question.body]
    assert [a["answer"] for a in data["answers_written"]] == [f"Ikke lenge. Skriv til {EMAIL} for detaljer."]
    assert [c["title"] for c in data["cases_created"]] == [footprint.case.title]
    assert {r["case"]["id"] for r in data["case_revisions"]} == {footprint.case.pk}
    assert [n["title"] for n in data["needs_created"]] == [footprint.need.title]
    assert [m["body"] for m in data["group_messages"]] == [f"Velkommen! Hilsen {NAME}"]
    assert [(s["topic"], s["value"]) for s in data["subscriptions"]] == [("sector", "vann-avlop-avfall")]
    assert {n["url"].split("#")[0] for n in data["notifications"]} >= {footprint.case.get_absolute_url(),
                                                                      footprint.ferry.get_absolute_url()}
    assert [(c["name"], c["email"]) for c in data["contact_person_entries"]] == [(NAME, EMAIL)]
    assert {"case.create", "case.submit", "need.create", "group.form", "membership.request"} <= {
        event["action"] for event in data["audit_events"]}
    text = response.content.decode()
    # Never a secret, and nothing of anyone else: not Bob's questions, his address or his username.
    assert footprint.raw_token not in text and ApiToken.objects.get().key_hash not in text
    assert BOBS_QUESTION not in text and "Hvor lenge måtte vannet stenges?" not in text
    assert "bob@example.no" not in text and '"bob"' not in text


def test_deleting_her_account_erases_her_everywhere_and_keeps_bergens_case(footprint, cast, api_client):
    alice, case = footprint.alice, footprint.case
    phone, laptop = client_for(alice), client_for(alice)
    token_client = Client(headers={"Authorization": f"Bearer {footprint.raw_token}"})
    # Before: she is found, her token works, her sessions live; so each check below can fail.
    assert set(_lexical_hits(NAME)) == {case.pk, footprint.ferry.pk}
    assert token_client.get("/api/cases/mine").status_code == 200
    assert laptop.get("/accounts/delete/").status_code == 200

    response = laptop.post("/accounts/delete/", {"confirm": "on"})

    assert response.status_code == 200
    assert "accounts/delete_done.html" in [template.name for template in response.templates]
    assert not User.objects.filter(username="alice").exists()
    assert not EmailAddress.objects.filter(email=EMAIL).exists()
    assert not ContactPerson.objects.exists()
    # What she wrote stays, under Bergen, with no author; every page still renders for everyone.
    case.refresh_from_db()
    assert case.status == Status.PUBLISHED and case.created_by is None and case.lead_buyer.name == "Bergen"
    assert Question.objects.count() == 3 and Question.objects.get(pk=footprint.her_question.pk).author is None
    for viewer in (None, cast["bob"], cast["carol"], cast["admin"]):
        for url in (case.get_absolute_url(), footprint.ferry.get_absolute_url(), footprint.need.get_absolute_url()):
            page = client_for(viewer).get(url)
            assert page.status_code == 200, (viewer, url)
            assert not _leftovers(page.content.decode()), (viewer, url)
    group_page = client_for(cast["bob"]).get(footprint.group.get_absolute_url())
    assert group_page.status_code == 200 and not _leftovers(group_page.content.decode())
    # Her name and address are in no revision, audit event, notification, search result or index row.
    for revision in CaseRevision.objects.all():
        assert not _leftovers(json.dumps(revision.snapshot, ensure_ascii=False)), revision
    for event in AuditEvent.objects.all():
        assert not _leftovers(json.dumps(event.data, ensure_ascii=False)), event
        assert event.data.get("username") != "alice", event
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk), actor=None).exists()
    assert not [n.title for n in Notification.objects.all() if _leftovers(n.title)]
    assert not Notification.objects.filter(event__startswith="membership-request:").exists()
    assert _lexical_hits(NAME, user=cast["admin"]) == [] and _lexical_hits(EMAIL, user=cast["admin"]) == []
    for hit in search(NAME, user=cast["admin"]).shown():
        assert not _leftovers(f"{hit.document.title} {hit.document.summary} {hit.document.body} {hit.snippet}")
    api_answer = api_client(cast["admin"]).get("/api/search", {"q": NAME})
    assert api_answer.status_code == 200 and not _leftovers(api_answer.content.decode())
    for document in SearchDocument.objects.all():
        assert not _leftovers(" ".join([document.title, document.summary, document.body, document.terms]))
    # Her token no longer opens the API; her sessions on every device are gone.
    assert token_client.get("/api/cases/mine").status_code == 401
    assert not ApiToken.objects.filter(hint=footprint.raw_token[:10]).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(alice.pk)]
    assert phone.get("/accounts/profile/").status_code == 302


def test_a_contact_removed_on_the_edit_page_is_erased_everywhere(cast, make_case):
    case = make_case(Status.PUBLISHED)
    contact_name, contact_email = "Per Eksempelsen", "per.eksempelsen@bergen.kommune.no"
    case_actions.update_case(case=case, actor=cast["alice"], fields={}, relations={
        "contacts": [{"name": contact_name, "email": contact_email, "phone": "55 56 57 58"}]})
    contact = case.contacts.get()
    assert contact_name in client_for(None).get(case.get_absolute_url()).content.decode()
    edit_page = client_for(cast["alice"]).get(f"/cases/{case.pk}/edit/?step=contacts").content.decode()
    assert f"/cases/{case.pk}/contacts/{contact.pk}/remove/" in edit_page
    # Only the case's editors remove: Bob of Lyngdal cannot.
    assert client_for(cast["bob"]).post(f"/cases/{case.pk}/contacts/{contact.pk}/remove/").status_code in (403, 404)
    assert ContactPerson.objects.exists()

    response = client_for(cast["alice"]).post(f"/cases/{case.pk}/contacts/{contact.pk}/remove/")

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/edit/?step=contacts"
    assert not ContactPerson.objects.exists()
    assert contact_name not in client_for(None).get(case.get_absolute_url()).content.decode()
    traces = (contact_name, contact_email, "55 56 57 58")
    for revision in case.revisions.all():
        assert not [t for t in traces if t in json.dumps(revision.snapshot, ensure_ascii=False)]
    assert AuditEvent.objects.filter(action="case.contact.remove", object_id=str(case.pk)).exists()
    for event in AuditEvent.objects.all():
        assert not [t for t in traces if t in json.dumps(event.data, ensure_ascii=False)]
    assert _lexical_hits(contact_name) == [] and _lexical_hits("Eksempelsen") == []
    for document in SearchDocument.objects.all():
        assert "eksempelsen" not in f"{document.title} {document.summary} {document.body} {document.terms}".lower()


@pytest.mark.parametrize("url", ["/accounts/my-data.json", "/accounts/delete/"])
def test_anonymous_visitors_are_sent_to_log_in(db, url):
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(None).post(url, {"confirm": "on"}).status_code == 302


def test_nothing_is_deleted_without_the_ticked_box(cast):
    response = client_for(cast["bob"]).post("/accounts/delete/", {})
    assert response.status_code == 400
    assert User.objects.filter(username="bob").exists()


def test_the_last_organization_administrator_is_told_and_may_still_leave(cast, bergen):
    alice = cast["alice"]
    account_actions.grant_role(user=alice, organization=bergen, role=Role.ORG_ADMIN, actor=cast["admin"])
    page = client_for(alice).get("/accounts/delete/")
    assert page.context["orphaned"] == [bergen]
    assert f"/organizations/{bergen.pk}/members/" in page.content.decode()
    # A second administrator (made by her): nobody is left alone, and the page says nothing.
    account_actions.grant_role(user=cast["bob"], organization=bergen, role=Role.ORG_ADMIN, actor=alice)
    assert client_for(alice).get("/accounts/delete/").context["orphaned"] == []
    account_actions.remove_membership(membership=cast["bob"].memberships.get(organization=bergen),
                                      actor=cast["admin"])

    response = client_for(alice).post("/accounts/delete/", {"confirm": "on"})

    assert response.status_code == 200 and response.context["orphaned"] == [bergen]
    assert not User.objects.filter(username="alice").exists()
    assert not bergen.memberships.filter(role=Role.ORG_ADMIN).exists()
    assert AuditEvent.objects.filter(action="user.erase", data__without_administrator=[bergen.pk]).exists()
    # The organization's history still reads, with her no longer named as who did what.
    members = client_for(cast["admin"]).get(f"/organizations/{bergen.pk}/members/")
    assert members.status_code == 200 and "alice" not in members.content.decode()


def test_a_person_who_logs_in_with_idporten_and_has_no_password_can_delete(db, settings):
    settings.OIDC_PROVIDERS = {"idporten": {"issuer": "https://idporten.example"}}
    person = oidc.user_for(name="idporten", claims={"sub": "idporten-subject-1"})
    assert not person.has_usable_password() and not person.email
    client = client_for(person)
    data = json.loads(client.get("/accounts/my-data.json").content)
    assert data["identities"][0]["subject"] == "idporten-subject-1" and data["account"]["has_password"] is False

    assert client.post("/accounts/delete/", {"confirm": "on"}).status_code == 200

    assert not User.objects.filter(pk=person.pk).exists() and not ExternalIdentity.objects.exists()
    # Logging in again is a new, unrelated account.
    assert oidc.user_for(name="idporten", claims={"sub": "idporten-subject-1"}).pk != person.pk


def test_pruning_takes_people_out_of_old_audit_events_and_deletes_old_unverified_sign_ups(cast, lyngdal, client):
    account_actions.grant_role(user=cast["bob"], organization=lyngdal, role=Role.ORG_ADMIN, actor=cast["admin"])
    old = AuditEvent.objects.get(action="membership.grant")
    assert old.data["username"] == "bob" and old.actor == cast["admin"]
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    account_actions.grant_role(user=cast["bob"], organization=lyngdal, role=Role.EDITOR, actor=cast["admin"])
    signup = {"first_name": "Ulla", "last_name": "Uverifisert", "password1": "et-langt-passord-42",
              "password2": "et-langt-passord-42"}
    for email in ("gammel@example.no", "fersk@example.no"):
        Client().post("/accounts/signup/", {**signup, "email": email})
    User.objects.filter(email="gammel@example.no").update(date_joined=timezone.now() - timedelta(days=40))
    User.objects.filter(username__in=["alice", "bob"]).update(date_joined=timezone.now() - timedelta(days=400))

    call_command("prune_personal_data")

    old.refresh_from_db()
    assert old.actor is None and "username" not in old.data and "user" not in old.data
    assert old.data["role"] == Role.ORG_ADMIN  # what happened is kept
    recent = AuditEvent.objects.filter(action="membership.grant").exclude(pk=old.pk).get()
    assert recent.actor == cast["admin"] and recent.data["username"] == "bob"
    assert not User.objects.filter(email="gammel@example.no").exists()
    assert User.objects.filter(email="fersk@example.no").exists()
    assert User.objects.filter(username__in=["alice", "bob"]).count() == 2
