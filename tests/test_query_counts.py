"""Query counts that must not grow with the data (netbox-style baselines)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delbar.cases.models import Status
from delbar.orgs.models import CpvCode


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("url", ["/", "/cases/", "/cases/?sector=vann-avlop-avfall&county=46", "/api/cases"])
def test_lists_do_not_query_per_case(cast, make_case, client, url):
    make_case(Status.PUBLISHED)
    few = queries_for(client, url)
    for number in range(12):
        case = make_case(Status.PUBLISHED, title=f"Sak {number}")
        case.cpv_codes.set(CpvCode.objects.all()[:3])
    assert queries_for(client, url) == few


def test_case_page_has_a_fixed_number_of_queries(cast, make_case, client):
    case = make_case(Status.PUBLISHED)
    # The first view on an index also computes the language centroids of the relevance floor (1 + one
    # per language, search/relevance.py); they are kept until the index grows by 5 % or is rebuilt.
    client.get(case.get_absolute_url())
    # 12 for the case itself, 4 for "similar cases" (index freshness, the case's vector, the index's
    # size for the baseline, the hits), 1 for how many have taken it up
    assert queries_for(client, case.get_absolute_url()) <= 17


def test_need_pages_do_not_query_per_match_or_need(cast, make_case, bergen, lyngdal):
    from delbar.needs import actions
    from tests.conftest import client_for

    def post(organization, title):
        return actions.create_need(actor=None, organization=organization, fields={
            "title": title, "description": "Vi vil inspisere drikkevannstunneler uten å stenge vannet."})

    need = post(lyngdal, "Inspeksjon av tunneler")
    make_case(Status.PUBLISHED)
    post(bergen, "Tunnelinspeksjon")
    actions.update_need(need=need, actor=None, fields={"description": need.description + " Helst med robot."})
    owner = client_for(cast["bob"])
    owner.get("/")  # a session's first request records when it started (accounts/middleware.py)
    urls = [need.get_absolute_url(), "/needs/", "/demand/", "/api/needs", f"/api/needs/{need.pk}/matches"]
    few = {url: queries_for(owner, url) for url in urls}
    for number in range(8):
        make_case(Status.PUBLISHED, title=f"Robot for tunneler {number}")
        post(bergen, f"Tunnelrobot {number}")
    actions.update_need(need=need, actor=None, fields={"description": need.description + " Gjerne i år."})
    assert need.matches.filter(kind="case").count() >= 8 and need.matches.filter(kind="need").count() >= 8
    assert {url: queries_for(owner, url) for url in urls} == few


def test_the_observatory_does_not_query_per_case_or_municipality(cast, make_case, client):
    import datetime as dt

    from delbar.diffusion import actions as diffusion_actions
    from delbar.orgs.models import Organization

    case = make_case(Status.PUBLISHED, year=2020)
    municipalities = list(Organization.objects.municipalities().exclude(pk=case.lead_buyer_id)[:13])
    diffusion_actions.declare(case=case, actor=None, organization=municipalities[0], adopted_on=dt.date(2021, 1, 1))
    few = queries_for(client, "/observatory/?map=adoptions")
    for number, organization in enumerate(municipalities[1:]):
        other = make_case(Status.PUBLISHED, title=f"Sak {number}", year=2020)
        diffusion_actions.declare(case=other, actor=None, organization=organization, adopted_on=dt.date(2021, 1, 1))
    assert queries_for(client, "/observatory/?map=adoptions") == few
