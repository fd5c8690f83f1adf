"""Networks: a network's own pages over the one database. Its collection (members' published cases and
the ones its curators add) searched like the whole database; joining asked for and approved; news; the
members' area; the curators' settings with bad input refused; the Atom feed; the list other sites show
in a frame, with a Content-Security-Policy naming those sites; "My networks"; the admin.

The network is Agder's purchasing network; Nora curates it (an editor of its organization, not one of
Delbar's curators); Bergen (Alice) is a member, Lyngdal (Bob) is not. Data is made through the actions."""

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from delbar.accounts.models import Role
from delbar.alerts.models import Notification
from delbar.audit.models import AuditEvent
from delbar.cases import actions as case_actions
from delbar.cases.models import CaseNetwork, Status
from delbar.dialogues.models import Dialogue
from delbar.groups import actions as group_actions
from delbar.needs import actions as need_actions
from delbar.networks import access, actions
from delbar.networks.collection import collection
from delbar.networks.models import Network, NetworkMember
from delbar.networks.urls import urlpatterns
from delbar.orgs.models import Organization, Sector
from tests.conftest import _person, client_for
from tests.test_headers import header_problems, inline_code, is_page

ATOM = "{http://www.w3.org/2005/Atom}"
MEMBERS_ONLY_TITLE = "Intern: budsjett for felles innkjøp 2026"
PUBLIC_TITLE = "Nettverkssamling i Kristiansand"


def make_network(name: str, slug: str, *, admin, origins: str = "", curator_name: str | None = None):
    """A network organization, its Network, and (when named) a curator acting for it as its editor."""
    organization = Organization.objects.create(kind=Organization.Kind.NETWORK, name=name)
    network = actions.create_network(organization=organization, slug=slug, kind=Network.Kind.REGIONAL,
                                     description=f"{name} samler kommunene om innovative innkjøp.", actor=admin,
                                     embed_origins=origins)
    curator = _person(curator_name, organization, Role.EDITOR) if curator_name else None
    return network, curator


def publish_for(cast, buyer, editor, title):
    case = case_actions.create_case(actor=editor, lead_buyer=buyer, fields={
        "title": title, "summary": f"{title}: slik gikk det.", "sector": Sector.objects.get(pk="helse-omsorg")})
    return case_actions.publish_case(case=case_actions.submit_case(case=case, actor=editor), actor=cast["carol"])


def build_world(cast, bergen, lyngdal, make_case) -> dict:
    """Agder's network with Bergen as member, a member's published case, Lyngdal's case outside it, a public
    and a members-only news item, and Nora its curator."""
    network, nora = make_network("Agder innkjøpsnettverk", "agder", admin=cast["admin"],
                                 origins="https://agder.example.no\nhttps://www.agder.example.no", curator_name="nora")
    request = actions.request_join(network=network, actor=cast["alice"], organization=bergen)
    actions.decide_join(member=request, actor=nora, approve=True)
    member_case = make_case(Status.PUBLISHED, title="Robot som inspiserer drikkevannstunneler")
    outside_case = publish_for(cast, lyngdal, cast["bob"], "Digitalt nattilsyn i Lyngdal")
    public = actions.post_news(network=network, actor=nora, title=PUBLIC_TITLE, body="Velkommen til samling.")
    secret = actions.post_news(network=network, actor=nora, title=MEMBERS_ONLY_TITLE, body="Tallene er interne.",
                               members_only=True)
    return {"network": network, "nora": nora, "member_case": member_case, "outside_case": outside_case,
            "public": public, "secret": secret, "cast": {**cast, "nora": nora}}


@pytest.fixture
def world(cast, bergen, lyngdal, make_case):
    return build_world(cast, bergen, lyngdal, make_case)


def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- The collection ---

