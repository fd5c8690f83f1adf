"""Matchmaking at a dialogue: Delbar proposes meetings between buyers with the same need (the real matching,
run by the needs' own actions) and with suppliers whose solutions match it, registered organizations first;
proposing again keeps the organizers' edits; the table is sent once; buyers leave with a buyer group formed
in one step; the table downloads as CSV for the organizers only."""

import csv
import io

import pytest

from delbar.alerts.models import Notification
from delbar.dialogues import actions, matchmaking
from delbar.dialogues.models import Meeting
from delbar.groups.models import BuyerGroup
from delbar.needs.models import Match
from delbar.orgs.models import Sector
from delbar.suppliers import actions as supplier_actions
from tests.conftest import client_for
from tests.test_dialogues import announce, make_erik, post_need

FERRY = ("Ferja vår går på diesel. Vi vil ha en ferje som går på strøm og lades ved kaia, for å kutte "
         "utslippene i sambandet.")


@pytest.fixture
def erik(db):
    return make_erik()


@pytest.fixture
def world(cast, bergen, lyngdal, erik):
    """Dave offers electric ferries; Lyngdal needs one; then Bergen posts the same need, which the matching
    pairs with both. Erik's sensors match nothing about ferries."""
    supplier = cast["dave"].memberships.get().organization
    transport = Sector.objects.get(pk="samferdsel")
    solution = supplier_actions.save_solution(actor=cast["dave"], organization=supplier, fields={
        "title": "Batterielektriske ferjer", "description": "Vi bygger elektriske ferjer og lader dem ved kaia."},
        sectors=[transport])
    supplier_actions.save_solution(actor=erik, organization=erik.memberships.get().organization, fields={
        "title": "Fallsensorer", "description": "Radar som varsler fall på sykehjem."})
    theirs = post_need(cast["bob"], lyngdal, "Utslippsfri ferje", FERRY, sector=transport)
    ours = post_need(cast["alice"], bergen, "Elektrisk ferje", FERRY, sector=transport)
    dialogue = announce(cast, bergen, [ours])
    return {"dialogue": dialogue, "ours": ours, "theirs": theirs, "solution": solution, "supplier": supplier}


def test_buyers_with_the_same_need_and_a_matching_supplier_are_proposed_with_reasons(cast, world, lyngdal):
    assert Match.objects.filter(need=world["ours"], kind="need", object_id=world["theirs"].pk).exists()
    meetings = matchmaking.propose(world["dialogue"], user=cast["alice"])
    buyers = [m for m in meetings if m.kind == Meeting.Kind.BUYERS]
    suppliers = [m for m in meetings if m.kind == Meeting.Kind.SUPPLIER]
    assert [(m.first.name, m.second, m.need, m.other_need) for m in buyers] == [
        ("Bergen", lyngdal, world["ours"], world["theirs"])]
    assert [(m.second, m.solution) for m in suppliers] == [(world["supplier"], world["solution"])]
    assert all(m.reason and m.score > 0 for m in meetings)
    assert "Erik Sensor AS" not in {m.second.name for m in meetings}


def test_registered_organizations_come_first_in_the_table(cast, world, lyngdal):
    actions.register(dialogue=world["dialogue"], actor=cast["bob"], organization=lyngdal, attendees="Bob")
    matchmaking.propose(world["dialogue"], user=cast["alice"])
    rows = matchmaking.table(world["dialogue"])
    assert [row.registered for row in rows if row.meeting.kind == Meeting.Kind.BUYERS] == [True]
    assert [row.registered for row in rows if row.meeting.kind == Meeting.Kind.SUPPLIER] == [False]


