"""Every page of the demo answers without a server error, to each of the demo's people and to an
anonymous visitor.

The demo is loaded once for this module, inside a transaction rolled back at the end, so the other
test files on this worker still see only the reference data. Each role then crawls the site from
start pages taken from the code and the database — every page without parameters in the URL
configuration, every object's page, each case's form and diffusion figures, every admin changelist
and add form and some change forms, every GET operation in the API's OpenAPI document — and from
whatever the pages link to. Then each role asks for every page another role found, so everyone
visits the other organizations' pages too. A 403 or 404 is an answer; a 5xx is a failure. All of
them are collected and reported at once, with the exception and the line that raised it.

A page that no role reached, neither by GET nor as the target of a form, fails the test as well:
a new page is crawled without editing this file as long as something links to it.
"""

import datetime as dt
import functools
import re
import time
import traceback
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from delbar.accounts.models import ApiToken, Membership
from delbar.alerts.models import AlertSettings
from delbar.cases import actions
from delbar.cases.models import Case
from delbar.challenges import actions as challenge_actions
from delbar.challenges.models import Phase
from delbar.demo.loader import DEMO_DIR, load_demo
from delbar.diffusion import registry
from delbar.diffusion.casefigures import case_figures
from delbar.groups.actions import attach_document as attach_group_document
from delbar.groups.models import BuyerGroup, GroupMember
from delbar.needs.actions import join
from delbar.needs.models import Need
from delbar.networks.models import Network
from delbar.orgs.models import Organization, Sector
from delbar.questions.actions import ask
from delbar.suppliers.models import Solution