def test_the_collection_is_members_cases_and_those_the_curators_add(world, cast):
    network, nora = world["network"], world["nora"]
    assert set(collection(network)) == {world["member_case"]}
    actions.add_case(network=network, case=world["outside_case"], actor=nora)
    assert set(collection(network)) == {world["member_case"], world["outside_case"]}
    assert CaseNetwork.objects.get(case=world["outside_case"]).via == CaseNetwork.Via.CURATOR
    with pytest.raises(actions.NetworkError):
        actions.add_case(network=network, case=world["outside_case"], actor=nora)
    with pytest.raises(actions.NetworkError):  # a member's own case is in by membership
        actions.remove_case(network=network, case=world["member_case"], actor=nora)
    actions.remove_case(network=network, case=world["outside_case"], actor=nora)
    assert set(collection(network)) == {world["member_case"]}
    assert AuditEvent.objects.filter(action="case.network.add", actor=nora).exists()
    assert AuditEvent.objects.filter(action="case.network.remove", actor=nora).exists()


def test_only_published_cases_join_the_collection(world, make_case):
    draft = make_case(Status.DRAFT, title="Et utkast")
    with pytest.raises(actions.NetworkError):
        actions.add_case(network=world["network"], case=draft, actor=world["nora"])
    assert draft not in collection(world["network"])


