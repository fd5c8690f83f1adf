"""A person's data at dialogues and in networks: "Download my data" holds their registrations (with the
attendees they listed), questions, answers, written input, network news, discussion posts and requests to
join; deleting the account keeps each of these for its organization, with the person's name and address
taken out, and attendee lists are emptied three months after the dialogue (docs/privacy.md).

(The dialogues' and networks' own actions are written elsewhere; their rows are made here with the
models, as the demo makes them.)"""

import json
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from delbar.accounts.models import Role
from delbar.accounts.personal_data import ATTENDEE_DAYS, prune_attendee_lists
from delbar.dialogues.models import Dialogue, DialogueQuestion, InputDocument, Registration, WrittenInput
from delbar.networks.models import Network, NetworkDocument, NetworkMember, NewsItem, Post
from delbar.orgs.models import Organization
from tests.conftest import _person, client_for

pytestmark = pytest.mark.django_db
NAME, EMAIL = "Alice Ødegård", "alice@example.no"
DAVE = "Dave Dahl"
COLLEAGUE = "Kåre Kollega, prosjektleder"


def _dialogue(organizer, *, days: int, title: str) -> Dialogue:
    starts = timezone.now() + timedelta(days=days)
    return Dialogue.objects.create(organizer=organizer, title=title, purpose="Hva finnes i markedet?",
                                   starts_at=starts, ends_at=starts + timedelta(hours=3),
                                   registration_deadline=starts - timedelta(days=1))


@pytest.fixture
def footprint(cast, bergen, lyngdal, pdf_bytes):
    """Alice edits for Bergen and curates the west-coast network; Dave is a supplier. Both have been busy
    at a past and an upcoming dialogue of Lyngdal's, and in the network."""
    alice, bob, dave = cast["alice"], cast["bob"], cast["dave"]
    User.objects.filter(pk=alice.pk).update(first_name="Alice", last_name="Ødegård")
    User.objects.filter(pk=dave.pk).update(first_name="Dave", last_name="Dahl")
    alice.refresh_from_db()
    dave.refresh_from_db()
    supplier = Organization.objects.get(name="Dave Robotics AS")
    west = Organization.objects.create(kind=Organization.Kind.NETWORK, name="Vestlandsnettverket")
    _person("curator2", west, Role.EDITOR)
    alice.memberships.create(organization=west, role=Role.EDITOR)
    network = Network.objects.create(organization=west, slug="vest", description=f"Kontakt: {NAME}, {EMAIL}.")
    membership = NetworkMember.objects.create(network=network, organization=bergen, requested_by=alice,
                                              status=NetworkMember.Status.ACTIVE, decided_by=alice,
                                              decided_at=timezone.now())
    bobs_request = NetworkMember.objects.create(network=network, organization=lyngdal, requested_by=bob)
    news = NewsItem.objects.create(network=network, title="Ny veileder", author=alice,
                                   body=f"Spør {NAME} om veilederen.")
    members_news = NewsItem.objects.create(network=network, title="Bare for medlemmer", members_only=True,
                                           author=alice, body="Møte i Bergen.")
    post = Post.objects.create(network=network, author=alice, organization=bergen, body=f"Hilsen {NAME} ({EMAIL})")
    bobs_post = Post.objects.create(network=network, author=bob, organization=lyngdal, body="Hei fra Lyngdal.")
    document = NetworkDocument(network=network, title="Referat", original_name="referat.pdf",
                               content_type="application/pdf", size=len(pdf_bytes), uploaded_by=alice)
    document.file.save("referat.pdf", ContentFile(pdf_bytes))

    past = _dialogue(lyngdal, days=-(ATTENDEE_DAYS + 10), title="Dialogkonferanse om lekkasjer")
    upcoming = _dialogue(lyngdal, days=14, title=f"Markedsdialog – spør {NAME}")
    recent = _dialogue(lyngdal, days=-5, title="Dialogmøte i forrige uke")
    registrations = {
        "past": Registration.objects.create(dialogue=past, organization=bergen, registered_by=alice,
                                            attendees=f"{NAME}, innkjøper\n{COLLEAGUE}"),
        "upcoming": Registration.objects.create(dialogue=upcoming, organization=bergen, registered_by=alice,
                                                attendees=f"{NAME}, innkjøper\n{COLLEAGUE}"),
        "recent": Registration.objects.create(dialogue=recent, organization=bergen, registered_by=alice,
                                              attendees=COLLEAGUE),
        "dave": Registration.objects.create(dialogue=upcoming, organization=supplier, registered_by=dave,
                                            attendees=f"{DAVE}, daglig leder"),
    }
    question = DialogueQuestion.objects.create(dialogue=upcoming, asked_by=alice,
                                               body=f"Kan leverandørene ringe {NAME} på forhånd?")
    dave_asks = DialogueQuestion.objects.create(dialogue=upcoming, asked_by=dave, body="Hvor mange kummer?",
                                                answer=f"Om lag 400. Hilsen {NAME}", answered_by=alice,
                                                answered_at=timezone.now())
    written = WrittenInput.objects.create(dialogue=upcoming, organization=supplier, submitted_by=dave,
                                          body=f"Vi foreslår en pilot. Kontakt {DAVE}, dave@example.no.")
    attachment = InputDocument(written_input=written, title="Løsningsbeskrivelse", original_name="losning.pdf",
                               content_type="application/pdf", size=len(pdf_bytes))
    attachment.file.save("losning.pdf", ContentFile(pdf_bytes))
    return SimpleNamespace(alice=alice, dave=dave, network=network, membership=membership,
                           bobs_request=bobs_request, news=news, members_news=members_news, post=post,
                           bobs_post=bobs_post, document=document, past=past, upcoming=upcoming,
                           registrations=registrations, question=question, dave_asks=dave_asks, written=written)