ROLES = ["anonymous", "ingrid", "per", "kari", "sven", "agnes", "admin"]
QUERIES = ["robot", "lekkasje i vannledninger", "innovasjonspartnerskap", "45000000"]
# Addresses found only by following links are bounded by the URL pattern they match: pagination,
# sort orders, facets and other objects' pages repeat one view, and a few of each do.
PER_ROUTE = 2
# Admin change forms per model to start from, newest first (the demo's own objects rather than the
# 9,000 CPV codes); each changelist leads to PER_ROUTE more.
ADMIN_OBJECTS_PER_MODEL = 3
# A role that needs more is a sign of a page leading to endless addresses, and of a slow suite.
MAX_REQUESTS_PER_ROLE = 4000
# Pages no role can reach here: they talk to an identity provider (tests/test_oidc_provider.py runs one).
UNREACHABLE = {"oidc_login", "oidc_callback"}
# Not followed: leaving the session or the language, and files that Django does not serve in tests.
SKIP = re.compile(r"^/(static|media|i18n)/|/logout/")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, and what it leaves out (_complete_the_demo); rolled back when the module is done."""
    media = {"BACKEND": "django.core.files.storage.FileSystemStorage",
             "OPTIONS": {"location": str(tmp_path_factory.mktemp("media"))}}
    as_in_tests = {"TASKS": {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
                   "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
                   "STORAGES": {**django_settings.STORAGES, "default": media}}
    with django_db_blocker.unblock(), transaction.atomic():
        started, cpu = time.monotonic(), time.process_time()
        # What a real demo leaves to its task worker (match refreshes) runs here: the transaction
        # around the module never commits.
        with override_settings(**as_in_tests), TestCase.captureOnCommitCallbacks(execute=True):
            load_demo()
            _complete_the_demo()
        print(f"\nThe demo loaded in {time.monotonic() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU)")
        yield {"media": media}
        transaction.set_rollback(True)


def _complete_the_demo() -> None:
    """What the demo leaves out, made through the actions and pages users use: for each demo buyer a
    draft, a returned draft, a submitted, a published and an archived case and a question waiting
    for its answer; a document and a candidate member in the buyer group; everyone following topics."""
    kari = User.objects.get(username="kari")
    sector = Sector.objects.get(pk="helse-omsorg")
    for username, buyer, asker in (("ingrid", "Lyngdal", "per"), ("per", "Bergen", "ingrid")):
        editor, organization = User.objects.get(username=username), Organization.objects.get(name=buyer)

        def draft(title, editor=editor, organization=organization):
            return actions.create_case(actor=editor, lead_buyer=organization, fields={
                "title": f"{title} ({organization.name})", "summary": "Laget av crawler-testen.", "sector": sector})

        def submitted(title, editor=editor):
            return actions.submit_case(case=draft(title), actor=editor)

        draft("Utkast")
        actions.return_case(case=submitted("Returnert"), actor=kari, comment="Beskriv gevinstene med tall.")
        submitted("Innsendt")
        actions.archive_case(case=actions.publish_case(case=submitted("Arkivert"), actor=kari), actor=kari)
        published = actions.publish_case(case=submitted("Publisert"), actor=kari)
        asking = User.objects.get(username=asker)
        ask(case=published, actor=asking, organization=asking.memberships.first().organization,
            body="Hvordan målte dere gevinstene?")

    group = BuyerGroup.objects.first()
    ingrid, per = User.objects.get(username="ingrid"), User.objects.get(username="per")
    join(need=group.need, actor=per, organization=Organization.objects.get(name="Bergen"))
    pdf = (DEMO_DIR / "kravspesifikasjon-eksempel.pdf").read_bytes()
    attach_group_document(group=group, actor=ingrid, content_type="application/pdf", title="Felles kravspesifikasjon",
                          upload=SimpleUploadedFile("krav.pdf", pdf))
    _challenges_in_every_state(sector)
    for user in User.objects.all():
        client = Client()
        client.force_login(user)
        for topic, value in (("sector", "helse-omsorg"), ("search", "robot")):
            assert client.post(reverse("alerts"), {"topic": topic, "value": value}).status_code == 302


def _challenges_in_every_state(sector) -> None:
    """The demo's challenges are one finished and one open that Sven has applied to: add a draft (to
    publish), one Sven may still apply to, one being evaluated by Per, one with every phase decided (to
    end) and one ended without its case (to publish it)."""
    ingrid, per, sven = (User.objects.get(username=name) for name in ("ingrid", "per", "sven"))
    lyngdal, bergen = Organization.objects.get(name="Lyngdal"), Organization.objects.get(name="Bergen")
    nordlys = sven.memberships.get().organization
    now = timezone.now()

    def challenge(owner, editor, title, *, publish=True):
        made = challenge_actions.create(actor=editor, owner=owner, fields={
            "title": title, "problem": "Laget av crawler-testen.", "success": "Målt.", "sector": sector})
        challenge_actions.add_phase(challenge=made, actor=editor, fields={
            "opens_at": now - dt.timedelta(days=1), "closes_at": now + dt.timedelta(days=20), "budget_nok": 500_000})
        challenge_actions.set_criteria(challenge=made, actor=editor, rows=[{"name": "Nytte", "weight": 100}])
        return challenge_actions.publish(challenge=made, actor=editor) if publish else made

    def evaluated(title):
        made = challenge(bergen, per, title)
        phase = made.phases.get()
        application = challenge_actions.apply(phase=phase, actor=sven, lead=nordlys, fields={
            "title": "Forslag", "summary": "Kort.", "approach": "Slik.", "innovation": "Nytt.", "team": "Tre.",
            "plan": "En måned.", "amount_nok": 100_000})
        challenge_actions.appoint_evaluator(challenge=made, actor=per, user=per, organization=bergen)
        Phase.objects.filter(pk=phase.pk).update(closes_at=now - dt.timedelta(minutes=1))  # the deadline passes
        return made, phase, application

    challenge(lyngdal, ingrid, "Utkast til utfordring", publish=False)
    challenge(bergen, per, "Utfordring Sven kan søke på")
    evaluated("Utfordring under evaluering")
    for title, ended in (("Utfordring med alle faser avgjort", False), ("Avsluttet utfordring uten erfaring", True)):
        made, phase, application = evaluated(title)
        challenge_actions.award(phase=phase, actor=per, awards={application.pk: 100_000}, justification="Best.")
        if ended:
            challenge_actions.end(challenge=made, actor=per, ended_in_contract=False)


# --- Where each role starts ----------------------------------------------------------------------


def _start_pages() -> tuple[list[str], list[str]]:
    """Where every role starts, and where the anonymous visitor also starts."""
    acting = _acting_organizations()
    objects, public_objects = _object_pages(acting)
    requests, public_requests = _api_requests(acting)
    return _plain_pages() + objects + _admin_pages() + requests, public_objects + public_requests


def _routes(patterns=None, prefix="", namespace=None):
    """(namespace, route, URL pattern) for every pattern in the URL configuration."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        else:
            yield namespace, prefix + str(pattern.pattern), pattern