def test_the_collection_page_searches_the_collection_only_with_the_same_facets(world, client):
    page = client.get("/nettverk/agder/cases/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world["member_case"].get_absolute_url() in html
    assert world["outside_case"].get_absolute_url() not in html
    assert page.context["page"].paginator.count == 1
    assert {group["name"] for group in page.context["facets"]}  # the database's facets, counted in the collection
    # Words and filters narrow it as on /cases/.
    assert client.get("/nettverk/agder/cases/", {"q": "nattilsyn"}).context["page"].paginator.count == 0
    found = client.get("/nettverk/agder/cases/", {"q": "robot tunnel"})
    assert world["member_case"].get_absolute_url() in found.content.decode()
    assert client.get("/nettverk/agder/cases/", {"sector": "helse-omsorg"}).context["page"].paginator.count == 0
    # htmx asks for the results alone.
    partial = client.get("/nettverk/agder/cases/", {"q": "robot"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert client.get("/nettverk/agder/cases/", {"year": "nineteen"}).status_code == 400


def test_a_curator_adds_a_case_from_the_case_page_and_takes_it_out(world):
    nora, case = world["nora"], world["outside_case"]
    client = client_for(nora)
    page = client.get(case.get_absolute_url())
    assert page.context["network_form"] is not None
    assert list(page.context["network_form"].fields["network"].queryset) == [world["network"]]
    response = client.post("/nettverk/collection/add/", {"network": "agder", "case": case.pk,
                                                         "next": case.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case in collection(world["network"])
    assert client.get(case.get_absolute_url()).context["network_form"] is None  # nothing left to add it to
    client.post(f"/nettverk/agder/collection/{case.pk}/remove/")
    assert case not in collection(world["network"])


def test_adding_a_case_by_number_refuses_what_is_not_a_published_case(world, make_case):
    client = english(client_for(world["nora"]))
    draft = make_case(Status.DRAFT)
    for value in ("abc", "999999", str(draft.pk), "-1"):
        response = client.post("/nettverk/collection/add/", {"network": "agder", "case": value}, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"], value
    assert set(collection(world["network"])) == {world["member_case"]}
    assert client.post("/nettverk/collection/add/", {"network": "nowhere", "case": "1"}).status_code == 404
    bob = client_for(world["cast"]["bob"])
    assert bob.post("/nettverk/collection/add/", {"network": "agder", "case": world["outside_case"].pk}
                    ).status_code == 403


# --- Joining ---

def test_joining_is_asked_for_and_approved_by_the_curators_who_are_told(world, cast, lyngdal):
    network, nora, bob = world["network"], world["nora"], cast["bob"]
    response = client_for(bob).post("/nettverk/agder/join/", {"organization": lyngdal.pk})
    assert response.status_code == 302
    member = NetworkMember.objects.get(network=network, organization=lyngdal)
    assert member.status == NetworkMember.Status.PENDING and member.requested_by == bob
    assert Notification.objects.filter(user=nora, event=f"network-join:{member.pk}").exists()
    # A pending request grants nothing.
    assert client_for(bob).get("/nettverk/agder/members-area/").status_code == 404
    members_page = client_for(nora).get("/nettverk/agder/members/")
    assert member in members_page.context["pending"]
    assert client_for(nora).post(f"/nettverk/agder/members/{member.pk}/approve/").status_code == 302
    member.refresh_from_db()
    assert member.status == NetworkMember.Status.ACTIVE and member.decided_by == nora
    assert Notification.objects.filter(user=bob, event=f"network-join-decided:{member.pk}").exists()
    assert client_for(bob).get("/nettverk/agder/members-area/").status_code == 200
    assert world["outside_case"] in collection(network)  # a new member's cases come with it


def test_a_declined_request_is_told_and_may_be_asked_again(world, cast, lyngdal):
    network, bob = world["network"], cast["bob"]
    member = actions.request_join(network=network, actor=bob, organization=lyngdal)
    actions.decide_join(member=member, actor=world["nora"], approve=False)
    assert not NetworkMember.objects.filter(organization=lyngdal).exists()
    assert Notification.objects.filter(user=bob, event=f"network-join-decided:{member.pk}").exists()
    again = actions.request_join(network=network, actor=bob, organization=lyngdal)
    assert again.status == NetworkMember.Status.PENDING
    with pytest.raises(actions.NetworkError):  # not twice
        actions.request_join(network=network, actor=bob, organization=lyngdal)


def test_a_decided_request_cannot_be_decided_again(world, cast, lyngdal):
    member = actions.request_join(network=world["network"], actor=cast["bob"], organization=lyngdal)
    actions.decide_join(member=member, actor=world["nora"], approve=True)
    with pytest.raises(actions.NetworkError):
        actions.decide_join(member=member, actor=world["nora"], approve=False)


def test_a_member_leaves(world, cast, bergen):
    member = NetworkMember.objects.get(organization=bergen)
    client = client_for(cast["alice"])
    assert client.post(f"/nettverk/agder/members/{member.pk}/leave/").status_code == 302
    assert not NetworkMember.objects.filter(pk=member.pk).exists()
    assert world["member_case"] not in collection(world["network"])
    assert client.get("/nettverk/agder/members-area/").status_code == 404


def test_suppliers_join_only_networks_that_take_them(world, cast):
    dave, network = cast["dave"], world["network"]
    supplier = Organization.objects.get(name="Dave Robotics AS")
    assert client_for(dave).post("/nettverk/agder/join/", {"organization": supplier.pk}).status_code == 403
    actions.update_network(network=network, actor=world["nora"], fields={"accepts_suppliers": True})
    assert client_for(dave).post("/nettverk/agder/join/", {"organization": supplier.pk}).status_code == 302
    assert NetworkMember.objects.get(organization=supplier).status == NetworkMember.Status.PENDING


def test_joining_for_an_organization_one_does_not_act_for_is_refused(world, cast, lyngdal):
    kristiansand = Organization.objects.get(municipality_number="4204")
    response = client_for(cast["bob"]).post("/nettverk/agder/join/", {"organization": kristiansand.pk})
    assert response.status_code == 302
    assert not NetworkMember.objects.filter(organization=kristiansand).exists()
    with pytest.raises(actions.NetworkError):
        actions.request_join(network=world["network"], actor=cast["bob"], organization=kristiansand)


# --- News and the members' area ---

def test_curators_post_edit_and_delete_news(world):
    client = client_for(world["nora"])
    response = client.post("/nettverk/agder/news/new/", {"title": "Ny veileder", "body": "Les den."})
    assert response.status_code == 302
    item = world["network"].news.get(title="Ny veileder")
    assert response["Location"] == item.get_absolute_url() and not item.members_only
    assert client.post(f"/nettverk/agder/news/{item.pk}/edit/", {"title": "Ny veileder (2)", "body": "Les den.",
                                                                  "members_only": "on"}).status_code == 302
    item.refresh_from_db()
    assert item.title == "Ny veileder (2)" and item.members_only
    assert client.post(f"/nettverk/agder/news/{item.pk}/delete/").status_code == 302
    assert not world["network"].news.filter(pk=item.pk).exists()
    assert sorted(AuditEvent.objects.filter(actor=world["nora"], data__item=item.pk).values_list(
        "action", flat=True)) == ["network.news", "network.news_delete", "network.news_edit"]


def test_empty_news_is_refused_with_form_errors(world):
    client = english(client_for(world["nora"]))
    before = world["network"].news.count()
    response = client.post("/nettverk/agder/news/new/", {"title": "  ", "body": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "body"}
    assert b"error-summary" in response.content
    assert world["network"].news.count() == before
    with pytest.raises(actions.NetworkError):
        actions.post_news(network=world["network"], actor=world["nora"], title=" ", body="x")


def test_members_only_news_is_told_to_members_without_its_title(world, cast):
    told = Notification.objects.filter(event=f"network-news:{world['secret'].pk}")
    assert set(told.values_list("user__username", flat=True)) == {"alice"}  # Nora posted it herself
    assert not Notification.objects.filter(title__contains=MEMBERS_ONLY_TITLE).exists()
    assert not Notification.objects.filter(event=f"network-news:{world['public'].pk}").exists()


def test_members_share_documents_and_discuss(world, cast, pdf_bytes):
    alice = client_for(cast["alice"])
    upload = SimpleUploadedFile("referat.pdf", pdf_bytes, content_type="application/pdf")
    assert alice.post("/nettverk/agder/members-area/documents/", {"title": "Referat", "file": upload}
                      ).status_code == 302
    document = world["network"].documents.get()
    download = client_for(world["nora"]).get(f"/nettverk/agder/members-area/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    for role in ("anonymous", "bob", "dave", "carol"):
        assert client_for(cast[role]).get(f"/nettverk/agder/members-area/documents/{document.pk}/"
                                          ).status_code == 404, role
    assert alice.post("/nettverk/agder/members-area/discussion/", {"body": "Hvem har erfaring med dette?"}
                      ).status_code == 302
    post = world["network"].posts.get()
    assert post.organization.name == "Bergen" and post.author == cast["alice"]
    page = alice.get("/nettverk/agder/members-area/").content.decode()
    assert "Hvem har erfaring med dette?" in page and "Referat" in page


def test_a_document_that_is_not_a_document_and_an_empty_post_change_nothing(world, cast):
    alice = english(client_for(cast["alice"]))
    fake = SimpleUploadedFile("referat.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = alice.post("/nettverk/agder/members-area/documents/", {"file": fake}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    response = alice.post("/nettverk/agder/members-area/discussion/", {"body": "   "}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not world["network"].documents.exists() and not world["network"].posts.exists()


# --- The curators' settings ---

def png_bytes(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def settings_form(**changes):
    return {"description": "Kommunene i Agder kjøper inn sammen.", "website": "https://agder.example.no",
            "embed_origins": "https://agder.example.no", **changes}


def test_curators_change_the_network_and_its_logo_is_stored_as_png(world):
    client = client_for(world["nora"])
    logo = SimpleUploadedFile("logo.jpg", png_bytes(), content_type="image/jpeg")
    response = client.post("/nettverk/agder/edit/", {**settings_form(embed_origins="https://agder.example.no/\n\n"
                                                                                   "https://lup.no"), "logo": logo})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    network = Network.objects.get(slug="agder")
    assert network.description == "Kommunene i Agder kjøper inn sammen."
    assert network.origins() == ["https://agder.example.no", "https://lup.no"]
    served = client_for(None).get("/nettverk/agder/logo.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    event = AuditEvent.objects.get(action="network.update")
    assert set(event.data["changed"]) == {"description", "website", "embed_origins", "logo"}
    assert client.post("/nettverk/agder/edit/", {**settings_form(), "remove_logo": "on"}).status_code == 302
    assert not Network.objects.get(slug="agder").logo
    assert client_for(None).get("/nettverk/agder/logo.png").status_code == 404


@pytest.mark.parametrize("origins", ["http://agder.example.no", "https://agder.example.no/side",
                                     "agder.example.no", "https://agder.example.no; script-src *",
                                     "https://ok.example.no\njavascript:alert(1)"])
def test_invalid_origin_lines_are_form_errors(world, origins):
    client = english(client_for(world["nora"]))
    response = client.post("/nettverk/agder/edit/", settings_form(embed_origins=origins))
    assert response.status_code == 400
    assert "embed_origins" in response.context["form"].errors
    assert Network.objects.get(slug="agder").origins() == ["https://agder.example.no", "https://www.agder.example.no"]
    with pytest.raises(actions.NetworkError):
        actions.update_network(network=world["network"], actor=world["nora"], fields={"embed_origins": origins})


@pytest.mark.parametrize("upload", [
    ("logo.png", b"%PDF-1.4 not an image", "image/png"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
    ("logo.png", b"", "image/png"),
])
def test_a_logo_that_is_not_an_image_is_a_form_error(world, upload):
    name, content, content_type = upload
    client = english(client_for(world["nora"]))
    response = client.post("/nettverk/agder/edit/", {**settings_form(), "logo": SimpleUploadedFile(
        name, content, content_type=content_type)})
    assert response.status_code == 400
    assert "logo" in response.context["form"].errors
    assert not Network.objects.get(slug="agder").logo


def test_an_empty_description_is_refused(world):
    response = english(client_for(world["nora"])).post("/nettverk/agder/edit/", settings_form(description=" "))
    assert response.status_code == 400
    assert Network.objects.get(slug="agder").description.startswith("Agder")


def test_a_reserved_or_wrong_kind_of_network_is_not_created(cast, bergen):
    org = Organization.objects.create(kind=Organization.Kind.NETWORK, name="Mine")
    with pytest.raises(actions.NetworkError):
        actions.create_network(organization=org, slug="mine", kind="region", description="x", actor=cast["admin"])
    with pytest.raises(actions.NetworkError):
        actions.create_network(organization=bergen, slug="bergen", kind="region", description="x",
                               actor=cast["admin"])
    assert not Network.objects.exists()


# --- Unknown things ---

@pytest.mark.parametrize("path", ["/nettverk/nowhere/", "/nettverk/nowhere/cases/", "/nettverk/nowhere/feed.atom",
                                  "/nettverk/nowhere/embed/", "/nettverk/nowhere/members/",
                                  "/nettverk/nowhere/news/", "/nettverk/nowhere/logo.png",
                                  "/nettverk/agder/news/999999/", "/nettverk/agder/logo.png",
                                  "/nettverk/nowhere/members-area/"])
def test_unknown_networks_and_items_are_404(world, path):
    assert client_for(world["nora"]).get(path).status_code == 404
    assert client_for(None).get(path).status_code == 404


def test_news_of_another_network_is_not_found_under_this_one(world, cast):
    other, _curator = make_network("LUP", "lup", admin=cast["admin"])
    assert client_for(None).get(f"/nettverk/lup/news/{world['public'].pk}/").status_code == 404
    assert other.news.count() == 0


# --- The feed and the embeddable list ---

def test_the_feed_is_atom_with_the_collection_and_public_news(world, client):
    response = client.get("/nettverk/agder/feed.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Agder innkjøpsnettverk"
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert set(titles) == {world["member_case"].title, PUBLIC_TITLE}
    links = {entry.find(f"{ATOM}link").get("href") for entry in entries}
    assert any(link.endswith(world["member_case"].get_absolute_url()) for link in links)
    assert all(entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}id") for entry in entries)


def test_the_feed_escapes_what_people_wrote(world, cast, lyngdal):
    case = publish_for(cast, lyngdal, cast["bob"], "Sak med <b>fet</b> tittel")
    actions.add_case(network=world["network"], case=case, actor=world["nora"])
    feed = ET.fromstring(client_for(None).get("/nettverk/agder/feed.atom").content)
    summaries = [entry.findtext(f"{ATOM}summary") for entry in feed.findall(f"{ATOM}entry")]
    assert any("&lt;b&gt;fet&lt;/b&gt;" in summary for summary in summaries)


def policy(response) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split(";")
            if part.strip()}


def test_the_embed_may_be_framed_only_by_the_networks_sites(world, client):
    response = client.get("/nettverk/agder/embed/")
    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == ["'self'", "https://agder.example.no", "https://www.agder.example.no"]
    assert "X-Frame-Options" not in response
    # The rest of the policy stays Delbar's own: no script but its own, no plugins, no <base>.
    assert policy(response)["object-src"] == ["'none'"] and policy(response)["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in policy(response)["script-src"]
    html = response.content.decode()
    assert "<script" not in html and 'class="site-header"' not in html
    assert world["member_case"].get_absolute_url() in html and MEMBERS_ONLY_TITLE not in html
    links = html.count("<a ")
    assert links >= 2 and html.count('target="_top"') == links
    # Every other page is still never framed.
    page = client.get("/nettverk/agder/")
    assert page["X-Frame-Options"] == "DENY" and policy(page)["frame-ancestors"] == ["'none'"]


def test_a_network_without_sites_is_framed_by_delbar_alone(cast, client):
    make_network("LUP", "lup", admin=cast["admin"])
    response = client.get("/nettverk/lup/embed/")
    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == ["'self'"] and "X-Frame-Options" not in response


def test_an_origin_saved_wrong_elsewhere_never_reaches_the_header(world, client):
    Network.objects.filter(pk=world["network"].pk).update(
        embed_origins="https://agder.example.no\nhttps://evil.example; script-src *\nhttp://plain.example")
    assert policy(client.get("/nettverk/agder/embed/"))["frame-ancestors"] == ["'self'", "https://agder.example.no"]


def test_curators_see_the_embed_snippet(world):
    page = client_for(world["nora"]).get("/nettverk/agder/")
    snippet = page.context["embed_snippet"]
    assert snippet.startswith('<iframe src="http://testserver/nettverk/agder/embed/"') and 'title="' in snippet
    assert "embed_snippet" not in client_for(world["cast"]["alice"]).get("/nettverk/agder/").context


# --- The front page and "My networks" ---

def test_the_front_page_shows_needs_groups_events_and_links(world, cast, bergen, lyngdal):
    need = need_actions.create_need(actor=cast["alice"], organization=bergen, match=False, fields={
        "title": "Felles innkjøp av velferdsteknologi", "description": "Vi trenger sensorer."})
    buyers_only = need_actions.create_need(actor=cast["alice"], organization=bergen, match=False, fields={
        "title": "Bare for kjøpere", "description": "Intern.", "visibility": "buyers"})
    group = group_actions.form_group(need=need, actor=cast["alice"], name="Sensorgruppen", members=[lyngdal])
    anonymous = client_for(None).get("/nettverk/agder/")
    html = anonymous.content.decode()
    assert need.get_absolute_url() in html and buyers_only.get_absolute_url() not in html
    assert group.get_absolute_url() not in html and anonymous.context["other_groups"] == 1
    assert "/observatory/?network=agder" in html and "/nettverk/agder/feed.atom" in html
    assert "/nettverk/agder/embed/" in html and world["member_case"].get_absolute_url() in html
    assert PUBLIC_TITLE in html and MEMBERS_ONLY_TITLE not in html
    alice = client_for(cast["alice"]).get("/nettverk/agder/").content.decode()
    assert group.get_absolute_url() in alice and buyers_only.get_absolute_url() in alice
    assert MEMBERS_ONLY_TITLE in alice


def test_my_networks_shows_each_networks_news_cases_and_waiting_requests(world, cast, lyngdal):
    other, _curator = make_network("LUP", "lup", admin=cast["admin"])
    actions.request_join(network=world["network"], actor=cast["bob"], organization=lyngdal)
    alice = client_for(cast["alice"]).get("/nettverk/mine/")
    assert alice.status_code == 200
    assert [row["network"] for row in alice.context["rows"]] == [world["network"]]
    html = alice.content.decode()
    assert MEMBERS_ONLY_TITLE in html and world["member_case"].title in html
    nora = client_for(world["nora"]).get("/nettverk/mine/")
    row = nora.context["rows"][0]
    assert [member.organization for member in row["pending"]] == [lyngdal]
    bob = client_for(cast["bob"]).get("/nettverk/mine/")
    assert bob.context["rows"] == []  # waiting is not taking part
    assert client_for(None).get("/nettverk/mine/").status_code == 302
    assert "/nettverk/mine/" in client_for(cast["alice"]).get("/my/").content.decode()
    assert other not in [row["network"] for row in nora.context["rows"]]


def test_the_network_list_and_the_main_menu(world, cast):
    page = client_for(None).get("/nettverk/")
    assert page.status_code == 200 and "/nettverk/agder/" in page.content.decode()
    assert 'href="/nettverk/"' in client_for(None).get("/").content.decode()
    assert 'href="/nettverk/mine/"' in client_for(cast["bob"]).get("/").content.decode()


# --- Admin ---

def test_the_admin_shows_networks_to_delbar_administrators_only(world, cast):
    admin = client_for(cast["admin"])
    for name in ("network", "networkmember", "newsitem"):
        assert admin.get(f"/admin/networks/{name}/").status_code == 200, name
    assert admin.get(f"/admin/networks/network/{world['network'].pk}/change/").status_code == 200
    # Delbar's curators may not read members-only news, in the admin neither.
    carol = client_for(cast["carol"])
    assert carol.get("/admin/networks/newsitem/").status_code == 403
    assert carol.get(f"/admin/networks/newsitem/{world['secret'].pk}/change/").status_code in (302, 403)
    assert "/admin/networks/" not in carol.get("/admin/").content.decode()


def test_the_admin_refuses_a_reserved_slug_and_bad_origins(world, cast):
    admin = english(client_for(cast["admin"]))
    org = Organization.objects.create(kind=Organization.Kind.NETWORK, name="Nytt nettverk")
    data = {"organization": org.pk, "slug": "mine", "kind": "region", "description": "Et nytt nettverk.",
            "embed_origins": "http://usikker.example", "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}
    response = admin.post("/admin/networks/network/add/", data)
    assert response.status_code == 200
    assert {"slug", "embed_origins"} <= set(response.context["adminform"].form.errors)
    assert not Network.objects.filter(organization=org).exists()


def test_the_access_helpers_see_nobody_as_member_through_a_pending_request(world, cast, lyngdal):
    actions.request_join(network=world["network"], actor=cast["bob"], organization=lyngdal)
    assert not access.is_member(cast["bob"], world["network"])
    assert access.is_member(cast["alice"], world["network"])
    assert not access.can_see_members_area(AnonymousUser(), world["network"])


# --- Security headers on every network page ---

def network_paths(world) -> list[str]:
    """Every network URL pattern, built for this world (POST-only ones answer GET with 405)."""
    slug, case, member = "agder", world["member_case"].pk, NetworkMember.objects.first().pk
    names = {"network_list": [], "my_networks": [], "network_collection_add": [], "network_detail": [slug],
             "network_cases": [slug], "network_logo": [slug], "network_feed": [slug], "network_embed": [slug],
             "network_edit": [slug], "network_queue": [slug], "network_collection_remove": [slug, case],
             "network_members": [slug], "network_join": [slug], "network_member_decide": [slug, member, "approve"],
             "network_news": [slug], "network_news_create": [slug], "network_news_item": [slug, world["secret"].pk],
             "network_news_edit": [slug, world["secret"].pk], "network_news_delete": [slug, world["public"].pk],
             "network_members_area": [slug], "network_document_upload": [slug],
             "network_document_download": [slug, 1], "network_post": [slug]}
    return [reverse(name, args=args) for name, args in names.items()]


def test_every_network_url_is_built_here():
    assert {pattern.name for pattern in urlpatterns} == {
        "network_list", "my_networks", "network_collection_add", "network_detail", "network_cases", "network_logo",
        "network_feed", "network_embed", "network_edit", "network_queue", "network_collection_remove",
        "network_members", "network_join", "network_member_decide", "network_news", "network_news_create",
        "network_news_item", "network_news_edit", "network_news_delete", "network_members_area",
        "network_document_upload", "network_document_download", "network_post"}


@pytest.mark.parametrize("role", ["anonymous", "alice", "nora"])
def test_every_network_page_carries_the_security_headers(world, role):
    client = client_for(world["cast"][role])
    client.raise_request_exception = False
    problems, statuses = [], set()
    for path in network_paths(world):
        response = client.get(path)
        statuses.add(response.status_code)
        found = header_problems(response, logged_in=role != "anonymous")
        if path.endswith("/embed/"):  # framed by the network's sites: checked in test_the_embed_may_be_framed…
            found = [problem for problem in found if not problem.startswith("frame-ancestors")]
        found += inline_code(response) if is_page(response) else []
        problems += [f"{path} ({response.status_code}): {problem}" for problem in found]
    assert problems == []
    assert 500 not in statuses and 200 in statuses


# --- Events ---

def test_upcoming_events_are_the_networks_and_its_members_dialogues(world, cast, bergen, lyngdal):
    soon = timezone.now() + timedelta(days=14)

    def dialogue(title, organizer, **fields):
        values = {"starts_at": soon, "ends_at": soon + timedelta(hours=3), "registration_deadline": soon, **fields}
        return Dialogue.objects.create(title=title, purpose="Hva kan markedet tilby?", organizer=organizer, **values)

    own = dialogue("Nettverkets dialogkonferanse", bergen, network=world["network"])
    member = dialogue("Bergens markedsdialog", bergen)
    dialogue("Lyngdals markedsdialog", lyngdal)
    dialogue("Avlyst konferanse", bergen, cancelled_at=timezone.now())
    past = timezone.now() - timedelta(days=30)
    dialogue("Konferansen i fjor", bergen, starts_at=past, ends_at=past + timedelta(hours=2),
             registration_deadline=past)
    expected = [own.get_absolute_url(), member.get_absolute_url()]
    for path in ("/nettverk/agder/", "/nettverk/agder/embed/"):
        html = client_for(None).get(path).content.decode()
        assert all(url in html for url in expected), path
        assert "Lyngdals markedsdialog" not in html and "Avlyst" not in html and "i fjor" not in html, path
    mine = client_for(cast["alice"]).get("/nettverk/mine/")
    assert {event.title for event in mine.context["rows"][0]["events"]} == {own.title, member.title}
    assert "/dialogues/new/?network=agder" in client_for(world["nora"]).get("/nettverk/agder/").content.decode()


def test_the_settings_page_lists_the_chosen_cases_to_take_out(world):
    actions.add_case(network=world["network"], case=world["outside_case"], actor=world["nora"])
    client = client_for(world["nora"])
    page = client.get("/nettverk/agder/edit/")
    assert list(page.context["added"]) == [world["outside_case"]]
    assert f"/nettverk/agder/collection/{world['outside_case'].pk}/remove/" in page.content.decode()
    response = client.post(f"/nettverk/agder/collection/{world['outside_case'].pk}/remove/",
                           {"next": "/nettverk/agder/edit/"})
    assert response["Location"] == "/nettverk/agder/edit/"
    assert list(client.get("/nettverk/agder/edit/").context["added"]) == []


def test_a_network_curator_is_offered_only_what_she_may_do(world):
    """A network's editors curate it: /my/, the needs list and the front page offer her neither a new case
    nor a need, which the pages would refuse her; a buyer's editor is offered both."""
    nora, alice = client_for(world["nora"]), client_for(world["cast"]["alice"])
    for path in ("/my/", "/needs/", "/"):
        assert reverse("need_create") not in nora.get(path).content.decode(), path
        assert reverse("need_create") in alice.get(path).content.decode(), path
    assert reverse("case_create") not in nora.get("/my/").content.decode()
    assert reverse("case_create") in alice.get("/my/").content.decode()
    assert nora.get(reverse("case_create")).status_code == 403


def test_a_refusal_gives_its_reason_in_the_readers_language(world):
    """The reason on a 403 page is translated like the rest of the page (it was English on bokmål pages)."""
    bob = client_for(world["cast"]["bob"])
    edit = "/nettverk/agder/edit/"
    assert "Rollen din tillater det ikke i dette nettverket." in bob.get(edit).content.decode()
    bob.cookies["django_language"] = "nn"
    assert "Rolla di tillèt det ikkje i dette nettverket." in bob.get(edit).content.decode()
    case = world["member_case"]
    assert "Rollen din tillater det ikke for denne erfaringen." in client_for(world["nora"]).get(
        reverse("case_edit", args=[case.pk])).content.decode()
