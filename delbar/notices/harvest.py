"""Harvesters: fetch new notices from Doffin's public API (v2) and TED's search API (v3) and import
them with the same upsert as files (importing.import_document), so a harvest is idempotent too.

Both are polite: one client, a minimum interval between requests, retries with backoff on 429, 5xx
and network errors (honouring Retry-After), and paging within each source's limits. Doffin's search
stops at 1,000 hits and ignores parameters it does not know, so a date range with more hits is split
in halves until each half fits. Incremental by date: `--since` or, by default, the day of the newest
notice already harvested from that source.
"""

import time
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from django.conf import settings
from django.db.models import Max

from delbar.notices.importing import ImportReport, catch_up, import_document, index_notices
from delbar.notices.models import Notice, Source

DOFFIN_PAGE_SIZE = 100
DOFFIN_MAX_HITS = 1000        # the search returns nothing past the thousandth hit
TED_PAGE_SIZE = 100
TED_FIELDS = ["publication-number", "notice-title", "buyer-name", "publication-date", "notice-type", "links"]
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_BACKOFF_SECONDS = 60.0
INDEX_BATCH = 64


class HarvestError(Exception):
    """The source could not be read (after retries), or answered with something that is not its API."""


class RequestRefused(HarvestError):
    """The source answered one request with a 4xx: that notice is skipped, the harvest goes on."""


