"""Harvesting Doffin and TED against a local fake of their APIs (tests/fake_sources.py): notices are
fetched and imported once, paging stays within the sources' limits, requests are rate-limited,
failures are retried, and a source that stays down stops the run with a clear error and nothing lost.
Tests never reach the internet."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from delbar.notices import harvest
from delbar.notices.harvest import Client, HarvestError, harvest_doffin, harvest_ted
from delbar.notices.models import Notice, Source
from delbar.search.models import SearchDocument
from tests.fake_sources import DOFFIN_KEY, FakeSources

pytestmark = pytest.mark.django_db
ALL_OF_IT = (date(2020, 1, 1), date(2026, 12, 31))


@pytest.fixture
def sources(settings):
    with FakeSources() as fake:
        settings.DOFFIN_API_URL = f"{fake.url}/public/v2"
        settings.DOFFIN_API_KEY = DOFFIN_KEY
        settings.TED_API_URL = f"{fake.url}/v3"
        settings.TED_NOTICE_XML_URL = fake.url + "/ted/{number}/xml"
        settings.HARVEST_REQUESTS_PER_SECOND = 1000
        settings.HARVEST_RETRIES = 3
        yield fake


def fast_client():
    return Client.create({"Ocp-Apim-Subscription-Key": DOFFIN_KEY}, backoff=0.01)


def test_doffin_harvest_imports_every_notice_once(sources):
    run = harvest_doffin(*ALL_OF_IT, client=fast_client())
    assert run.seen == 61 and run.report.created == 60
    # The one hit without a document is skipped with its reason; the harvest goes on.
    assert run.report.skipped == [("doffin:2024-100829", pytest.approx(run.report.skipped[0][1]))]
    assert "HTTP 404" in run.report.skipped[0][1]
    assert Notice.objects.filter(source=Source.DOFFIN).count() == 60
    notice = Notice.objects.get(source_file="doffin:2024-107345")
    assert notice.title == "Byggeledelse" and notice.source_url == "https://doffin.no/notices/2024-107345"
    assert SearchDocument.objects.filter(kind="notice", removed=False).count() == 60
    downloads = len(sources.downloads())
    again = harvest_doffin(*ALL_OF_IT, client=fast_client())
    assert again.report.created == 0 and again.fetched == 0
    assert len(sources.downloads()) == downloads + 1      # only the one that was missing is asked for again


def test_doffin_search_stays_within_its_hit_limit(sources, monkeypatch):
    # With a limit of 20 hits a search, 61 hits over four years are fetched by splitting the dates.
    sources.max_hits = 20
    monkeypatch.setattr(harvest, "DOFFIN_MAX_HITS", 20)
    monkeypatch.setattr(harvest, "DOFFIN_PAGE_SIZE", 5)
    run = harvest_doffin(*ALL_OF_IT, client=fast_client())
    assert run.report.created == 60
    searches = [request["query"] for request in sources.requests if request["path"] == "/public/v2/search"]
    assert max(int(query["page"][0]) for query in searches) <= 4
    assert all(query["numHitsPerPage"] == ["5"] for query in searches)
    assert len({(query["issueDateFrom"][0], query["issueDateTo"][0]) for query in searches}) > 3


def test_requests_are_rate_limited(sources, settings):
    settings.HARVEST_REQUESTS_PER_SECOND = 20
    harvest_doffin(date(2024, 5, 1), date(2024, 7, 31), client=Client.create(
        {"Ocp-Apim-Subscription-Key": DOFFIN_KEY}, backoff=0.01))
    moments = [request["at"] for request in sources.requests]
    assert len(moments) >= 4
    # The server's clock sees each request a little early or late, so the span is measured, not each
    # gap: unlimited, these requests to localhost would come a few milliseconds apart.
    assert moments[-1] - moments[0] >= (len(moments) - 1) * 0.05 - 0.01


def test_failures_are_retried(sources):
    sources.fail_next(503)
    sources.fail_next(429, {"Retry-After": "0"})
    run = harvest_doffin(date(2024, 5, 1), date(2024, 5, 31), client=fast_client())
    in_may = [hit for hit in sources.doffin_hits if hit["issueDate"].startswith("2024-05")]
    assert run.report.created == len(in_may) > 0
    assert [request["path"] for request in sources.requests][:3] == ["/public/v2/search"] * 3


def test_a_source_that_stays_down_stops_the_run_and_keeps_what_was_fetched(sources):
    sources.fail_path = ("/public/v2/download/2024", 500)
    with pytest.raises(HarvestError, match="HTTP 500 after 4 attempts"):
        harvest_doffin(*ALL_OF_IT, client=fast_client())
    kept = Notice.objects.count()
    assert 0 < kept < 60
    assert SearchDocument.objects.filter(kind="notice", removed=False).count() == kept
    sources.fail_path = None
    run = harvest_doffin(*ALL_OF_IT, client=fast_client())
    assert run.report.created == 60 - kept and Notice.objects.count() == 60


def test_ted_harvest_pages_through_the_iteration_token(sources):
    run = harvest_ted(*ALL_OF_IT, client=fast_client())
    assert run.seen == 5 and run.report.created == 5
    searches = [request for request in sources.requests if request["path"] == "/v3/notices/search"]
    bodies = [json.loads(request["body"]) for request in searches]
    assert [body.get("iterationNextToken") for body in bodies] == [None, "2", "4"]
    assert bodies[0]["query"].startswith("buyer-country=NOR") and bodies[0]["limit"] <= 250
    assert set(Notice.objects.values_list("publication_number", flat=True)) == {
        "154292-2020", "311956-2020", "547272-2020", "119337-2021", "119321-2021"}
    assert harvest_ted(*ALL_OF_IT, client=fast_client()).fetched == 0


def test_the_harvest_command(sources):
    out = io.StringIO()
    call_command("harvest", "doffin", since="2024-01-01", stdout=out, stderr=io.StringIO())
    assert "doffin since 2024-01-01" in out.getvalue() and "new notices" in out.getvalue()
    assert Notice.objects.filter(source=Source.DOFFIN).exists()
    with pytest.raises(CommandError, match="is not a date"):
        call_command("harvest", "ted", since="yesterday")
    with pytest.raises(CommandError, match="--until is before --since"):
        call_command("harvest", "ted", since="2024-02-01", until="2024-01-01")


def test_the_command_reports_a_source_that_is_down(sources, settings):
    settings.HARVEST_RETRIES = 0
    sources.fail_path = ("/v3/notices/search", 502)
    with pytest.raises(CommandError, match="ted: .*HTTP 502.*run again to go on"):
        call_command("harvest", "ted", since="2020-01-01")


def test_a_wrong_key_is_a_clear_error(sources, settings):
    settings.DOFFIN_API_KEY = "wrong"
    with pytest.raises(CommandError, match="HTTP 401"):
        call_command("harvest", "doffin", since="2024-01-01")
