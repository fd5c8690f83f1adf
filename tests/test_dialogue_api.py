"""/api/dialogues: the same rules as the pages, every answer checked against the committed OpenAPI
document. Announcing needs the token of someone allowed; registering answers 409 for a duplicate and 422
with the reason when registration is closed; written input and registrations with attendees are read by
the organizers (and a supplier its own)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from delbar.dialogues import actions
from delbar.dialogues.models import Dialogue, Registration
from tests.test_dialogues import ATTENDEES, announce, dialogue_fields, post_need, time_passes


def body(**overrides) -> dict:
    values = dialogue_fields()
    payload = {"kind": "market", "title": values["title"], "purpose": values["purpose"],
               "market_questions": ["Hva koster lading?", "Hvor lang leveringstid?"],
               "starts_at": values["starts_at"].isoformat(), "ends_at": values["ends_at"].isoformat(),
               "registration_deadline": values["registration_deadline"].isoformat(), "place": "Bergen rådhus",
               "online_url": "https://meet.example.no/ferje"}
    return {**payload, **overrides}


@pytest.fixture
def need(cast, bergen):
    return post_need(cast["alice"], bergen, "Utslippsfri ferje", "Vi vil ha en ferje som går på strøm.")


def test_a_buyer_announces_through_the_api_and_others_may_not(cast, need, api_client):
    alice = api_client(cast["alice"])
    created = alice.post("/api/dialogues", body(need=need.pk), content_type="application/json")
    assert created.status_code == 201, created.json()
    data = created.json()
    dialogue = Dialogue.objects.get(pk=data["id"])
    assert data["needs"] == [need.pk] and data["market_questions"] == ["Hva koster lading?", "Hvor lang leveringstid?"]
    assert data["online_url"] == "https://meet.example.no/ferje"  # the organizer sees her link
    assert dialogue.kind == "market" and dialogue.organizer == need.organization
    # Bob may not announce on Bergen's need, Dave not at all, nobody without a token.
    assert api_client(cast["bob"]).post("/api/dialogues", body(need=need.pk),
                                        content_type="application/json").status_code == 403
    assert api_client(cast["dave"]).post("/api/dialogues", body(), content_type="application/json").status_code == 403
    assert api_client(None).post("/api/dialogues", body(), content_type="application/json").status_code == 401
    # Bob's own dialogue may not put Bergen's need on its agenda.
    refused = api_client(cast["bob"]).post("/api/dialogues", body(needs=[need.pk]), content_type="application/json")
    assert refused.status_code == 422 and str(need.pk) in refused.json()["detail"]
    assert Dialogue.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"starts_at": "2020-01-01T10:00:00"}, "starts_at"),
    ({"ends_at": "2020-01-01T10:00:00"}, "ends_at"),
    ({"place": "", "online_url": None}, "place"),
    ({"notice_url": "https://example.com/x"}, "notice_url"),
], ids=["start-in-past", "end-before-start", "nowhere", "not-doffin"])
def test_bad_dates_and_places_are_422_with_the_reason(cast, need, api_client, overrides, field):
    response = api_client(cast["alice"]).post("/api/dialogues", body(need=need.pk, **overrides),
                                              content_type="application/json")
    assert response.status_code == 422 and field in response.json()["detail"]
    assert not Dialogue.objects.exists()


def test_a_time_without_a_zone_is_norwegian_time(cast, need, api_client):
    starts = timezone.localtime(dialogue_fields()["starts_at"]).replace(tzinfo=None) + dt.timedelta(days=1)
    response = api_client(cast["alice"]).post("/api/dialogues", body(
        need=need.pk, starts_at=starts.isoformat(), ends_at=(starts + dt.timedelta(hours=2)).isoformat()),
        content_type="application/json")
    assert response.status_code == 201
    dialogue = Dialogue.objects.get()
    assert str(timezone.get_current_timezone()) == "Europe/Oslo"
    assert timezone.localtime(dialogue.starts_at).replace(tzinfo=None) == starts


def test_registering_through_the_api(cast, bergen, need, lyngdal, api_client, django_capture_on_commit_callbacks):
    dialogue = announce(cast, bergen, [need], capacity=1)
    bob = api_client(cast["bob"])
    url = f"/api/dialogues/{dialogue.pk}/registrations"
    with django_capture_on_commit_callbacks(execute=True):
        registered = bob.post(url, {"attendees": ATTENDEES.splitlines()}, content_type="application/json")
    assert registered.status_code == 201 and registered.json()["attendees"] == ATTENDEES.splitlines()
    assert [message.to for message in mail.outbox] == [["bob@example.no"]]
    assert bob.post(url, {"attendees": ["Bob"]}, content_type="application/json").status_code == 409
    full = api_client(cast["dave"]).post(url, {"attendees": ["Dave"]}, content_type="application/json")
    assert full.status_code == 422 and "full" in full.json()["detail"]
    assert api_client(cast["alice"]).post(url, {"attendees": ["Alice"]},
                                          content_type="application/json").status_code == 403  # organizer
    assert bob.post(url, {"attendees": []}, content_type="application/json").status_code == 422
    mine = bob.get(f"/api/dialogues/{dialogue.pk}/registration").json()
    assert [item["organization"]["id"] for item in mine] == [lyngdal.pk]
    assert api_client(cast["dave"]).get(f"/api/dialogues/{dialogue.pk}/registration").json() == []
    assert Registration.objects.count() == 1


def test_registration_closed_is_422_with_the_deadline(cast, bergen, need, api_client):
    dialogue = time_passes(announce(cast, bergen, [need]), days=9)
    response = api_client(cast["bob"]).post(f"/api/dialogues/{dialogue.pk}/registrations", {"attendees": ["Bob"]},
                                            content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"]
    assert not Registration.objects.exists()


def test_written_input_through_the_api(cast, bergen, need, api_client):
    dialogue = announce(cast, bergen, [need])
    dave = api_client(cast["dave"])
    url = f"/api/dialogues/{dialogue.pk}/input"
    assert dave.post(url, {"body": "Vi kan levere."}, content_type="application/json").status_code == 201
    changed = dave.post(url, {"body": "Vi kan levere innen ett år."}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["body"] == "Vi kan levere innen ett år."
    assert api_client(cast["bob"]).post(url, {"body": "Jeg også"}, content_type="application/json").status_code == 403
    assert [item["body"] for item in api_client(cast["alice"]).get(url).json()] == ["Vi kan levere innen ett år."]
    time_passes(dialogue, days=11)
    assert dave.post(url, {"body": "For sent"}, content_type="application/json").status_code == 422


def test_list_and_detail_show_the_summary_and_participants_once_published(cast, bergen, need, lyngdal, api_client):
    upcoming = announce(cast, bergen, [need], title="Kommende dialog")
    held = announce(cast, bergen, [need], title="Holdt dialog")
    actions.register(dialogue=held, actor=cast["bob"], organization=lyngdal, attendees=ATTENDEES)
    time_passes(held, days=11)
    anonymous = api_client(None)
    assert [item["title"] for item in anonymous.get("/api/dialogues").json()["items"]] == ["Kommende dialog"]
    assert [item["title"] for item in anonymous.get("/api/dialogues?when=past").json()["items"]] == ["Holdt dialog"]
    before = anonymous.get(f"/api/dialogues/{held.pk}").json()
    assert before["summary"] is None and before["participants"] == [] and before["online_url"] is None
    actions.publish_summary(dialogue=held, actor=cast["alice"], summary="Markedet er modent.")
    after = anonymous.get(f"/api/dialogues/{held.pk}").json()
    assert after["summary"] == "Markedet er modent." and [org["name"] for org in after["participants"]] == ["Lyngdal"]
    assert "Kari Nordmann" not in str(after)
    assert anonymous.get(f"/api/dialogues/{upcoming.pk}").json()["registration_open"] is True
    assert anonymous.get("/api/dialogues/999999").status_code == 404
    assert anonymous.get("/api/dialogues?page=99").status_code == 422