@dataclass
class Client:
    """One HTTP client with a request rate limit and retries."""
    http: httpx.Client
    interval: float
    retries: int
    backoff: float = 1.0
    _last: float = 0.0
    requests: int = 0

    @classmethod
    def create(cls, headers: dict | None = None, *, backoff: float = 1.0) -> "Client":
        rate = max(settings.HARVEST_REQUESTS_PER_SECOND, 1)
        return cls(httpx.Client(timeout=TIMEOUT, headers={"User-Agent": "Delbar notice harvester", **(headers or {})},
                                follow_redirects=True),
                   interval=1.0 / rate, retries=max(settings.HARVEST_RETRIES, 0), backoff=backoff)

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        for attempt in range(self.retries + 1):
            wait = self._last + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            self.requests += 1
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.TransportError as error:
                if attempt == self.retries:
                    raise HarvestError(f"{method} {url}: {error}") from None
                time.sleep(min(self.backoff * 2 ** attempt, MAX_BACKOFF_SECONDS))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == self.retries:
                    raise HarvestError(f"{method} {url}: HTTP {response.status_code} after {attempt + 1} attempts")
                retry_after = _retry_after(response)
                time.sleep(min(self.backoff * 2 ** attempt if retry_after is None else retry_after,
                               MAX_BACKOFF_SECONDS))
                continue
            if response.status_code >= 400:
                raise RequestRefused(f"{method} {url}: HTTP {response.status_code}: {response.text[:200]}")
            return response
        raise HarvestError(f"{method} {url}: no answer")

    def json(self, method: str, url: str, **kwargs) -> dict:
        response = self.request(method, url, **kwargs)
        try:
            data = response.json()
        except ValueError:
            raise HarvestError(f"{method} {url}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise HarvestError(f"{method} {url}: the answer is not a JSON object")
        return data


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None


def default_since(source: str) -> date:
    newest = Notice.objects.filter(source=source).aggregate(day=Max("publication_date"))["day"]
    return newest - timedelta(days=1) if newest else date.today() - timedelta(days=30)


class Harvest:
    """What one run did: the import report plus the source's own figures."""

    def __init__(self, source: str, until: date | None = None):
        self.source = source
        self.report = ImportReport()
        self.seen = 0
        self.fetched = 0
        self.pending: list[int] = []
        self.until = until or date.today()

    def fetch(self, client: Client, url: str, reference: str) -> None:
        """Downloads and imports one notice; a notice the source will not give is skipped with the reason."""
        try:
            data = client.request("GET", url).content
        except RequestRefused as error:
            self.report.skip(f"{self.source}:{reference}", str(error))
            return
        self.store(data, reference)

    def store(self, data: bytes, reference: str) -> None:
        self.fetched += 1
        self.pending += import_document(data, source=self.source, source_file=f"{self.source}:{reference}",
                                        report=self.report)
        if len(self.pending) >= INDEX_BATCH:
            self.flush()

    def flush(self) -> None:
        index_notices(self.pending)
        self.pending = []

    def __str__(self) -> str:
        return f"{self.seen} found, {self.fetched} fetched: {self.report}"


def _known(source: str, references: list[str]) -> set[str]:
    names = [f"{source}:{reference}" for reference in references]
    return {name.partition(":")[2] for name in Notice.objects.filter(source_file__in=names).values_list(
        "source_file", flat=True)}


def harvest_doffin(since: date, until: date | None = None, *, client: Client | None = None) -> Harvest:
    client = client or Client.create({"Ocp-Apim-Subscription-Key": settings.DOFFIN_API_KEY}
                                     if settings.DOFFIN_API_KEY else {})
    run = Harvest(Source.DOFFIN, until)
    catch_up()
    base = settings.DOFFIN_API_URL.rstrip("/")
    ranges = [(since, run.until)]
    try:
        _walk_doffin(client, base, ranges, run)
    finally:
        run.flush()
    return run


def _walk_doffin(client: Client, base: str, ranges: list, run: Harvest) -> None:
    while ranges:
        start, end = ranges.pop()
        hits, total = _doffin_page(client, base, start, end, 1)
        if total > DOFFIN_MAX_HITS and end > start:
            middle = start + (end - start) // 2
            ranges += [(middle + timedelta(days=1), end), (start, middle)]
            continue
        pages = min(-(-total // DOFFIN_PAGE_SIZE), DOFFIN_MAX_HITS // DOFFIN_PAGE_SIZE)
        for page in range(1, pages + 1):
            if page > 1:
                hits, _ = _doffin_page(client, base, start, end, page)
            ids = [str(hit.get("id")) for hit in hits if isinstance(hit, dict) and hit.get("id")]
            run.seen += len(ids)
            known = _known(Source.DOFFIN, ids)
            for notice_id in ids:
                if notice_id not in known:
                    run.fetch(client, f"{base}/download/{notice_id}", notice_id)


def _doffin_page(client: Client, base: str, start: date, end: date, page: int) -> tuple[list, int]:
    data = client.json("GET", f"{base}/search", params={
        "numHitsPerPage": DOFFIN_PAGE_SIZE, "page": page, "sortBy": "PUBLICATION_DATE_ASC",
        "issueDateFrom": start.isoformat(), "issueDateTo": end.isoformat()})
    hits = data.get("hits")
    if not isinstance(hits, list):
        raise HarvestError("Doffin's search answered without a list of hits")
    # The total, not the accessible count (which stops at the limit): it tells when to split the dates.
    return hits, int(data.get("numHitsTotal") or 0)


def harvest_ted(since: date, until: date | None = None, *, country: str = "NOR",
                client: Client | None = None) -> Harvest:
    client = client or Client.create({"Authorization": f"Bearer {settings.TED_API_KEY}"}
                                     if settings.TED_API_KEY else {})
    run = Harvest(Source.TED, until)
    catch_up()
    query = (f"buyer-country={country} AND publication-date>={since:%Y%m%d} "
             f"AND publication-date<={run.until:%Y%m%d}")
    try:
        _walk_ted(client, query, run)
    finally:
        run.flush()
    return run


def _walk_ted(client: Client, query: str, run: Harvest) -> None:
    token = None
    while True:
        body = {"query": query, "fields": TED_FIELDS, "limit": TED_PAGE_SIZE, "paginationMode": "ITERATION",
                "checkQuerySyntax": False}
        if token:
            body["iterationNextToken"] = token
        data = client.json("POST", f"{settings.TED_API_URL.rstrip('/')}/notices/search", json=body)
        notices = data.get("notices")
        if not isinstance(notices, list):
            raise HarvestError("TED's search answered without a list of notices")
        numbers = [str(item.get("publication-number")) for item in notices
                   if isinstance(item, dict) and item.get("publication-number")]
        run.seen += len(numbers)
        known = _known(Source.TED, numbers)
        for number in numbers:
            if number not in known:
                run.fetch(client, settings.TED_NOTICE_XML_URL.format(number=number), number)
        token = data.get("iterationNextToken")
        if not token or not notices:
            break