def test_proposing_again_keeps_the_organizers_edits(cast, world, erik):
    alice = client_for(cast["alice"])
    dialogue = world["dialogue"]
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/propose/").status_code == 302
    buyers = Meeting.objects.get(dialogue=dialogue, kind=Meeting.Kind.BUYERS)
    supplier = Meeting.objects.get(dialogue=dialogue, kind=Meeting.Kind.SUPPLIER)
    alice.post(f"/dialogues/{dialogue.pk}/matchmaking/{buyers.pk}/", {"action": "slot", "slot": "10:30, bord 4"})
    alice.post(f"/dialogues/{dialogue.pk}/matchmaking/{supplier.pk}/", {"action": "remove"})
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/propose/").status_code == 302
    assert Meeting.objects.filter(dialogue=dialogue).count() == 2
    buyers.refresh_from_db()
    supplier.refresh_from_db()
    assert buyers.slot == "10:30, bord 4" and not buyers.removed
    assert supplier.removed
    alice.post(f"/dialogues/{dialogue.pk}/matchmaking/{supplier.pk}/", {"action": "restore"})
    supplier.refresh_from_db()
    assert not supplier.removed
    # A pair added by hand; adding it twice is refused.
    erik_org = erik.memberships.get().organization
    add = {"first": dialogue.organizer_id, "second": erik_org.pk}
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/add/", add).status_code == 400  # not in the dialogue
    actions.register(dialogue=dialogue, actor=erik, organization=erik_org, attendees="Erik")
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/add/", add).status_code == 302
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/add/", add).status_code == 400
    by_hand = Meeting.objects.get(dialogue=dialogue, second=erik_org)
    assert by_hand.by_hand and by_hand.kind == Meeting.Kind.SUPPLIER
    matchmaking.propose(dialogue, user=cast["alice"])
    by_hand.refresh_from_db()
    assert by_hand.by_hand and Meeting.objects.filter(dialogue=dialogue).count() == 3


def test_sending_tells_both_organizations_once(cast, world):
    dialogue = world["dialogue"]
    matchmaking.propose(dialogue, user=cast["alice"])
    supplier = Meeting.objects.get(dialogue=dialogue, kind=Meeting.Kind.SUPPLIER)
    actions.change_meeting(meeting=supplier, actor=cast["alice"], removed=True)
    alice = client_for(cast["alice"])
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/send/").status_code == 302
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/send/").status_code == 302
    buyers = Meeting.objects.get(dialogue=dialogue, kind=Meeting.Kind.BUYERS)
    assert buyers.sent_at is not None
    told = set(Notification.objects.filter(event=f"meeting:{buyers.pk}").values_list("user__username", flat=True))
    assert told == {"alice", "bob"}
    assert not Notification.objects.filter(event=f"meeting:{supplier.pk}").exists()  # removed: not sent


def test_buyers_leave_with_a_buyer_group_formed_in_one_step(cast, world, lyngdal):
    dialogue = world["dialogue"]
    matchmaking.propose(dialogue, user=cast["alice"])
    buyers = Meeting.objects.get(dialogue=dialogue, kind=Meeting.Kind.BUYERS)
    supplier = Meeting.objects.get(dialogue=dialogue, kind=Meeting.Kind.SUPPLIER)
    alice = client_for(cast["alice"])
    page = alice.get(f"/dialogues/{dialogue.pk}/matchmaking/")
    assert page.status_code == 200 and f'value="{buyers.pk}"' in page.content.decode()
    # A supplier is no buyer group member.
    assert alice.post(f"/dialogues/{dialogue.pk}/matchmaking/group/",
                      {"meetings": [supplier.pk]}).status_code == 400
    assert not BuyerGroup.objects.exists()
    response = alice.post(f"/dialogues/{dialogue.pk}/matchmaking/group/",
                          {"meetings": [buyers.pk], "name": "Ferjegruppen"})
    group = BuyerGroup.objects.get()
    assert response.status_code == 302 and response.url == group.get_absolute_url()
    assert group.name == "Ferjegruppen" and group.lead == dialogue.organizer and group.need == world["ours"]
    assert {(m.organization, m.need) for m in group.members.all()} == {
        (dialogue.organizer, world["ours"]), (lyngdal, world["theirs"])}
    assert Notification.objects.filter(user=cast["bob"], event=f"group-formed:{group.pk}").exists()


def test_the_table_and_its_csv_are_the_organizers_only(cast, world, erik):
    dialogue = world["dialogue"]
    matchmaking.propose(dialogue, user=cast["alice"])
    for who, user in [("bob", cast["bob"]), ("dave", cast["dave"]), ("erik", erik)]:
        client = client_for(user)
        assert client.get(f"/dialogues/{dialogue.pk}/matchmaking/").status_code == 403, who
        assert client.get(f"/dialogues/{dialogue.pk}/matchmaking.csv").status_code == 403, who
        assert client.post(f"/dialogues/{dialogue.pk}/matchmaking/propose/").status_code == 403, who
        assert client.post(f"/dialogues/{dialogue.pk}/matchmaking/send/").status_code == 403, who
    assert client_for(None).get(f"/dialogues/{dialogue.pk}/matchmaking/").status_code == 302  # to log in
    for who in ("alice", "carol", "admin"):
        response = client_for(cast[who]).get(f"/dialogues/{dialogue.pk}/matchmaking.csv")
        assert response.status_code == 200, who
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert {row["meets"] for row in rows} == {"Lyngdal", "Dave Robotics AS"}
