"""The observatory counts innovation competitions: how many were published (by year and sector), how many
buyers and small municipalities took part, how many ended in a contract — the same numbers on the page, in
the CSV and JSON downloads and in the API, within the observatory's filters. Drafts and cancelled challenges
count nowhere."""

import csv
import io

import pytest
from django.utils import timezone

from delbar.challenges import actions
from delbar.groups.actions import form_group
from delbar.needs import actions as need_actions
from delbar.orgs.models import Organization, Sector
from tests.conftest import client_for
from tests.test_challenges import application_fields, challenge_fields, close, later, run_challenge

pytestmark = pytest.mark.django_db
WATER, HEALTH = "vann-avlop-avfall", "helse-omsorg"


def org(number: str) -> Organization:
    return Organization.objects.get(municipality_number=number)


def _group(cast, lyngdal, name: str, members: list):
    need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, match=False, fields={
        "title": f"Behov: {name}", "description": "Vi mister vann i gamle rør.",
        "sector": Sector.objects.get(pk=WATER)})
    return form_group(need=need, actor=cast["bob"], name=name, members=members)


@pytest.fixture
def counted(cast, bergen, lyngdal):
    """Lyngdal's group with Utsira and Kvitsøy (both small) ran a challenge that ended in a contract; Bergen
    runs one of its own in health. A draft and a cancelled challenge of groups with other small
    municipalities count nowhere."""
    bob, alice = cast["bob"], cast["alice"]
    utsira, kvitsoy = org("1151"), org("1144")
    assert utsira.size_class == kvitsoy.size_class == "small" and bergen.size_class == "large"
    ended = run_challenge(_group(cast, lyngdal, "Lekkasjer", [utsira, kvitsoy]), cast, phases=1)
    first = ended.phases.get()
    application = actions.apply(phase=first, actor=cast["dave"], lead=cast["dave"].memberships.get().organization,
                                fields=application_fields())
    close(first)
    actions.award(phase=first, actor=bob, awards={application.pk: 400_000}, justification="God løsning.")
    actions.end(challenge=ended, actor=bob, ended_in_contract=True)

    bergen_need = need_actions.create_need(actor=alice, organization=bergen, match=False, fields={
        "title": "Fall om natten", "description": "Vi vil vite når noen faller.",
        "sector": Sector.objects.get(pk=HEALTH)})
    running = actions.create(actor=alice, owner=bergen, need=bergen_need,
                             fields=challenge_fields(title="Fallvarsling"))
    actions.add_phase(challenge=running, actor=alice, fields={"opens_at": later(hours=-1), "closes_at": later(days=9)})
    actions.set_criteria(challenge=running, actor=alice, rows=[{"name": "Kvalitet", "weight": 100}])
    actions.publish(challenge=running, actor=alice)

    hidden = _group(cast, lyngdal, "Skjult", [org("1818"), org("1144")])
    actions.create(actor=bob, owner=lyngdal, group=hidden, fields=challenge_fields(title="Utkast"))
    cancelled = run_challenge(_group(cast, lyngdal, "Avlyst", [org("1818")]), cast, phases=1)
    actions.cancel(challenge=cancelled, actor=bob)
    assert org("1818").size_class == "small"
    return {"ended": ended, "running": running}


def shown(cast, api_client, name: str, query: str = "") -> dict:
    """One figure as the API, the JSON and CSV downloads and the page show it, rows by their first key."""
    api = api_client(None).get(f"/api/observatory/{name}?{query}").json()
    web = client_for(None)
    as_json = web.get(f"/observatory/{name}.json?{query}").json()
    as_csv = list(csv.DictReader(io.StringIO(web.get(f"/observatory/{name}.csv?{query}").content.decode())))
    page = web.get(f"/observatory/?{query}")
    assert page.status_code == 200
    on_page = page.context["figures"][name.replace("-", "_")].rows
    everywhere = api_client(None).get(f"/api/observatory?{query}").json()["figures"][name]
    assert api["rows"] == as_json["rows"] == everywhere["rows"] == on_page
    assert [{key: str(value) for key, value in row.items()} for row in api["rows"]] == as_csv
    return {"page": page.content.decode(), "rows": api["rows"]}


def test_the_key_figures_agree_everywhere(counted, cast, api_client):
    figure = shown(cast, api_client, "challenges")
    values = {row["measure"]: row["value"] for row in figure["rows"]}
    # Buyers: Lyngdal, Utsira and Kvitsøy in one, Bergen in the other; the draft's and cancelled one's not.
    assert values == {"published": 2, "ended": 1, "ended_in_contract": 1, "buyers": 4, "small_municipalities": 2,
                      "municipalities": 4, "sectors": 2}
    page = figure["page"]
    assert 'id="challenges-heading"' in page and 'data-measure="small_municipalities">2<' in page
    assert 'data-measure="ended_in_contract">1<' in page


def test_by_year_and_by_sector(counted, cast, api_client):
    year = timezone.now().year
    [row] = shown(cast, api_client, "challenges-by-year")["rows"]
    assert row == {"year": year, "published": 2, "ended": 1, "ended_in_contract": 1, "buyers": 4,
                   "small_municipalities": 2}
    sectors = {row["group"]: row for row in shown(cast, api_client, "challenges-by-sector")["rows"]}
    assert (sectors[WATER]["published"], sectors[WATER]["small_municipalities"], sectors[WATER]["ended_in_contract"]) \
        == (1, 2, 1)
    assert (sectors[HEALTH]["published"], sectors[HEALTH]["small_municipalities"]) == (1, 0)
    assert sum(row["published"] for row in sectors.values()) == 2 and "" not in sectors


@pytest.mark.parametrize(("query", "expected"), [
    (f"sector={HEALTH}", {"published": 1, "small_municipalities": 0, "ended_in_contract": 0}),
    ("county=42", {"published": 1, "small_municipalities": 2, "ended_in_contract": 1}),
    ("procedure=pre-commercial", {"published": 2, "small_municipalities": 2, "ended_in_contract": 1}),
    ("procedure=open", {"published": 0, "small_municipalities": 0, "ended_in_contract": 0}),
    (f"since={timezone.now().year + 1}", {"published": 0, "small_municipalities": 0, "ended_in_contract": 0}),
], ids=["sector", "county-of-the-owner", "route-as-procedure", "no-such-route", "later-years"])
def test_the_observatory_filters_apply(counted, cast, api_client, query, expected):
    values = {row["measure"]: row["value"] for row in shown(cast, api_client, "challenges", query)["rows"]}
    assert {key: values[key] for key in expected} == expected


def test_a_challenge_published_or_ended_shows_at_once(counted, cast, api_client):
    before = {row["measure"]: row["value"] for row in shown(cast, api_client, "challenges")["rows"]}
    actions.cancel(challenge=counted["running"], actor=cast["alice"])  # cached figures must see it
    after = {row["measure"]: row["value"] for row in shown(cast, api_client, "challenges")["rows"]}
    assert (before["published"], after["published"]) == (2, 1)
    assert (before["buyers"], after["buyers"]) == (4, 3)