def _download(user) -> tuple[dict, str]:
    response = client_for(user).get("/accounts/my-data.json")
    assert response.status_code == 200
    return json.loads(response.content), response.content.decode()


def test_her_download_holds_what_she_did_at_dialogues_and_in_networks(footprint):
    data, text = _download(footprint.alice)
    registrations = {r["dialogue"]["title"]: r for r in data["dialogue_registrations"]}
    assert set(registrations) == {"Dialogkonferanse om lekkasjer", footprint.upcoming.title, "Dialogmøte i forrige uke"}
    assert registrations[footprint.upcoming.title]["attendees"] == f"{NAME}, innkjøper\n{COLLEAGUE}"
    assert registrations[footprint.upcoming.title]["organization"]["name"] == "Bergen"
    assert [q["body"] for q in data["dialogue_questions_asked"]] == [footprint.question.body]
    assert [a["answer"] for a in data["dialogue_answers_written"]] == [footprint.dave_asks.answer]
    assert {n["title"]: n["members_only"] for n in data["network_news"]} == {"Ny veileder": False,
                                                                          "Bare for medlemmer": True}
    assert [p["body"] for p in data["network_posts"]] == [footprint.post.body]
    assert [d["title"] for d in data["network_documents_uploaded"]] == ["Referat"]
    assert [(r["network"]["name"], r["organization"]["name"], r["status"]) for r in data["network_join_requests"]] == [
        ("Vestlandsnettverket", "Bergen", "active")]
    assert [d["organization"]["name"] for d in data["network_join_decisions"]] == ["Bergen"]
    assert data["dialogue_written_input"] == []
    # Nothing of anyone else's: Dave's question, input and attendees, Bob's post and request.
    for other in ("Hvor mange kummer?", DAVE, "Vi foreslår en pilot", "Hei fra Lyngdal"):
        assert other not in text, other


def test_his_download_holds_his_written_input_and_registration(footprint):
    data, text = _download(footprint.dave)
    [written] = data["dialogue_written_input"]
    assert written["body"] == footprint.written.body and written["documents"] == ["Løsningsbeskrivelse"]
    assert written["organization"]["name"] == "Dave Robotics AS"
    assert [r["attendees"] for r in data["dialogue_registrations"]] == [f"{DAVE}, daglig leder"]
    assert [q["body"] for q in data["dialogue_questions_asked"]] == ["Hvor mange kummer?"]
    assert COLLEAGUE not in text and footprint.question.body not in text