def _plain_pages() -> list[str]:
    """Every page whose address takes no parameters (the admin and the API are listed on their own)."""
    urls = []
    for namespace, route, pattern in _routes():
        if namespace in ("admin", "api") or pattern.pattern.regex.groups:
            continue
        url = "/" + route.replace("^", "").replace("$", "").replace("\\", "")
        if not SKIP.search(url):
            urls.append(url)
    for query in QUERIES:
        urls += [f"{reverse(name)}?{urlencode({'q': query})}"
                 for name in ("search", "case_list", "need_list", "notice_list", "solution_list", "organization_list")]
    return urls


def _object_pages(acting: set[int]) -> tuple[list[str], list[str]]:
    """For everyone: the page of every object that has one, each case's form and diffusion, the
    observatory's figures. For the anonymous visitor only, pages that show everyone the same: every
    figure of every case, and the organizations that do nothing in the demo (every municipality and
    county); the others reach a few of those through links."""
    everyone, anonymous = [], []
    for model in apps.get_models():
        if model.__module__.startswith("delbar.") and hasattr(model, "get_absolute_url"):
            for obj in model._default_manager.order_by("pk"):
                quiet = model is Organization and obj.pk not in acting
                (anonymous if quiet else everyone).append(obj.get_absolute_url())
    figures = list(case_figures(Case.objects.published().first()))
    for case in Case.objects.order_by("pk"):
        # The form opens at its first step; the step with documents and contacts, and every step on one
        # page, hold the forms the others do not.
        everyone += [reverse("case_edit", args=[case.pk]), reverse("case_diffusion", args=[case.pk]),
                     reverse("case_edit", args=[case.pk]) + "?step=contacts",
                     reverse("case_edit", args=[case.pk]) + "?step=all"]
        anonymous += [reverse("case_diffusion_download", args=[case.pk, name, fmt])
                      for name in figures for fmt in ("csv", "json")]
    everyone += [reverse("observatory_download", args=[name, fmt])
                 for name in registry.NAMES for fmt in ("csv", "json")]
    # Images are not links the crawler follows.
    everyone += [reverse("network_logo", args=[slug]) for slug in Network.objects.exclude(logo="").values_list(
        "slug", flat=True)]
    # Its link is only in the e-mails.
    everyone += [reverse("alerts_unsubscribe", args=[token])
                 for token in AlertSettings.objects.values_list("unsubscribe_token", flat=True)]
    return everyone, anonymous


def _acting_organizations() -> set[int]:
    """The organizations the demo's people act in or for: their own, lead buyers, owners of needs,
    solutions and buyer groups."""
    return {*Membership.objects.values_list("organization", flat=True),
            *Case.objects.values_list("lead_buyer", flat=True), *Need.objects.values_list("organization", flat=True),
            *Solution.objects.values_list("organization", flat=True), *GroupMember.objects.values_list(
                "organization", flat=True)}


def _admin_pages() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:operations")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        name = "admin:{}_{}_{}".format(*info, "{}")
        urls += [reverse("admin:app_list", args=[info[0]]), reverse(name.format("changelist")),
                 reverse(name.format("add"))]
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:ADMIN_OBJECTS_PER_MODEL]:
            urls.append(reverse(name.format("change"), args=[pk]))
    return urls


def _api_requests(acting: set[int]) -> tuple[list[str], list[str]]:
    """Every GET operation of the API's own OpenAPI document, for every object it takes; organizations
    that do nothing in the demo for the anonymous visitor only, as their pages."""
    schema = Client().get(reverse("api:openapi-json")).json()
    everyone, anonymous = [], []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        query = {p["name"]: QUERIES[0] for p in parameters if p["in"] == "query" and p.get("required")}
        for values in _path_values(re.findall(r"{(\w+)}", path)):
            url = path.format(**values) + (f"?{urlencode(query)}" if query else "")
            quiet = "organization_id" in values and values["organization_id"] not in acting
            (anonymous if quiet else everyone).append(url)
        if "{" not in path and any(p["name"] == "q" for p in parameters):
            everyone += [f"{path}?{urlencode({**query, 'q': q})}" for q in QUERIES]
    return everyone, anonymous


