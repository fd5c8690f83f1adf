"""The observatory is public and counts only what everyone may see: a need its buyer showed to public
buyers and curators only, and who is in a buyer group (seen by its members and curators only), change
none of its figures — on the page, in the JSON and CSV downloads or in the API, for anyone, curators
included — while a public need does, at once, and so does a need made public later."""

import csv
import io

import pytest

from delbar.diffusion import actions, registry
from delbar.groups.actions import form_group
from delbar.needs import actions as need_actions
from delbar.needs.models import Visibility
from delbar.orgs.models import Organization
from delbar.questions.actions import ask
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGE = "/observatory/?map=needs&by=county"


def org(number: str) -> Organization:
    return Organization.objects.get(municipality_number=number)


@pytest.fixture
def observed(cast, make_case, bergen, lyngdal):
    """Something to observe: Bergen's published case, taken up by Utsira, with a question from Lyngdal."""
    case = make_case("published")
    actions.declare(case=case, actor=None, organization=org("1151"), adopted_on=case.published_at.date(),
                    route="pilot")
    ask(case=case, actor=cast["bob"], organization=lyngdal, body="Hvordan gikk det?")
    return case


def _need(cast, lyngdal, visibility: str):
    return need_actions.create_need(actor=cast["bob"], organization=lyngdal, match=False, fields={
        "title": "Fallsensorer i omsorgsboliger", "description": "Vi trenger å oppdage fall om natten.",
        "sector_id": "helse-omsorg", "visibility": visibility})


def everything_shown(api_client, user=None) -> dict:
    """Every figure `user` may see, as the API, the JSON and CSV downloads and the page show it."""
    api, web = api_client(user), client_for(user)
    names = registry.NAMES if user is not None and user.username == "carol" else list(registry.PUBLIC)
    shown = {"api": api.get("/api/observatory?by=county").json()}
    for name in names:
        shown[name] = (api.get(f"/api/observatory/{name}?by=county").json(),
                       web.get(f"/observatory/{name}.json?by=county").json(),
                       web.get(f"/observatory/{name}.csv?by=county").content.decode())
    page = web.get(PAGE)
    assert page.status_code == 200
    shown["page"] = {name: figure.rows for name, figure in page.context["figures"].items()}
    return shown


def test_buyers_only_needs_and_buyer_groups_change_no_figure(observed, cast, api_client, bergen, lyngdal):
    before = {who: everything_shown(api_client, cast[who]) for who in ("anonymous", "bob", "carol")}
    need = _need(cast, lyngdal, Visibility.BUYERS)
    # Bergen, Utsira and Kvitsøy join Lyngdal in a buyer group: who is in it is for them and curators.
    form_group(need=need, actor=cast["bob"], name="Fallsensorer sammen", members=[bergen, org("1151"), org("1144")])
    for who in ("anonymous", "bob", "carol"):
        assert everything_shown(api_client, cast[who]) == before[who], who


def test_a_public_need_is_counted_at_once_but_its_buyer_group_is_not(observed, cast, api_client, bergen, lyngdal):
    before = everything_shown(api_client)
    need = _need(cast, lyngdal, Visibility.PUBLIC)
    after = everything_shown(api_client)
    assert after != before
    this_year = need.created_at.year
    activity = {row["year"]: row for row in after["activity"][0]["rows"]}
    assert activity[this_year]["needs"] == 1
    map_rows = {row["municipality_number"]: row for row in after["map"][0]["rows"]}
    assert (map_rows["4225"]["needs"], map_rows["4225"]["reached"]) == (1, 1)
    csv_rows = {row["municipality_number"]: row for row in csv.DictReader(io.StringIO(after["map"][2]))}
    page_rows = {row["municipality_number"]: row for row in after["page"]["map"]}
    assert csv_rows["4225"]["needs"] == "1" and page_rows["4225"]["needs"] == 1
    form_group(need=need, actor=cast["bob"], name="Fallsensorer sammen", members=[bergen, org("1144")])
    assert everything_shown(api_client) == after


def test_a_need_made_public_is_counted_and_one_made_private_is_not(observed, cast, api_client, lyngdal):
    need = _need(cast, lyngdal, Visibility.BUYERS)
    hidden = everything_shown(api_client)        # cached: the next views must see the change anyway
    need_actions.update_need(need=need, actor=cast["bob"], fields={"visibility": Visibility.PUBLIC}, match=False)
    shown = everything_shown(api_client)
    year = need.created_at.year
    assert {row["year"]: row["needs"] for row in shown["activity"][0]["rows"]}[year] == 1
    assert {row["year"]: row["needs"] for row in hidden["activity"][0]["rows"]}[year] == 0
    need_actions.update_need(need=need, actor=cast["bob"], fields={"visibility": Visibility.BUYERS}, match=False)
    assert everything_shown(api_client) == hidden


def test_the_learning_network_has_no_buyer_group_edges(observed, cast, api_client, bergen, lyngdal):
    need = _need(cast, lyngdal, Visibility.PUBLIC)
    form_group(need=need, actor=cast["bob"], name="Fallsensorer sammen", members=[bergen, org("1144")])
    for user in (None, cast["carol"]):
        rows = {row["name"]: row for row in api_client(user).get("/api/observatory/network").json()["rows"]}
        # Lyngdal asked Bergen a question and Utsira adopted Bergen's case; nobody learned from Lyngdal.
        assert set(rows) == {"Bergen", "Lyngdal", "Utsira"}
        assert (rows["Lyngdal"]["taught"], rows["Bergen"]["learned_from"]) == (0, 0)
        assert "group_members" not in rows["Bergen"]