def test_deleting_her_account_keeps_bergens_contributions_without_her(footprint, cast):
    response = client_for(footprint.alice).post("/accounts/delete/", {"confirm": "on"})
    assert response.status_code == 200 and not User.objects.filter(username="alice").exists()

    # Bergen's registrations stay — colleagues still come to the upcoming one — with her name taken out
    # and her colleague's kept for the organizers.
    for key in ("past", "upcoming"):
        registration = Registration.objects.get(pk=footprint.registrations[key].pk)
        assert registration.registered_by is None and registration.cancelled_at is None
        assert registration.attendees == f"[slettet], innkjøper\n{COLLEAGUE}"
    question = DialogueQuestion.objects.get(pk=footprint.question.pk)
    assert question.asked_by is None and question.body == "Kan leverandørene ringe [slettet] på forhånd?"
    answered = DialogueQuestion.objects.get(pk=footprint.dave_asks.pk)
    assert answered.answered_by is None and answered.answer == "Om lag 400. Hilsen [slettet]"
    assert Dialogue.objects.get(pk=footprint.upcoming.pk).title == "Markedsdialog – spør [slettet]"
    news = NewsItem.objects.get(pk=footprint.news.pk)
    assert news.author is None and news.body == "Spør [slettet] om veilederen."
    post = Post.objects.get(pk=footprint.post.pk)
    assert post.author is None and post.organization.name == "Bergen" and post.body == "Hilsen [slettet] ([slettet])"
    assert Network.objects.get(pk=footprint.network.pk).description == "Kontakt: [slettet], [slettet]."
    membership = NetworkMember.objects.get(pk=footprint.membership.pk)
    assert membership.requested_by is None and membership.decided_by is None
    assert membership.status == NetworkMember.Status.ACTIVE
    assert NetworkDocument.objects.get(pk=footprint.document.pk).uploaded_by is None
    # Others' contributions are untouched.
    assert Registration.objects.get(pk=footprint.registrations["dave"].pk).registered_by == footprint.dave
    assert NetworkMember.objects.get(pk=footprint.bobs_request.pk).requested_by == cast["bob"]
    assert Post.objects.get(pk=footprint.bobs_post.pk).body == "Hei fra Lyngdal."


def test_deleting_his_account_keeps_the_suppliers_input_for_the_organizers(footprint):
    assert client_for(footprint.dave).post("/accounts/delete/", {"confirm": "on"}).status_code == 200
    written = WrittenInput.objects.get(pk=footprint.written.pk)
    assert written.submitted_by is None and written.organization.name == "Dave Robotics AS"
    assert written.body == "Vi foreslår en pilot. Kontakt [slettet], [slettet]."
    assert written.documents.get().title == "Løsningsbeskrivelse"
    registration = Registration.objects.get(pk=footprint.registrations["dave"].pk)
    assert registration.registered_by is None and registration.attendees == "[slettet], daglig leder"


def test_attendee_lists_are_emptied_three_months_after_the_dialogue(footprint):
    cutoff = timezone.now() - timedelta(days=ATTENDEE_DAYS)
    assert prune_attendee_lists(ended_before=cutoff) == 1
    past = Registration.objects.get(pk=footprint.registrations["past"].pk)
    assert past.attendees == "" and past.organization.name == "Bergen" and past.cancelled_at is None
    for key in ("upcoming", "recent", "dave"):
        assert Registration.objects.get(pk=footprint.registrations[key].pk).attendees != ""
    assert prune_attendee_lists(ended_before=cutoff) == 0


def test_the_daily_pruning_command_empties_the_old_attendee_lists(footprint):
    out = StringIO()
    call_command("prune_personal_data", stdout=out)
    assert "1 attendee lists emptied" in out.getvalue()
    assert Registration.objects.get(pk=footprint.registrations["past"].pk).attendees == ""
    assert Registration.objects.get(pk=footprint.registrations["recent"].pk).attendees != ""


def test_the_deletion_page_says_what_is_kept_of_dialogues_and_networks(footprint):
    client = client_for(footprint.alice)
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/delete/")
    assert page.status_code == 200
    assert 'id="kept-dialogues"' in page.content.decode() and "three months" in page.content.decode()