def _path_values(names: list[str]) -> list[dict]:
    """Every object for one parameter ({case_id}: each case); a few of each for two."""
    choices = {name: _values_of(name) for name in names}
    combinations = [{}]
    for name in names:
        values = choices[name] if len(names) == 1 else choices[name][:5]
        combinations = [{**combination, name: value} for combination in combinations for value in values]
    return combinations


def _values_of(name: str) -> list:
    if name == "name":
        return list(registry.NAMES)
    if name == "slug":  # the networks' addresses
        return list(Network.objects.order_by("pk").values_list("slug", flat=True))
    return list(_model_named(name.removesuffix("_id"))._default_manager.order_by("pk").values_list("pk", flat=True))


def _model_named(name: str):
    found = [model for model in apps.get_models() if model._meta.model_name == name.replace("_", "")]
    assert len(found) == 1, f"Which model does the API's parameter {name}_id take? Candidates: {found}"
    return found[0]


# --- Crawling ------------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a page leads to: links, htmx GETs, GET forms (filled in) and the targets of POST forms."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, bool]] = []   # (address, asked for by htmx)
        self.post_targets: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "area") and attrs.get("href"):
            self.links.append((attrs["href"], False))
        if attrs.get("hx-get"):
            self.links.append((attrs["hx-get"], True))
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "get":
                self._form = {"action": attrs.get("action") or "", "fields": []}
            else:
                self.post_targets.append(attrs.get("action") or "")
        elif self._form is not None and attrs.get("name") and tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text")
            unchecked = kind in ("checkbox", "radio") and "checked" not in attrs
            if unchecked or kind in ("submit", "button", "file", "image"):
                return
            value = attrs.get("value") or (QUERIES[0] if attrs["name"] == "q" or kind == "search" else "")
            if value:
                self._form["fields"].append((attrs["name"], value))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.links.append((f"{self._form['action']}?{urlencode(self._form['fields'])}", False))
            self._form = None


def _on_site(base: str, href: str) -> str | None:
    parts = urlsplit(urljoin(f"http://testserver{base}", href.strip()))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver" or SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _resolve(url: str):
    return _resolve_path(urlsplit(url).path)


@functools.cache
def _resolve_path(path: str):
    """Each address is resolved once: a crawl asks again for every link on every page (142,662 times
    for 12,329 requests, 23 s of a 432 s crawl under cProfile)."""
    try:
        return resolve(path)
    except Resolver404:
        return None


def _failure(url: str, role: str, response) -> str:
    line = f"{response.status_code} GET {url} as {role}"
    if response.exc_info:
        kind, error, tb = response.exc_info
        frames = traceback.extract_tb(tb)
        ours = [frame for frame in frames if "/delbar/" in frame.filename and "/site-packages/" not in frame.filename]
        where = (ours or frames)[-1]
        line += f"\n    {kind.__name__}: {error}\n    at {where.filename}:{where.lineno} in {where.name}"
        if debug := getattr(error, "template_debug", None):
            line += f", template {debug['name']} line {debug['line']}"
    return line


