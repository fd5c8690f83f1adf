"""Diffusion figures on a constructed history whose answers are worked out by hand: the curve,
Rogers' categories, shares of municipalities reached, days to the first and fifth adoption, the
learning network. The same assertions run on SQLite and PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from delbar.cases.models import Case
from delbar.diffusion import actions, network, observatory
from delbar.diffusion.casefigures import case_figures, category, eligible_population
from delbar.diffusion.figures import filters_or_errors
from delbar.needs import actions as need_actions
from delbar.notices.models import Notice
from delbar.orgs.models import Organization, Sector
from delbar.questions.actions import ask

pytestmark = pytest.mark.django_db

NOON = dt.time(12, tzinfo=dt.UTC)
# Adopters of Bergen's case A, in order: (municipality number, date, size class).
A_ADOPTERS = [("1151", dt.date(2020, 1, 11), "small"),      # Utsira, 10 days after publication
              ("4213", dt.date(2020, 2, 10), "medium"),     # Tvedestrand
              ("1144", dt.date(2020, 3, 1), "small"),       # Kvitsøy
              ("3903", dt.date(2021, 1, 1), "large"),       # Holmestrand
              ("1511", dt.date(2021, 6, 1), "small"),       # Vanylven: the fifth, 517 days after
              ("5025", dt.date(2022, 1, 1), "medium")]      # Røros


def org(number: str) -> Organization:
    return Organization.objects.get(municipality_number=number)


def published(case: Case, day: dt.date, year: int) -> Case:
    Case.objects.filter(pk=case.pk).update(published_at=dt.datetime.combine(day, NOON), year=year)
    case.refresh_from_db()
    return case


def notice(key: str, day: dt.date, signal: str, *, superseded_by=None, procedure="") -> Notice:
    # Imported records; built directly so that their dates are exact.
    return Notice.objects.create(key=key, format="eforms", notice_id=key, version="1", title=key,
                                 publication_date=day, signal=signal, superseded_by=superseded_by,
                                 procedure=procedure, fetched_at=timezone.now(), raw=b"<x/>", raw_sha256="0" * 64)


@pytest.fixture
def history(cast, make_case, bergen, lyngdal):
    case_a = published(make_case("published", sector=Sector.objects.get(pk="helse-omsorg"),
                                 procedure="innovation-partnership"), dt.date(2020, 1, 1), 2019)
    case_b = make_case("draft", title="Lekkasjesøk med sensorer", sector=Sector.objects.get(pk="vann-avlop-avfall"),
                       procedure="open")
    Case.objects.filter(pk=case_b.pk).update(lead_buyer=lyngdal)
    from tests.conftest import bring_to
    case_b = published(bring_to(Case.objects.get(pk=case_b.pk), "published", cast), dt.date(2021, 6, 1), 2021)
    for number, day, _size in A_ADOPTERS:
        actions.declare(case=case_a, actor=None, organization=org(number), adopted_on=day, route="pilot")
    actions.declare(case=case_b, actor=cast["alice"], organization=bergen, adopted_on=dt.date(2022, 3, 1),
                    route="own-procurement")
    # Neither counts: a proposal and a dismissed declaration.
    actions.propose(case=case_a, organization=org("0301"), adopted_on=dt.date(2023, 1, 1), reasons=[], score=0.9)
    dismissed = actions.declare(case=case_a, actor=None, organization=org("1505"), adopted_on=dt.date(2023, 1, 1))
    actions.dismiss(adoption=dismissed, actor=cast["carol"])
    ask(case=case_a, actor=cast["bob"], organization=lyngdal, body="Hvordan gikk piloten?")
    for title, sector in (("Behov for fallsensorer", "helse-omsorg"), ("Behov for lekkasjesøk", "vann-avlop-avfall")):
        need_actions.create_need(actor=cast["bob"], organization=lyngdal, match=False,
                                 fields={"title": title, "description": title, "sector_id": sector})
    later = notice("n-4", dt.date(2022, 9, 1), "strong", procedure="innovation")
    for key, day, signal, superseded in (("n-1", dt.date(2022, 2, 1), "strong", None),
                                         ("n-2", dt.date(2022, 5, 1), "some", None),
                                         ("n-3", dt.date(2023, 3, 1), "some", None),
                                         ("n-old", dt.date(2022, 8, 1), "strong", later),
                                         ("n-quiet", dt.date(2022, 8, 1), "", None)):
        notice(key, day, signal, superseded_by=superseded)
    return {"a": case_a, "b": case_b}


def filters(**params):
    cleaned, errors = filters_or_errors(params)
    assert not errors
    return cleaned


def test_rogers_categories_by_rank_against_the_eligible_population():
    # 372 eligible: 2.5 % is 9.3, 16 % is 59.52, 50 % is 186, 84 % is 312.48.
    assert [category(rank, 372) for rank in (1, 9, 10, 59, 60, 186, 187, 312, 313, 372)] == [
        "innovators", "innovators", "early-adopters", "early-adopters", "early-majority", "early-majority",
        "late-majority", "late-majority", "laggards", "laggards"]
    assert [category(rank, 100) for rank in (2, 3, 16, 17, 50, 51, 84, 85)] == [
        "innovators", "early-adopters", "early-adopters", "early-majority", "early-majority", "late-majority",
        "late-majority", "laggards"]


def test_a_case_curve_categories_and_reach(history, bergen):
    assert eligible_population() == 371     # 357 municipalities and 15 counties; Oslo is both
    figures = case_figures(history["a"])
    assert figures["curve"].rows == [{"date": day.isoformat(), "adopters": n, "organization": org(number).name}
                                     for n, (number, day, _size) in enumerate(A_ADOPTERS, start=1)]
    adopters = figures["adopters"].rows
    assert [row["organization_id"] for row in adopters] == [bergen.pk] + [org(n).pk for n, _d, _s in A_ADOPTERS]
    assert adopters[0]["originator"] is True and adopters[0]["days_after_publication"] is None
    assert [row["days_after_publication"] for row in adopters[1:]] == [10, 40, 60, 366, 517, 731]
    assert {row["category"] for row in adopters} == {"innovators"}
    categories = {row["category"]: row for row in figures["categories"].rows}
    assert [(row["from_rank"], row["to_rank"]) for row in categories.values()] == [
        (1, 9), (10, 59), (60, 185), (186, 311), (312, 371)]
    assert categories["innovators"]["takers"] == 7 and categories["early-adopters"]["takers"] == 0
    sizes = {row["size_class"]: row for row in figures["sizes"].rows}
    assert (sizes["small"]["adopters"], sizes["medium"]["adopters"], sizes["large"]["adopters"]) == (3, 2, 1)
    assert sizes["small"]["municipalities"] == 174 and sizes["small"]["share"] == round(3 / 174, 4)
    assert {row["county"]: row["adopters"] for row in figures["regions"].rows} == {
        "Rogaland": 2, "Agder": 1, "Møre og Romsdal": 1, "Vestfold": 1, "Trøndelag": 1}


def test_activity_per_year_and_its_filters(history):
    rows = {row["year"]: row for row in observatory.activity(filters()).rows}
    this_year = timezone.localdate().year
    assert min(rows) == 2020 and max(rows) == this_year and len(rows) == this_year - 2020 + 1
    assert [(rows[y]["cases"], rows[y]["adoptions"], rows[y]["notices"]) for y in (2020, 2021, 2022, 2023)] == [
        (1, 3, 0), (1, 2, 0), (0, 2, 3), (0, 0, 1)]    # the superseded and the quiet notice do not count
    assert rows[this_year]["needs"] == 2
    health = {row["year"]: row for row in observatory.activity(filters(sector="helse-omsorg")).rows}
    assert health[2021]["cases"] == 0 and health[2022]["adoptions"] == 1     # case B's adoption is left out
    assert all(row["notices"] is None for row in health.values())            # notices have no sector
    assert health[this_year]["needs"] == 1
    assert {row["year"] for row in observatory.activity(filters(since=2021, until=2021)).rows} == {2021}
    small = {row["year"]: row for row in observatory.activity(filters(size_class="small")).rows}
    assert (small[2020]["adoptions"], small[2021]["adoptions"], small[2020]["cases"]) == (2, 1, 0)


def test_breakdown_by_procedure_and_county(history):
    by_procedure = {row["group"]: row for row in observatory.breakdown(filters(by="procedure")).rows}
    assert by_procedure["innovation-partnership"]["cases"] == 1
    assert by_procedure["innovation-partnership"]["adoptions"] == 6
    assert by_procedure["innovation-partnership"]["notices"] == 1      # eForms "innovation" is the same procedure
    assert by_procedure["open"]["adoptions"] == 1 and by_procedure["open"]["needs"] is None
    by_county = {row["group"]: row for row in observatory.breakdown(filters(by="county")).rows}
    assert by_county["11"]["adoptions"] == 2 and by_county["46"]["adoptions"] == 1 and by_county["46"]["cases"] == 1
    assert by_county["42"]["needs"] == 2


def test_shares_of_municipalities_reached(history):
    by_size = {row["group"]: row for row in observatory.reach_by_size(filters()).rows}
    assert by_size["small"] == {
        "group": "small", "label": by_size["small"]["label"], "municipalities": 174,
        "published": 0, "published_share": 0.0, "adopted": 3, "adopted_share": round(3 / 174, 4),
        "posted": 0, "posted_share": 0.0, "reached": 3, "reached_share": round(3 / 174, 4)}
    # Medium: Tvedestrand and Røros adopted; Lyngdal published case B and posted two needs.
    assert (by_size["medium"]["adopted"], by_size["medium"]["published"], by_size["medium"]["posted"],
            by_size["medium"]["reached"]) == (2, 1, 1, 3)
    assert (by_size["large"]["adopted"], by_size["large"]["published"], by_size["large"]["reached"]) == (2, 1, 2)
    rogaland = next(row for row in observatory.reach_by_county(filters()).rows if row["group"] == "11")
    assert (rogaland["adopted"], rogaland["municipalities"]) == (2, 23)
    # Sector "water": only case B (Lyngdal) and Bergen's adoption of it count.
    water = {row["group"]: row for row in observatory.reach_by_size(filters(sector="vann-avlop-avfall")).rows}
    assert water["small"]["reached"] == 0 and water["large"]["adopted"] == 1


def test_the_map_has_every_municipality_and_what_each_did(history):
    rows = {row["municipality_number"]: row for row in observatory.municipality_map(filters()).rows}
    assert len(rows) == 357
    assert (rows["4601"]["cases"], rows["4601"]["adoptions"], rows["4601"]["reached"]) == (1, 1, 1)
    assert (rows["4225"]["cases"], rows["4225"]["needs"], rows["4225"]["reached"]) == (1, 2, 1)
    assert rows["1151"]["adoptions"] == 1 and rows["1111"]["reached"] == 0
    assert sum(row["reached"] for row in rows.values()) == 8
    assert len(observatory.municipality_map(filters(county="11")).rows) == 23


def test_which_cases_spread_and_how_fast(history):
    spread = observatory.spread(filters())
    assert [(row["id"], row["adopters"], row["small_municipalities"], row["days_to_first"], row["days_to_fifth"])
            for row in spread.rows] == [(history["a"].pk, 6, 3, 10, 517), (history["b"].pk, 1, 0, 273, None)]
    speed = {row["measure"]: row["value"] for row in observatory.speed(filters(), spread).rows}
    assert speed == {"cases": 2, "cases_adopted": 2, "median_days_to_first": 141.5, "cases_adopted_five": 1,
                     "median_days_to_fifth": 517}


def test_municipalities_not_reached(history):
    unreached = observatory.unreached(filters())
    numbers = {row["municipality_number"] for row in unreached.rows}
    assert len(numbers) == 174 - 3 and not numbers & {"1151", "1144", "1511"} and "1111" in numbers
    assert {row["municipality_number"] for row in observatory.unreached(filters(size_class="medium")).rows} >= {"4020"}
    assert len(observatory.unreached(filters(size_class="medium")).rows) == 117 - 3


def test_the_learning_network_and_its_most_central_organization(history, bergen, lyngdal):
    rows = {row["id"]: row for row in network.network(limit=None).rows}
    # Six adopters and Lyngdal (a question) learned from Bergen; Bergen learned from Lyngdal (adopted B).
    assert (rows[bergen.pk]["taught"], rows[bergen.pk]["learned_from"]) == (7, 1)
    assert (rows[bergen.pk]["adopted_from_them"], rows[bergen.pk]["questions_to_them"]) == (6, 1)
    assert (rows[lyngdal.pk]["taught"], rows[lyngdal.pk]["learned_from"]) == (1, 1)
    assert rows[bergen.pk]["rank"] == 1 and rows[lyngdal.pk]["rank"] == 2
    assert sum(Decimal(str(row["pagerank"])) for row in rows.values()) == pytest.approx(1, abs=0.01)
    assert rows[bergen.pk]["betweenness"] > 0 and rows[org("1151").pk]["betweenness"] == 0
    assert len(rows) == 8


def test_the_network_is_recomputed_when_an_adoption_changes(history, lyngdal):
    before = {row["id"]: row for row in network.network(limit=None).rows}
    actions.declare(case=history["b"], actor=None, organization=org("1151"), adopted_on=dt.date(2022, 6, 1))
    after = {row["id"]: row for row in network.network(limit=None).rows}
    assert after[lyngdal.pk]["taught"] == before[lyngdal.pk]["taught"] + 1


def test_the_network_stays_cached_through_changes_it_does_not_depend_on(history, lyngdal, cast, monkeypatch):
    computed = []
    original = network._compute
    monkeypatch.setattr(network, "_compute", lambda: computed.append(1) or original())
    network.network()
    network.network()
    need_actions.create_need(actor=cast["bob"], organization=lyngdal, match=False,
                             fields={"title": "Nytt behov", "description": "Nytt behov"})
    network.network()
    assert len(computed) == 1
    actions.propose(case=history["b"], organization=org("1144"), adopted_on=dt.date(2023, 1, 1), reasons=[],
                    score=0.9)
    network.network()
    assert len(computed) == 2


def test_shares_and_measures_are_rounded_as_the_data_is_not_cut():
    from delbar.diffusion.figures import Column
    from delbar.diffusion.templatetags.diffusion import cell

    with translation.override("nb"):
        assert cell({"share": round(1 / 27, 4)}, Column("share", "Andel", "share")) == "3,7 %"
        assert cell({"share": 0.0365}, Column("share", "Andel", "share")) == "3,7 %"
        assert cell({"value": 0.12345}, Column("value", "Verdi", "number")) == "0,1235"
