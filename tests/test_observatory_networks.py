"""The observatory narrowed to a network (`?network=<slug>`): which of the network's cases spread, and
where. The collection is its active members' published cases and the cases linked to it; the page, the
CSV and JSON downloads and the API give the same rows, an unknown network is refused, and a new member
or linked case shows at once.

(The networks' own actions are written elsewhere; networks, members and links are made here with the
models, as the demo makes them.)"""

import csv
import datetime as dt
import io

import pytest

from delbar.accounts.models import Membership, Role
from delbar.cases import actions as case_actions
from delbar.cases.models import CaseNetwork, Status
from delbar.diffusion import actions as diffusion_actions
from delbar.diffusion.observatory import network_case_ids
from delbar.networks.models import Network, NetworkMember
from delbar.orgs.models import Organization, Sector
from tests.conftest import _person, bring_to, client_for

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "alice", "bob", "dave", "carol", "admin", "nora"]


@pytest.fixture
def agder(cast, lyngdal, bergen):
    """A regional network: Lyngdal is a member, Bergen has asked to join; Nora curates it (and is no
    Delbar curator)."""
    organization = Organization.objects.create(kind=Organization.Kind.NETWORK, name="Innkjøpsnettverket i Agder")
    network = Network.objects.create(organization=organization, slug="agder", kind=Network.Kind.REGIONAL,
                                     description="Kommunene i Agder kjøper inn sammen.")
    NetworkMember.objects.create(network=network, organization=lyngdal, status=NetworkMember.Status.ACTIVE)
    NetworkMember.objects.create(network=network, organization=bergen, status=NetworkMember.Status.PENDING)
    cast["nora"] = _person("nora", organization, Role.EDITOR)
    return network


@pytest.fixture
def spread(cast, agder, make_case, lyngdal):
    """Four published cases, each taken up by another municipality: Lyngdal's (a member's), a Bergen case
    linked to the network, a Bergen case that is not, and a linked draft that stays out."""
    water = Sector.objects.get(pk="vann-avlop-avfall")
    lyngdals = bring_to(case_actions.create_case(actor=cast["bob"], lead_buyer=lyngdal, fields={
        "title": "Lekkasjesøk med lyttesensorer", "summary": "Lyngdal fant lekkasjene.", "sector": water,
        "year": 2020}), Status.PUBLISHED, cast)
    linked = make_case(Status.PUBLISHED, title="Robot i tunnelen", year=2020)
    outside = make_case(Status.PUBLISHED, title="Fuktsensorer i skolene", year=2020)
    draft = make_case(Status.DRAFT, title="Et utkast i nettverket")
    for case in (linked, draft):
        CaseNetwork.objects.create(case=case, network=agder.organization, added_by=cast["nora"])
    adopters = Organization.objects.municipalities().exclude(pk__in=[lyngdal.pk, linked.lead_buyer_id]).order_by(
        "municipality_number")
    taken_up = {lyngdals: adopters[:2], linked: adopters[2:3], outside: adopters[3:7]}
    for case, organizations in taken_up.items():
        for organization in organizations:
            diffusion_actions.declare(case=case, actor=None, organization=organization, adopted_on=dt.date(2021, 5, 1))
    return {"lyngdals": lyngdals, "linked": linked, "outside": outside, "draft": draft,
            "adopters": {case.pk: {o.municipality_number for o in orgs} for case, orgs in taken_up.items()}}


def _spread_ids(rows) -> set[int]:
    return {int(row["id"]) for row in rows}


def test_the_collection_is_the_active_members_cases_and_the_linked_published_ones(spread, agder):
    assert set(network_case_ids(agder).values_list("pk", flat=True)) == {spread["lyngdals"].pk, spread["linked"].pk}


def test_page_downloads_and_api_count_the_networks_cases_and_where_they_spread(spread, agder, cast, api_client):
    page = client_for(None).get("/observatory/", {"network": "agder", "map": "adoptions"})
    assert page.status_code == 200
    figures = page.context["figures"]
    collection = {spread["lyngdals"].pk, spread["linked"].pk}
    assert _spread_ids(figures["spread"].rows) == collection
    assert {row["id"]: row["adopters"] for row in figures["spread"].rows} == {
        spread["lyngdals"].pk: 2, spread["linked"].pk: 1}
    # The map: adoptions of the network's cases only, where they were taken up.
    mapped = {row["municipality_number"] for row in figures["map"].rows if row["adoptions"]}
    assert mapped == spread["adopters"][spread["lyngdals"].pk] | spread["adopters"][spread["linked"].pk]
    assert {row["municipality_number"] for row in figures["map"].rows if row["cases"]} == {"4225", "4601"}
    # Needs and notices are in no collection: left out, not counted unfiltered.
    assert all(row["needs"] is None and row["notices"] is None for row in figures["activity"].rows)
    assert sum(row["adoptions"] for row in figures["activity"].rows) == 3
    assert figures["reach_by_size"].notes and all(row["posted"] is None for row in figures["reach_by_size"].rows)
    # The same rows in the CSV, the JSON and the API, from the same function.
    downloaded = list(csv.DictReader(io.StringIO(
        client_for(None).get("/observatory/spread.csv", {"network": "agder"}).content.decode())))
    assert _spread_ids(downloaded) == collection
    as_json = client_for(None).get("/observatory/spread.json", {"network": "agder"}).json()
    assert _spread_ids(as_json["rows"]) == collection and as_json["filters"]["network"] == "agder"
    api = api_client(None)
    one = api.get("/api/observatory/spread", {"network": "agder"})
    assert one.status_code == 200 and one.json()["rows"] == as_json["rows"]
    every = api.get("/api/observatory", {"network": "agder", "map": "adoptions"}).json()
    assert every["filters"]["network"] == "agder"
    assert every["figures"]["map"]["rows"] == client_for(None).get(
        "/observatory/map.json", {"network": "agder", "map": "adoptions"}).json()["rows"]
    # Without the filter every published case is there.
    whole = client_for(None).get("/observatory/spread.json").json()
    assert _spread_ids(whole["rows"]) == collection | {spread["outside"].pk}


