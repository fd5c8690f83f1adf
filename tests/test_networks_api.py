"""/api/networks: the network pages' JSON twin, with the same access rules and actions. Every response
is checked against the committed OpenAPI document (conftest's api_client)."""

import pytest

from delbar.cases.models import CaseNetwork, Status
from delbar.networks.collection import collection
from delbar.networks.models import NetworkMember
from tests.test_networks import MEMBERS_ONLY_TITLE, PUBLIC_TITLE, build_world


@pytest.fixture
def world(cast, bergen, lyngdal, make_case):
    return build_world(cast, bergen, lyngdal, make_case)


def test_networks_are_listed_and_read_with_their_members(world, api_client, bergen):
    api = api_client()
    listed = api.get("/api/networks").json()
    assert [(item["slug"], item["member_count"]) for item in listed] == [("agder", 1)]
    assert listed[0]["feed_url"] == "/nettverk/agder/feed.atom" and listed[0]["embed_url"] == "/nettverk/agder/embed/"
    one = api.get("/api/networks/agder").json()
    assert [member["organization"]["id"] for member in one["members"]] == [bergen.pk]
    assert one["case_count"] == 1 and one["organization"]["kind"] == "network" and one["logo_url"] is None
    assert api.get("/api/networks/nowhere").status_code == 404
    assert api.get("/api/networks/no.such.slug").status_code == 422
    assert api.validated == 4


def test_the_collection_is_paged_in_the_case_list_shape(world, api_client, cast):
    api = api_client()
    page = api.get("/api/networks/agder/cases").json()
    assert page["count"] == 1 and [item["id"] for item in page["items"]] == [world["member_case"].pk]
    assert set(page["items"][0]) == set(api.get("/api/cases").json()["items"][0])  # the same shape as /api/cases
    assert api.get("/api/networks/agder/cases", {"q": "nattilsyn"}).json()["count"] == 0
    assert api.get("/api/networks/agder/cases", {"q": "robot tunnel"}).json()["count"] == 1
    assert api.get("/api/networks/agder/cases", {"page": 2}).status_code == 422
    assert api.get("/api/networks/agder/cases", {"year": 1800}).status_code == 422
    assert api.get("/api/networks/nowhere/cases").status_code == 404


@pytest.mark.parametrize(("role", "sees"), [("anonymous", False), ("bob", False), ("dave", False), ("carol", False),
                                            ("alice", True), ("admin", True), ("nora", True)])
def test_members_only_news_needs_the_token_of_one_who_sees_the_members_area(world, api_client, role, sees):
    api = api_client(world["cast"][role])
    titles = [item["title"] for item in api.get("/api/networks/agder/news").json()]
    assert PUBLIC_TITLE in titles
    assert (MEMBERS_ONLY_TITLE in titles) is sees


def test_joining_through_the_api(world, api_client, cast, lyngdal):
    bob = api_client(cast["bob"])
    response = bob.post("/api/networks/agder/join", {}, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "pending"
    assert response.json()["organization"]["id"] == lyngdal.pk
    assert NetworkMember.objects.get(organization=lyngdal).requested_by == cast["bob"]
    assert bob.post("/api/networks/agder/join", {}, content_type="application/json").status_code == 403
    assert api_client(cast["alice"]).post("/api/networks/agder/join", {}, content_type="application/json"
                                          ).status_code == 403  # Bergen is a member already
    assert api_client().post("/api/networks/agder/join", {}, content_type="application/json").status_code == 401
    assert api_client(cast["dave"]).post("/api/networks/agder/join", {"organization": 1},
                                         content_type="application/json").status_code == 403


def test_joining_for_an_organization_one_may_not_is_refused(world, api_client, cast, bergen):
    response = api_client(cast["bob"]).post("/api/networks/agder/join", {"organization": bergen.pk},
                                            content_type="application/json")
    assert response.status_code == 403 and "detail" in response.json()
    assert NetworkMember.objects.filter(network=world["network"]).count() == 1


def test_curators_add_and_remove_cases(world, api_client, make_case):
    nora, case = api_client(world["nora"]), world["outside_case"]
    added = nora.post("/api/networks/agder/cases", {"case": case.pk}, content_type="application/json")
    assert added.status_code == 201 and added.json()["id"] == case.pk
    assert case in collection(world["network"])
    assert nora.post("/api/networks/agder/cases", {"case": case.pk}, content_type="application/json"
                     ).status_code == 409
    draft = make_case(Status.DRAFT)
    assert nora.post("/api/networks/agder/cases", {"case": draft.pk}, content_type="application/json"
                     ).status_code == 422
    assert nora.delete(f"/api/networks/agder/cases/{case.pk}").status_code == 204
    assert not CaseNetwork.objects.filter(case=case).exists()
    assert nora.delete(f"/api/networks/agder/cases/{world['member_case'].pk}").status_code == 409
    assert nora.delete("/api/networks/agder/cases/999999").status_code == 404


@pytest.mark.parametrize("role", ["alice", "bob", "dave"])
def test_others_may_not_curate_through_the_api(world, api_client, role):
    api = api_client(world["cast"][role])
    case = world["outside_case"]
    assert api.post("/api/networks/agder/cases", {"case": case.pk}, content_type="application/json"
                    ).status_code == 403
    assert api.delete(f"/api/networks/agder/cases/{world['member_case'].pk}").status_code == 403
    assert api.post("/api/networks/agder/news", {"title": "x", "body": "y"}, content_type="application/json"
                    ).status_code == 403
    assert not CaseNetwork.objects.exists() and world["network"].news.count() == 2


def test_curators_post_news_and_bad_news_is_refused(world, api_client, cast):
    nora = api_client(world["nora"])
    posted = nora.post("/api/networks/agder/news", {"title": "Fra API", "body": "Tekst.", "members_only": True},
                       content_type="application/json")
    assert posted.status_code == 201 and posted.json()["members_only"] is True
    for body in ({"title": "", "body": "x"}, {"title": "x"}, {"title": "x" * 201, "body": "y"}, ["x"]):
        assert nora.post("/api/networks/agder/news", body, content_type="application/json").status_code == 422, body
    # Delbar's curators post for everyone: members-only news is not theirs to write.
    carol = api_client(cast["carol"])
    assert carol.post("/api/networks/agder/news", {"title": "Til medlemmene", "body": "x", "members_only": True},
                      content_type="application/json").status_code == 403
    assert carol.post("/api/networks/agder/news", {"title": "Til alle", "body": "x"},
                      content_type="application/json").status_code == 201
    assert api_client().post("/api/networks/agder/news", {"title": "x", "body": "y"},
                             content_type="application/json").status_code == 401
    assert sorted(world["network"].news.values_list("title", flat=True)) == sorted(
        [PUBLIC_TITLE, MEMBERS_ONLY_TITLE, "Fra API", "Til alle"])
