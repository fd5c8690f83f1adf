"""Who uses Delbar, for the load test (bench/bench_load.py runs it headless against the local production
topology). DELBAR_LOAD_DATA names the JSON file bench_load.py writes: ids of published cases and
notices, sectors, counties, search queries, and the load-test buyers' log-ins and API tokens.

- visitors (anonymous): the home page, the case list with filters, a case, search with the evaluation
  set's queries, the observatory, notices, needs;
- buyers: log in through allauth's form with a password and their authenticator's code (editors need
  two factors), post a need through its form, look at it and at their needs, search;
- API clients: cases, a case, search and notices, half of them with a token, half anonymous.

Each user waits between its requests as a person reads a page; the request names group pages by kind
(every case page is "case page"), so the results table has one row a kind.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import struct
import time
from pathlib import Path

from locust import HttpUser, between, task

DATA = json.loads(Path(os.environ["DELBAR_LOAD_DATA"]).read_text(encoding="utf-8"))
_buyers = itertools.count()
_api_clients = itertools.count()


def totp(secret: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows now for `secret` (RFC 6238: HMAC-SHA1, 30 s),
    as allauth checks it; written here because locust runs without Delbar's Django."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at if at is not None else time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Visitor(HttpUser):
    """Someone looking for what other buyers did: browses, filters, reads, searches."""

    weight = 6
    wait_time = between(2, 8)

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(3)
    def case_list(self):
        params = random.choice([{}, {"sector": random.choice(DATA["sectors"])},
                                {"county": random.choice(DATA["counties"])}, {"page": random.randint(2, 20)},
                                {"sector": random.choice(DATA["sectors"]), "county": random.choice(DATA["counties"])}])
        self.client.get("/cases/", params=params, name="case list")

    @task(4)
    def case_page(self):
        self.client.get(f"/cases/{random.choice(DATA['cases'])}/", name="case page")

    @task(4)
    def search(self):
        self.client.get("/search/", params={"q": random.choice(DATA["queries"])}, name="search")

    @task(1)
    def observatory(self):
        self.client.get("/observatory/", name="observatory")

    @task(1)
    def notices(self):
        params = random.choice([{}, {"q": random.choice(DATA["queries"])}])
        self.client.get("/notices/", params=params, name="notice list")

    @task(1)
    def notice_page(self):
        self.client.get(f"/notices/{random.choice(DATA['notices'])}/", name="notice page")

    @task(1)
    def needs(self):
        self.client.get("/needs/", name="need list")


class Buyer(HttpUser):
    """An editor of a municipality: logs in with two factors and posts needs in its own words."""

    weight = 2
    wait_time = between(3, 10)

    def on_start(self):
        account = DATA["buyers"][next(_buyers) % len(DATA["buyers"])]
        self.client.get("/accounts/login/", name="log-in page")
        with self.client.post("/accounts/login/", name="log in", catch_response=True, data={
                "login": account["username"], "password": account["password"], "csrfmiddlewaretoken": self._csrf()},
                ) as response:
            if "/accounts/2fa/authenticate/" not in response.url:
                response.failure(f"the password did not lead to the second factor (ended at {response.url})")
                return
        with self.client.post("/accounts/2fa/authenticate/", name="log in: second factor", catch_response=True,
                              data={"code": totp(account["totp_secret"]), "csrfmiddlewaretoken": self._csrf()},
                              ) as response:
            if "/accounts/" in response.url:
                response.failure(f"the code was refused (ended at {response.url})")

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task(2)
    def post_need(self):
        self.client.get("/needs/new/", name="need form")
        query = random.choice(DATA["queries"])
        with self.client.post("/needs/new/", name="post a need", allow_redirects=False, catch_response=True, data={
                "csrfmiddlewaretoken": self._csrf(), "title": f"Lasttest: {query[:150]}",
                "description": f"{query}\n\nPostet av lasttesten (bench/bench_load.py).",
                "sector": random.choice(DATA["sectors"]), "language": "nb", "visibility": "public",
                "open_for_joint_procurement": "on", "cpv": ""}) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/needs/"):
                response.failure(f"posting a need answered {response.status_code} {location}")
                return
        self.client.get(location, name="need page")

    @task(1)
    def my_needs(self):
        self.client.get("/needs/mine/", name="my needs")

    @task(2)
    def search(self):
        self.client.get("/search/", params={"q": random.choice(DATA["queries"])}, name="search")

    @task(1)
    def case_page(self):
        self.client.get(f"/cases/{random.choice(DATA['cases'])}/", name="case page")


class ApiClient(HttpUser):
    """A program reading Delbar's API: half with a token of a load-test account, half without."""

    weight = 2
    wait_time = between(1, 5)

    def on_start(self):
        number = next(_api_clients)
        if number % 2 == 0:
            self.client.headers["Authorization"] = f"Bearer {DATA['tokens'][number // 2 % len(DATA['tokens'])]}"

    @task(3)
    def cases(self):
        params = random.choice([{}, {"sector": random.choice(DATA["sectors"])}, {"page": random.randint(2, 20)}])
        self.client.get("/api/cases", params=params, name="API cases")

    @task(3)
    def case(self):
        self.client.get(f"/api/cases/{random.choice(DATA['cases'])}", name="API case")

    @task(3)
    def search(self):
        self.client.get("/api/search", params={"q": random.choice(DATA["queries"])}, name="API search")

    @task(1)
    def notices(self):
        self.client.get("/api/notices", params={"q": random.choice(DATA["queries"])}, name="API notices")
