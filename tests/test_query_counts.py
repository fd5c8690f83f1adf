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
    # 12 for the case itself, 3 for "similar cases" (index freshness, the case's vector, the hits)
    assert queries_for(client, case.get_absolute_url()) <= 15