def test_filters_combine_with_the_network(spread, agder):
    figures = client_for(None).get("/observatory/", {"network": "agder", "county": "42"}).context["figures"]
    # County narrows cases by their lead buyer: Lyngdal's stays, Bergen's linked case goes.
    assert _spread_ids(figures["spread"].rows) == {spread["lyngdals"].pk}


def test_an_unknown_network_is_not_found_and_the_api_says_why(spread, api_client):
    assert client_for(None).get("/observatory/", {"network": "nowhere"}).status_code == 404
    assert client_for(None).get("/observatory/spread.csv", {"network": "nowhere"}).status_code == 404
    assert client_for(None).get("/observatory/map.json", {"network": "nowhere"}).status_code == 404
    api = api_client(None)
    for url in ("/api/observatory", "/api/observatory/spread"):
        response = api.get(url, {"network": "nowhere"})
        assert response.status_code == 422 and "network" in response.json()["detail"]
    assert api.get("/api/observatory", {"network": "æøå"}).status_code == 422
    # Other bad filters still answer as before: the form again, with its errors.
    assert client_for(None).get("/observatory/", {"sector": "nowhere"}).status_code == 400


def test_a_new_member_and_a_new_link_show_at_once(spread, agder, bergen, cast):
    def collection():
        return _spread_ids(client_for(None).get("/observatory/spread.json", {"network": "agder"}).json()["rows"])

    before = collection()
    assert spread["outside"].pk not in before
    # Bergen is approved: all its published cases join the collection (the figures are cached).
    NetworkMember.objects.filter(network=agder, organization=bergen).update(
        status=NetworkMember.Status.ACTIVE, decided_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert collection() == before | {spread["outside"].pk}
    NetworkMember.objects.filter(network=agder, organization=bergen).delete()
    assert collection() == before
    other = Organization.objects.create(kind=Organization.Kind.NETWORK, name="LUP")
    CaseNetwork.objects.create(case=spread["outside"], network=other)
    assert collection() == before
    CaseNetwork.objects.create(case=spread["outside"], network=agder.organization)
    assert collection() == before | {spread["outside"].pk}


def test_the_filter_lists_the_networks_and_names_the_chosen_one(spread, agder):
    client = client_for(None)
    client.cookies["django_language"] = "en"
    page = client.get("/observatory/").content.decode()
    assert '<option value="agder">Innkjøpsnettverket i Agder</option>' in page
    assert 'id="observatory-network"' not in page
    chosen = client.get("/observatory/", {"network": "agder"}).content.decode()
    assert 'id="observatory-network"' in chosen and 'href="/nettverk/agder/"' in chosen
    assert '<option value="agder" selected>' in chosen


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_same_network_figures(spread, agder, cast, role):
    client = client_for(cast[role])
    page = client.get("/observatory/", {"network": "agder"})
    assert page.status_code == 200
    assert _spread_ids(page.context["figures"]["spread"].rows) == {spread["lyngdals"].pk, spread["linked"].pk}
    for name in ("spread", "map", "activity", "breakdown", "reach-by-size", "reach-by-county", "speed", "network"):
        assert client.get(f"/observatory/{name}.csv", {"network": "agder"}).status_code == 200
    curator_only = client.get("/observatory/unreached.json", {"network": "agder"})
    is_curator = role in ("carol", "admin")
    assert curator_only.status_code == (200 if is_curator else 404)


def test_the_network_curator_is_no_delbar_curator_here(spread, agder, cast):
    # Nora curates her network, not Delbar: the observatory gives her the public figures, as everyone.
    assert Membership.objects.get(user=cast["nora"]).organization == agder.organization
    page = client_for(cast["nora"]).get("/observatory/", {"network": "agder"})
    assert page.context["curator"] is False
