"""Who may do what at a dialogue, page by page and action by action, for the whole cast: anonymous, Alice
(Bergen's editor, the organizer), Bob (Lyngdal, registered), Dave (a supplier, registered, with written
input), Erik (a second supplier), Carol (Delbar's curator), the admin and Nadia (editor for a regional
network: its curator, not Delbar's). Nobody but the organizers and the supplier itself ever sees written input or its
documents — on the page, in the API, in search or in a notification — and attendees' names never reach a
public page. Never a server error."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from delbar.accounts.models import Role
from delbar.alerts.models import Notification
from delbar.dialogues import actions
from delbar.dialogues.models import Dialogue, Registration, WrittenInput
from delbar.networks.models import Network, NetworkMember
from delbar.orgs.models import Organization
from delbar.search.engine import search
from tests.conftest import _person, client_for
from tests.test_dialogues import announce, dialogue_fields, make_erik, post_need, time_passes

ROLES = ["anonymous", "alice", "bob", "dave", "erik", "carol", "admin", "nadia"]
ORGANIZERS = {"alice", "carol", "admin"}
INPUT = "Vårt hemmelige anslag: kailaderen koster 17 millioner"
DOCUMENT = "Prisoverslag for lading"
ATTENDEE = "Kari Nordmann, daglig leder"


@pytest.fixture
def erik(db):
    return make_erik()


@pytest.fixture
def everyone(cast, erik, bergen, lyngdal, pdf_bytes, django_capture_on_commit_callbacks):
    """The cast with Erik and Nadia, and a dialogue on Bergen's need that Lyngdal and Dave registered for,
    where Dave gave input with a document and asked two questions, one answered."""
    agder_org = Organization.objects.create(kind="network", name="Agder innovasjonsnettverk")
    network = Network.objects.create(organization=agder_org, slug="agder", description="Kommunene i Agder.")
    NetworkMember.objects.create(network=network, organization=lyngdal, status=NetworkMember.Status.ACTIVE)
    people = {**cast, "erik": erik, "nadia": _person("nadia", agder_org, Role.EDITOR)}
    need = post_need(cast["alice"], bergen, "Utslippsfri ferje", "Vi vil ha en ferje som går på strøm.")
    dialogue = announce(cast, bergen, [need])
    supplier = Organization.objects.get(name="Dave Robotics AS")
    with django_capture_on_commit_callbacks(execute=True):
        actions.register(dialogue=dialogue, actor=cast["bob"], organization=lyngdal, attendees=ATTENDEE)
        actions.register(dialogue=dialogue, actor=cast["dave"], organization=supplier, attendees="Dave Dahl")
    written = actions.give_input(dialogue=dialogue, actor=cast["dave"], organization=supplier, body=INPUT, documents=[
        (SimpleUploadedFile("pris.pdf", pdf_bytes), "application/pdf", DOCUMENT)])
    answered = actions.ask(dialogue=dialogue, actor=cast["dave"], body="Hvor lang er kaia?")
    actions.answer(question=answered, actor=cast["alice"], body="Hundre meter.")
    waiting = actions.ask(dialogue=dialogue, actor=cast["dave"], body="Er det parkering?")
    return {"people": people, "dialogue": dialogue, "need": need, "network": network, "input": written,
            "document": written.documents.get(), "waiting": waiting, "lyngdal": lyngdal, "supplier": supplier}


def client_of(everyone, who):
    return client_for(everyone["people"][who])


def expected(who, organizer, others, anonymous=302):
    return anonymous if who == "anonymous" else organizer if who in ORGANIZERS else others


@pytest.mark.parametrize("who", ROLES)
def test_every_page_answers_each_role_as_the_rules_say(everyone, who):
    client = client_of(everyone, who)
    dialogue, need, document = everyone["dialogue"], everyone["need"], everyone["document"]
    pages = {
        "/dialogues/": 200,
        f"/dialogues/{dialogue.pk}/": 200,
        f"/dialogues/{dialogue.pk}/calendar.ics": 200,
        f"/dialogues/{dialogue.pk}/edit/": expected(who, 200, 403),
        f"/dialogues/{dialogue.pk}/matchmaking/": expected(who, 200, 403),
        f"/dialogues/{dialogue.pk}/matchmaking.csv": expected(who, 200, 403),
        f"/dialogues/{dialogue.pk}/input/documents/{document.pk}/": 200 if who in ORGANIZERS | {"dave"} else 404,
        f"/dialogues/new/?need={need.pk}": {"anonymous": 302, "alice": 200, "admin": 200}.get(who, 403),
        "/dialogues/new/": {"anonymous": 302, "alice": 200, "bob": 200, "nadia": 200}.get(who, 403),
        "/dialogues/new/?network=agder": {"anonymous": 302, "nadia": 200, "carol": 200, "admin": 200}.get(who, 403),
        "/dialogues/new/?network=nowhere": 302 if who == "anonymous" else 404,
        "/dialogues/999999/": 404,
    }
    answers = {url: client.get(url).status_code for url in pages}
    assert answers == pages


@pytest.mark.parametrize("who", ROLES)
def test_what_each_role_sees_on_the_dialogues_page(everyone, who):
    page = client_of(everyone, who).get(everyone["dialogue"].get_absolute_url()).content.decode()
    organizer = who in ORGANIZERS
    assert (INPUT in page) is (organizer or who == "dave")
    assert (DOCUMENT in page) is (organizer or who == "dave")
    assert (ATTENDEE.split(",")[0] in page) is (organizer or who == "bob")
    assert ("Dave Dahl" in page) is (organizer or who == "dave")
    assert ("Er det parkering?" in page) is (organizer or who == "dave")  # unanswered: the asker's and organizers'
    assert "Hvor lang er kaia?" in page and "Hundre meter." in page
    assert (everyone["dialogue"].online_url in page) is (organizer or who in ("bob", "dave"))
    assert (f"/dialogues/{everyone['dialogue'].pk}/edit/" in page) is organizer


@pytest.mark.parametrize("who", ROLES)
def test_every_action_refuses_whom_the_rules_refuse(everyone, who, pdf_bytes):
    client = client_of(everyone, who)
    dialogue, waiting = everyone["dialogue"], everyone["waiting"]
    base = f"/dialogues/{dialogue.pk}"
    registrable = {"erik": everyone["people"]["erik"].memberships.get().organization.pk,
                   "bob": everyone["lyngdal"].pk, "dave": everyone["supplier"].pk}
    answers = {
        # Bob and Dave are registered already (409); Alice's Bergen organizes; curators and networks do not register.
        "register": client.post(f"{base}/register/", {"organization": registrable.get(who, 0),
                                                      "attendees": "Noen"}).status_code,
        "ask": client.post(f"{base}/questions/", {"body": "Et spørsmål?"}).status_code,
        "answer": client.post(f"{base}/questions/{waiting.pk}/answer/", {"body": "Ja."}).status_code,
        "input": client.post(f"{base}/input/", {"organization": registrable.get(who, 0),
                                                "body": "Innspill"}).status_code,
        "summary": client.post(f"{base}/summary/", {"summary": "For tidlig."}).status_code,
        "propose": client.post(f"{base}/matchmaking/propose/").status_code,
        "send": client.post(f"{base}/matchmaking/send/").status_code,
    }
    assert answers == {
        "register": {"anonymous": 302, "bob": 409, "dave": 409, "erik": 302}.get(who, 403),
        "ask": 302,
        "answer": expected(who, 302, 403),
        "input": {"anonymous": 302, "dave": 302, "erik": 302}.get(who, 403),
        "summary": expected(who, 400, 403),   # before the end: refused for the organizers too
        "propose": expected(who, 302, 403),
        "send": expected(who, 302, 403),
    }
    # Only organizers cancel; the cancellation comes last, as it closes everything else.
    assert client.post(f"{base}/cancel/").status_code == expected(who, 302, 403)
    assert Dialogue.objects.get(pk=dialogue.pk).cancelled_at is not None or who not in ORGANIZERS


def test_written_input_never_leaks_through_the_api_search_or_notifications(everyone, api_client):
    dialogue, people = everyone["dialogue"], everyone["people"]
    url = f"/api/dialogues/{dialogue.pk}/input"
    assert api_client(None).get(url).status_code == 401
    for who in ("bob", "nadia"):
        assert api_client(people[who]).get(url).status_code == 403, who
    assert api_client(people["erik"]).get(url).json() == []
    assert [item["body"] for item in api_client(people["dave"]).get(url).json()] == [INPUT]
    for who in ORGANIZERS:
        assert [item["body"] for item in api_client(people[who]).get(url).json()] == [INPUT], who
    detail = api_client(people["erik"]).get(f"/api/dialogues/{dialogue.pk}").content.decode()
    assert "17 millioner" not in detail and "Kari Nordmann" not in detail
    for who in ROLES:
        user = people[who]
        assert not search("hemmelige anslag kailaderen", user=user, mode="lexical").hits, who
    assert not [n.title for n in Notification.objects.all() if "17 millioner" in n.title]
    assert not [m for m in mail.outbox if "17 millioner" in m.subject or "17 millioner" in m.body]
    # The registrations with attendees are the organizers' alone.
    for who in ("bob", "dave", "erik", "nadia"):
        assert api_client(people[who]).get(f"/api/dialogues/{dialogue.pk}/registrations").status_code == 403, who
    attendees = api_client(people["alice"]).get(f"/api/dialogues/{dialogue.pk}/registrations").json()
    assert ATTENDEE in [line for item in attendees for line in item["attendees"]]


def test_a_network_curator_organizes_her_networks_dialogues_only(everyone):
    nadia = client_of(everyone, "nadia")
    lyngdal_need = post_need(everyone["people"]["bob"], everyone["lyngdal"], "Digitalt tilsyn",
                             "Vi vil ha sensorer som varsler nattevakten.")
    form = nadia.get("/dialogues/new/?network=agder")
    assert [need.pk for need in form.context["form"].fields["needs"].queryset] == [lyngdal_need.pk]
    network_dialogue = actions.announce(actor=everyone["people"]["nadia"], organizer=everyone["network"].organization,
                                        network=everyone["network"], needs=[lyngdal_need],
                                        fields=dialogue_fields())
    assert nadia.get(f"/dialogues/{network_dialogue.pk}/edit/").status_code == 200
    assert nadia.get(f"/dialogues/{everyone['dialogue'].pk}/edit/").status_code == 403
    page = client_of(everyone, "anonymous").get(network_dialogue.get_absolute_url()).content.decode()
    assert everyone["network"].get_absolute_url() in page
    # Lyngdal, a member, registers for it; the network does not.
    assert client_of(everyone, "bob").post(f"/dialogues/{network_dialogue.pk}/register/", {
        "organization": everyone["lyngdal"].pk, "attendees": "Bob"}).status_code == 302
    assert Registration.objects.filter(dialogue=network_dialogue).count() == 1
    # Bob is told about a question on it? No: the network's people are.
    question = actions.ask(dialogue=network_dialogue, actor=everyone["people"]["dave"], body="Hvor?")
    told = set(Notification.objects.filter(event=f"dialogue-question:{question.pk}").values_list(
        "user__username", flat=True))
    assert told == {"nadia"}


def test_only_the_supplier_edits_its_input_and_removes_its_documents(everyone):
    dialogue, document = everyone["dialogue"], everyone["document"]
    for who in ("erik", "alice", "bob"):
        response = client_of(everyone, who).post(f"/dialogues/{dialogue.pk}/input/documents/{document.pk}/remove/")
        assert response.status_code == 404, who
    assert WrittenInput.objects.get().documents.count() == 1
    time_passes(dialogue, days=11)
    late = client_of(everyone, "dave").post(f"/dialogues/{dialogue.pk}/input/documents/{document.pk}/remove/")
    assert late.status_code == 302 and WrittenInput.objects.get().documents.count() == 1  # closed: kept
