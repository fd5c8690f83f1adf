"""The networks' permission matrix: every role of the cast, and Nora, the network's own curator, on every
network page and action, written out by hand from docs/networks.md; and members-only items, which never
leak through a page, the feed, the embeddable list, the API, search or a notification's title.

Alice edits for Bergen, a member; Bob for Lyngdal, not a member; Dave is a supplier (the network takes
none); Carol is one of Delbar's curators (she curates every network, yet is no member: the members' area
is closed to her); Admin administers Delbar; Nora curates the network itself and nothing else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from delbar.alerts.models import Notification
from delbar.cases.models import CaseNetwork
from delbar.networks import actions
from delbar.networks.models import NetworkMember
from delbar.orgs.models import Organization
from tests.conftest import client_for
from tests.test_networks import MEMBERS_ONLY_TITLE, build_world, make_network, publish_for

ROLES = ["anonymous", "alice", "bob", "dave", "carol", "admin", "nora"]
EVERYONE = set(ROLES)
MEMBERS = {"alice", "admin", "nora"}  # the members' area: members' people, its own curators, Delbar's admins
CURATORS = {"carol", "admin", "nora"}  # curate: its own curators, Delbar's curators and admins
LOGGED_IN = EVERYONE - {"anonymous"}


@pytest.fixture
def world(cast, bergen, lyngdal, make_case):
    return build_world(cast, bergen, lyngdal, make_case)


# --- Pages: (path, who gets 200, how others are refused: "404" or "403") ---

PAGES = [
    ("/nettverk/", EVERYONE, None),
    ("/nettverk/agder/", EVERYONE, None),
    ("/nettverk/agder/cases/", EVERYONE, None),
    ("/nettverk/agder/members/", EVERYONE, None),
    ("/nettverk/agder/news/", EVERYONE, None),
    ("{public}", EVERYONE, None),
    ("/nettverk/agder/feed.atom", EVERYONE, None),
    ("/nettverk/agder/embed/", EVERYONE, None),
    ("{secret}", MEMBERS, "404"),
    ("/nettverk/agder/members-area/", MEMBERS, "404"),
    ("/nettverk/agder/edit/", CURATORS, "403"),
    ("/nettverk/agder/queue/", CURATORS, "403"),
    ("/nettverk/agder/news/new/", CURATORS, "403"),
    ("{public}edit/", CURATORS, "403"),
    ("{secret}edit/", MEMBERS & CURATORS, "403"),
    ("/nettverk/mine/", LOGGED_IN, "403"),
]


def _path(template: str, world) -> str:
    return template.format(public=world["public"].get_absolute_url(), secret=world["secret"].get_absolute_url())


def _refused(response, role: str, kind: str) -> bool:
    if role == "anonymous" and response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return kind != "404"  # the members' area is unknown to visitors too, not a log-in away
    return response.status_code in ((404,) if kind == "404" else (403, 404))


@pytest.mark.parametrize("role", ROLES)
def test_every_network_page_for_every_role(world, role):
    client = client_for(world["cast"][role])
    for template, allowed, refusal in PAGES:
        path = _path(template, world)
        response = client.get(path)
        if role in allowed:
            assert response.status_code == 200, (path, response.status_code)
        elif template == "{secret}edit/" and role == "carol":
            assert response.status_code == 404, path  # she may curate, but a members-only item is unknown to her
        else:
            assert _refused(response, role, refusal), (path, response.status_code)


# --- Actions: (name, who may, how to do it, whether it happened) ---

def _join(client, world, role):
    orgs = [m.organization for m in world["cast"][role].memberships.all()] if world["cast"][role] else []
    organization = orgs[0] if orgs else Organization.objects.get(municipality_number="4225")
    return client.post("/nettverk/agder/join/", {"organization": organization.pk})


ACTIONS = {
    "join": ({"bob"}, _join,
             lambda world: NetworkMember.objects.filter(network=world["network"]).count() == 3),
    "approve": (CURATORS, lambda client, world, role: client.post(
        f"/nettverk/agder/members/{world['pending'].pk}/approve/"),
        lambda world: NetworkMember.objects.filter(pk=world["pending"].pk, status="active").exists()),
    "decline": (CURATORS, lambda client, world, role: client.post(
        f"/nettverk/agder/members/{world['pending'].pk}/decline/"),
        lambda world: not NetworkMember.objects.filter(pk=world["pending"].pk).exists()),
    "leave": ({"alice"} | CURATORS, lambda client, world, role: client.post(
        f"/nettverk/agder/members/{world['bergen_member'].pk}/leave/"),
        lambda world: not NetworkMember.objects.filter(pk=world["bergen_member"].pk).exists()),
    "post news": (CURATORS, lambda client, world, role: client.post(
        "/nettverk/agder/news/new/", {"title": "Nytt fra nettverket", "body": "Tekst."}),
        lambda world: world["network"].news.filter(title="Nytt fra nettverket").exists()),
    "edit news": (CURATORS, lambda client, world, role: client.post(
        f"{world['public'].get_absolute_url()}edit/", {"title": "Endret", "body": "Tekst."}),
        lambda world: world["network"].news.filter(title="Endret").exists()),
    "delete news": (CURATORS, lambda client, world, role: client.post(
        f"{world['public'].get_absolute_url()}delete/"),
        lambda world: not world["network"].news.filter(pk=world["public"].pk).exists()),
    "edit members-only news": (MEMBERS & CURATORS, lambda client, world, role: client.post(
        f"{world['secret'].get_absolute_url()}edit/", {"title": "Endret", "body": "Tekst.", "members_only": "on"}),
        lambda world: world["network"].news.filter(title="Endret").exists()),
    "delete members-only news": (MEMBERS & CURATORS, lambda client, world, role: client.post(
        f"{world['secret'].get_absolute_url()}delete/"),
        lambda world: not world["network"].news.filter(pk=world["secret"].pk).exists()),
    "share a document": (MEMBERS, lambda client, world, role: client.post(
        "/nettverk/agder/members-area/documents/", {"file": world["pdf"]()}),
        lambda world: world["network"].documents.exists()),
    "post in the discussion": (MEMBERS, lambda client, world, role: client.post(
        "/nettverk/agder/members-area/discussion/", {"body": "Hei alle."}),
        lambda world: world["network"].posts.exists()),
    "add a case": (CURATORS, lambda client, world, role: client.post(
        "/nettverk/collection/add/", {"network": "agder", "case": world["outside_case"].pk}),
        lambda world: CaseNetwork.objects.filter(case=world["outside_case"]).exists()),
    "remove a case": (CURATORS, lambda client, world, role: client.post(
        f"/nettverk/agder/collection/{world['added_case'].pk}/remove/"),
        lambda world: not CaseNetwork.objects.filter(case=world["added_case"]).exists()),
    "change the network": (CURATORS, lambda client, world, role: client.post(
        "/nettverk/agder/edit/", {"description": "Ny beskrivelse.", "embed_origins": ""}),
        lambda world: world["network"].__class__.objects.get(pk=world["network"].pk).description == "Ny beskrivelse."),
}
# Refused as unknown (404) rather than forbidden, to everyone refused: the members' area.
HIDDEN = {"share a document", "post in the discussion"}


@pytest.fixture
def action_world(world, cast, lyngdal, pdf_bytes):
    kristiansand = Organization.objects.get(municipality_number="4204")
    world["pending"] = NetworkMember.objects.create(network=world["network"], organization=kristiansand)
    world["bergen_member"] = NetworkMember.objects.get(organization__municipality_number="4601")
    world["added_case"] = publish_for(cast, lyngdal, cast["bob"], "Lagt til av kuratoren")
    actions.add_case(network=world["network"], case=world["added_case"], actor=world["nora"])
    world["pdf"] = lambda: SimpleUploadedFile("notat.pdf", pdf_bytes, content_type="application/pdf")
    return world


@pytest.mark.parametrize("role", ROLES)
def test_every_network_action_for_every_role(action_world, role):
    """Each action from the same starting point: done in a savepoint that is rolled back after it."""
    for action, (allowed, perform, happened) in sorted(ACTIONS.items()):
        with transaction.atomic():
            response = perform(client_for(action_world["cast"][role]), action_world, role)
            if role in allowed:
                assert response.status_code == 302 and "/accounts/login/" not in response["Location"], (
                    action, response.status_code)
                assert happened(action_world), action
            else:
                if action in HIDDEN or (role == "carol" and "members-only" in action):
                    assert response.status_code == 404, (action, response.status_code)
                else:
                    login = (role == "anonymous" and response.status_code == 302
                             and "/accounts/login/" in response["Location"])
                    assert response.status_code in (403, 404) or login, (action, response.status_code)
                assert not happened(action_world), action
            transaction.set_rollback(True)


@pytest.mark.parametrize("role", sorted(EVERYONE - MEMBERS))
def test_the_members_area_is_unknown_to_everyone_else(world, role):
    client = client_for(world["cast"][role])
    for path in ("/nettverk/agder/members-area/", world["secret"].get_absolute_url(),
                 "/nettverk/agder/members-area/documents/1/"):
        assert client.get(path).status_code == 404, path
    for path in ("/nettverk/agder/members-area/documents/", "/nettverk/agder/members-area/discussion/"):
        assert client.post(path, {"body": "x"}).status_code == 404, path


# --- Members-only items never leak ---

@pytest.mark.parametrize("role", ROLES)
def test_members_only_news_never_leaks(world, role, api_client):
    client = client_for(world["cast"][role])
    sees = role in MEMBERS
    for path in ("/nettverk/agder/", "/nettverk/agder/news/"):
        assert (MEMBERS_ONLY_TITLE in client.get(path).content.decode()) is sees, path
    # The feed, the embeddable list and search show members-only items to nobody, members included.
    for path in ("/nettverk/agder/feed.atom", "/nettverk/agder/embed/", "/search/?q=budsjett+felles+innkjøp",
                 "/nettverk/agder/cases/?q=budsjett"):
        assert MEMBERS_ONLY_TITLE not in client.get(path).content.decode(), path
    api = api_client(world["cast"][role])
    news = [item["title"] for item in api.get("/api/networks/agder/news").json()]
    assert (MEMBERS_ONLY_TITLE in news) is sees
    assert MEMBERS_ONLY_TITLE not in api.get("/api/networks/agder").content.decode()
    assert MEMBERS_ONLY_TITLE not in api.get("/api/search", {"q": "budsjett felles innkjøp"}).content.decode()
    # Nor is the title in any notification (what the e-mail digest sends).
    assert not Notification.objects.filter(title__contains=MEMBERS_ONLY_TITLE).exists()


def test_a_member_that_leaves_no_longer_sees_the_members_area(world, cast):
    member = NetworkMember.objects.get(organization__municipality_number="4601")
    actions.leave(member=member, actor=cast["alice"])
    client = client_for(cast["alice"])
    assert client.get(world["secret"].get_absolute_url()).status_code == 404
    assert MEMBERS_ONLY_TITLE not in client.get("/nettverk/agder/").content.decode()


def test_a_curator_of_one_network_curates_no_other(world, cast):
    make_network("LUP", "lup", admin=cast["admin"], curator_name="olav")
    nora = client_for(world["nora"])
    assert nora.get("/nettverk/lup/edit/").status_code == 403
    assert nora.get("/nettverk/lup/queue/").status_code == 403
    assert nora.post("/nettverk/lup/news/new/", {"title": "Inntrenger", "body": "x"}).status_code == 403
    assert nora.post("/nettverk/collection/add/", {"network": "lup", "case": world["member_case"].pk}
                     ).status_code == 403
    assert nora.get("/nettverk/lup/members-area/").status_code == 404
