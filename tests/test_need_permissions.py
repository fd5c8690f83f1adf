"""Who sees and does what with a need, everywhere it shows: the need page, search, the needs list,
the API, the demand view, other needs' matches and e-mail. Written out by hand from
docs/permissions.md. The need is Bergen's (Alice owns it); Bob edits for Lyngdal, another buyer;
Dave is a supplier; Carol curates; anonymous visitors have no account."""

import pytest

from delbar.alerts.models import Notification, Subscription
from delbar.alerts.news import collect
from delbar.needs import actions
from delbar.needs.models import Match
from delbar.orgs.models import Sector
from delbar.suppliers import actions as supplier_actions
from delbar.suppliers.models import Proposal
from tests.conftest import client_for

ROLES = ["anonymous", "alice", "bob", "dave", "carol", "admin"]
SEES = {"public": set(ROLES), "buyers": {"alice", "bob", "carol", "admin"}}
MAY = {"edit": {"alice", "admin"}, "join": {"bob"}, "propose": {"dave"}, "proposals": {"alice", "carol", "admin"}}
TITLE = "Sensorer som varsler fall om natta"


@pytest.fixture
def need_of(cast, bergen):
    def make(visibility):
        return actions.create_need(actor=cast["alice"], organization=bergen, fields={
            "title": TITLE, "description": "Nattevakten går faste runder og vekker beboerne. Vi vil bli varslet "
            "når noen faller eller står opp.", "visibility": visibility,
            "sector": Sector.objects.get(pk="helse-omsorg")})
    return make


@pytest.mark.parametrize("visibility", ["public", "buyers"])
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_need_on_every_surface(role, visibility, cast, need_of, api_client):
    need = need_of(visibility)
    sees = role in SEES[visibility]
    client = client_for(cast[role])
    assert client.get(need.get_absolute_url()).status_code == (200 if sees else 404)
    assert (need.get_absolute_url() in client.get("/search/", {"q": "fall natt sensor"}).content.decode()) is sees
    assert (need.get_absolute_url() in client.get("/needs/").content.decode()) is sees
    api = api_client(cast[role])
    assert api.get(f"/api/needs/{need.pk}").status_code == (200 if sees else 404)
    assert (need.pk in [item["id"] for item in api.get("/api/needs").json()["items"]]) is sees
    assert (need.pk in [hit["object_id"] for hit in api.get("/api/search", {"q": "fall natt", "kind": "need"})
                        .json()["items"]]) is sees
    # The demand view never counts a buyers-only need, whoever looks.
    assert api.get("/api/demand").json()["total"] == (1 if visibility == "public" else 0)
    assert (TITLE in client.get("/demand/").content.decode()) is (visibility == "public")


@pytest.mark.parametrize("visibility", ["public", "buyers"])
@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_may_do_with_an_open_need(role, visibility, cast, need_of, api_client):
    need = need_of(visibility)
    from django.contrib.auth.models import AnonymousUser

    from delbar.needs.access import allowed_actions
    user = cast[role] or AnonymousUser()
    allowed = allowed_actions(user, need)
    for action, roles in MAY.items():
        expected = role in roles and role in SEES[visibility]
        assert (action in allowed) is expected, (action, role)
    if role == "anonymous":
        return
    api = api_client(cast[role])
    edited = api.patch(f"/api/needs/{need.pk}", {"title": "Endret"}, content_type="application/json")
    assert edited.status_code == (200 if role in MAY["edit"] else 404 if role not in SEES[visibility] else 403)
    joined = api.post(f"/api/needs/{need.pk}/interest", {}, content_type="application/json")
    assert joined.status_code == (201 if role in MAY["join"] and role in SEES[visibility]
                                  else 404 if role not in SEES[visibility] else 403)
    proposed = api.post(f"/api/needs/{need.pk}/proposals", {"body": "Vi har sensorer."},
                        content_type="application/json")
    assert proposed.status_code == (201 if role in MAY["propose"] and role in SEES[visibility]
                                    else 404 if role not in SEES[visibility] else 403)


def test_proposals_are_seen_by_owner_group_and_curators_only(cast, need_of, api_client, lyngdal):
    need = need_of("public")
    supplier_actions.propose(need=need, actor=cast["dave"], organization=cast["dave"].memberships.get().organization,
                             body="Vi har sensorer som varsler fall.")
    for role in ["alice", "carol", "admin", "dave"]:
        assert [p["body"] for p in api_client(cast[role]).get(f"/api/needs/{need.pk}/proposals").json()] == [
            "Vi har sensorer som varsler fall."], role
    assert api_client(cast["bob"]).get(f"/api/needs/{need.pk}/proposals").json() == []
    # Once Lyngdal is in the need's buyer group, Bob sees them too.
    from delbar.groups.actions import form_group
    form_group(need=need, actor=cast["alice"], name="Nattilsyn", members=[lyngdal])
    assert len(api_client(cast["bob"]).get(f"/api/needs/{need.pk}/proposals").json()) == 1
    assert Proposal.objects.count() == 1


def test_buyers_only_needs_never_appear_among_a_suppliers_matches_or_alerts(cast, need_of, lyngdal):
    hidden = need_of("buyers")
    other = actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Varsling av fall på sykehjem", "description": "Vi vil vite når beboere faller om natten."})
    assert Match.objects.filter(need=other, kind="need", object_id=hidden.pk).exists()
    page = client_for(cast["dave"]).get(other.get_absolute_url()).content.decode()
    assert TITLE not in page
    assert TITLE in client_for(cast["bob"]).get(other.get_absolute_url()).content.decode()
    # A supplier following the sector hears about the public need, never the buyers-only one.
    import datetime as dt

    from django.utils import timezone
    Subscription.objects.create(user=cast["dave"], topic="sector", value="helse-omsorg",
                                checked_at=timezone.now() - dt.timedelta(hours=1))
    Subscription.objects.create(user=cast["bob"], topic="sector", value="helse-omsorg",
                                checked_at=timezone.now() - dt.timedelta(hours=1))
    collect()
    assert not Notification.objects.filter(user=cast["dave"], event=f"need:{hidden.pk}").exists()
    assert Notification.objects.filter(user=cast["bob"], event=f"need:{hidden.pk}").exists()


def test_a_needs_buyer_group_is_named_only_to_its_members_and_curators(cast, need_of, lyngdal, bergen):
    from delbar.accounts.models import Membership, Role
    from delbar.groups.actions import form_group
    from delbar.orgs.models import Organization

    need = need_of("public")
    actions.join(need=need, actor=cast["bob"], organization=lyngdal)
    form_group(need=need, actor=cast["alice"], name="Nattilsyn i vest", members=[lyngdal])
    outsider = Organization.objects.get(municipality_number="0301")
    cast["bob"].memberships.all().delete()
    Membership.objects.create(user=cast["bob"], organization=outsider, role=Role.EDITOR)
    sees = {"alice": True, "carol": True, "admin": True, "anonymous": False, "dave": False, "bob": False}
    for role, expected in sees.items():
        page = client_for(cast[role]).get(need.get_absolute_url()).content.decode()
        assert ("Nattilsyn i vest" in page) is expected, role