class Crawl:
    """One role's visits. Each address is asked for once; what a page leads to is followed, at most
    PER_ROUTE addresses of each URL pattern."""

    def __init__(self, role: str):
        self.role = role
        self.failures: list[str] = []
        self.visited: set[tuple[str, bool]] = set()   # (address, asked for by htmx)
        self.reached: set[str] = set()                # URL names answered to a GET or offered as a POST form
        self.requests = 0

    def run(self, start: list[str], *, follow: bool = True) -> None:
        """Visits `start` (and, with `follow`, where it leads) in a transaction rolled back afterwards,
        so each role sees the demo as loaded, whatever an earlier visit changed."""
        with transaction.atomic():
            user = User.objects.get(username=self.role) if self.role != "anonymous" else None
            site, api = Client(raise_request_exception=False), Client(raise_request_exception=False)
            if user is not None:
                site.force_login(user)
                api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user=user, name='crawler')[1]}"
            queue, per_route = deque((url, False, True) for url in start), Counter()
            while queue:
                url, htmx, listed = queue.popleft()
                route = match.route if (match := _resolve(url)) else url
                if (url, htmx) in self.visited or (not listed and per_route[route] >= PER_ROUTE):
                    continue
                assert self.requests < MAX_REQUESTS_PER_ROLE, f"{self.role} is still crawling at {url}"
                self.visited.add((url, htmx))
                per_route[route] += 0 if listed else 1
                found = self._visit(api if url.startswith("/api/") else site, url, htmx)
                queue.extend((target, is_htmx, False) for target, is_htmx in found if follow)
            transaction.set_rollback(True)

    def _visit(self, client: Client, url: str, htmx: bool) -> list[tuple[str, bool]]:
        self.requests += 1
        # A server error's half-done writes are undone before the next request: on PostgreSQL a failed
        # statement would otherwise fail every later one in the transaction.
        with transaction.atomic():
            response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
            if response.status_code >= 500:
                transaction.set_rollback(True)
        if response.status_code >= 500:
            self.failures.append(_failure(url, self.role, response))
            return []
        self._reach(url)
        if response.status_code in (301, 302, 303, 307, 308):
            return [(target, htmx)] if (target := _on_site(url, response["Location"])) else []
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return []
        page = Page()
        page.feed(response.content.decode())
        for href in page.post_targets:
            if target := _on_site(url, href):
                self._reach(target)
        return [(target, is_htmx) for href, is_htmx in page.links if (target := _on_site(url, href))]

    def _reach(self, url: str) -> None:
        match = _resolve(url)
        if match is not None and match.func.__module__.startswith("delbar."):
            self.reached.add(match.view_name)


@pytest.mark.long
def test_no_page_answers_a_server_error_to_anyone(demo, db, settings):
    settings.STORAGES = {**settings.STORAGES, "default": demo["media"]}
    # Thousands of requests a minute are the point here, not an attack.
    settings.RATELIMIT_ENABLE = False
    settings.DELBAR_API_ANONYMOUS_RATE = settings.DELBAR_API_TOKEN_RATE = "100000/m"
    # Template errors then say which template and line.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"], "debug": True}}]
    everyone, public = _start_pages()
    crawls, started = [Crawl(role) for role in ROLES], time.monotonic()
    for crawl in crawls:
        crawl.run(everyone + (public if crawl.role == "anonymous" else []))
    # Then each role asks for what the others found, the other organizations' pages among them: a 403
    # or a 404 is a fine answer there.
    found = set().union(*(crawl.visited for crawl in crawls)) - {(url, False) for url in public}
    for crawl in crawls:
        crawl.run(sorted(url for url, htmx in found - crawl.visited if not htmx), follow=False)
    print(f"\nCrawled in {time.monotonic() - started:.1f} s: " + ", ".join(
        f"{crawl.role} {crawl.requests} requests" for crawl in crawls))

    failures = [failure for crawl in crawls for failure in crawl.failures]
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
    ours = {pattern.name for namespace, _, pattern in _routes()
            if namespace is None and pattern.name and pattern.callback.__module__.startswith("delbar.")}
    unreached = ours - set().union(*(crawl.reached for crawl in crawls)) - UNREACHABLE
    assert not unreached, (f"No role reached these pages, nor was offered them as a form: {sorted(unreached)}. "
                           "Link them from a page, or give the crawler a start page for them.")


def test_history_names_delbar_for_imported_revisions(demo, db):
    """An imported case's first revision has no author; its owner still sees the case and its history."""
    case = Case.objects.filter(lead_buyer__name="Lyngdal", external_id__startswith="demo-", revisions__author=None)[0]
    client = Client()
    client.force_login(User.objects.get(username="ingrid"))
    page = client.get(case.get_absolute_url()).content.decode()
    assert re.search(r"<td>\d+</td><td>[^<]*</td><td>Delbar</td>", page)
