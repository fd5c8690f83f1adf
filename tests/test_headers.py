"""Every answer Delbar gives carries its security headers: the Content-Security-Policy (no plugins, no
<base>, never framed, no inline scripts but those with the request's nonce), nosniff, a referrer policy,
and, for a logged-in person, no-store. Checked over every URL pattern, built from real objects where a
pattern names one, for a visitor, an editor and an administrator; then the inline code the policy would
block, the API documentation's own assets, and the cap on request bodies."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import quote
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import RequestContext, Template
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from delbar.accounts import actions as account_actions
from delbar.accounts.models import ApiToken, Role
from delbar.alerts.digest import settings_for
from delbar.cases import actions as case_actions
from delbar.cases.models import Case, Status
from delbar.dialogues import actions as dialogue_actions
from delbar.diffusion import actions as diffusion_actions
from delbar.groups import actions as group_actions
from delbar.needs import actions as need_actions
from delbar.networks import actions as network_actions
from delbar.notices.importing import import_path
from delbar.notices.models import Notice
from delbar.orgs.models import Organization
from delbar.questions import actions as question_actions
from delbar.suppliers import actions as supplier_actions
from delbar.web.middleware import RequestSizeLimitMiddleware
from tests.conftest import PASSWORD, client_for
from tests.notice_files import DOFFIN

MISSING = "999999"  # an id nothing has: the pattern's 404 must carry the headers too
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
WORDS = re.compile(r"[a-z-]+(?:\|[a-z-]+)+")


# --- Every URL pattern, built ---

def url_patterns(patterns=None, route=""):
    """(route, pattern) for every URL pattern, the route joined as Django joins it (ResolverMatch.route)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        joined = route + (text.removeprefix("^") if route else text)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, joined)
        else:
            yield joined, pattern


@pytest.fixture
def world(cast, make_case, bergen, lyngdal, pdf_bytes):
    """One of each object a URL can name, made through the actions users trigger."""
    alice = cast["alice"]
    case = make_case(Status.DRAFT)
    document = case_actions.attach_document(case=case, actor=alice, content_type="application/pdf", kind="report",
                                            title="Rapport", upload=SimpleUploadedFile("rapport.pdf", pdf_bytes))
    case = case_actions.publish_case(case=case_actions.submit_case(case=case, actor=alice), actor=cast["carol"])
    question = question_actions.ask(case=case, actor=cast["bob"], organization=lyngdal, body="Hvordan gikk det?")
    adoption = diffusion_actions.declare(case=case, actor=cast["bob"], organization=lyngdal,
                                         adopted_on=timezone.localdate())
    need = need_actions.create_need(actor=alice, organization=bergen, fields={
        "title": "Inspeksjon av drikkevannstunneler", "description": "Vi vil inspisere tunnelene med robot."})
    group = group_actions.form_group(need=need, actor=alice, name="Tunnelgruppen", members=[lyngdal])
    group_document = group_actions.attach_document(group=group, actor=alice, content_type="application/pdf",
                                                   title="Notat",
                                                   upload=SimpleUploadedFile("notat.pdf", pdf_bytes))
    supplier = Organization.objects.get(name="Dave Robotics AS")
    solution = supplier_actions.save_solution(actor=cast["dave"], organization=supplier, fields={
        "title": "Undervannsrobot", "description": "Inspiserer tunneler uten å tømme dem."})
    import_path(DOFFIN / "2024-113575.xml")
    # Erik's membership is the one the sweep may approve or remove: Alice's must stay.
    erik = account_actions.grant_role(user=User.objects.create_user("erik", "erik@example.no"), organization=bergen,
                                      role=Role.EDITOR, actor=cast["admin"])
    network = network_actions.create_network(
        organization=Organization.objects.create(kind="network", name="Agder innkjøpsnettverk"), slug="agder",
        kind="region", description="Kommunene i Agder.", actor=cast["admin"], embed_origins="https://agder.example.no")
    network_member = network_actions.request_join(network=network, actor=alice, organization=bergen)
    news = network_actions.post_news(network=network, actor=cast["admin"], title="Nytt", body="Tekst.")
    dialogue = dialogue_actions.announce(actor=alice, organizer=bergen, needs=[need], fields={
        "title": "Dialogkonferanse om tunnelinspeksjon", "purpose": "Hva finnes?",
        "starts_at": timezone.now() + dt.timedelta(days=20), "ends_at": timezone.now() + dt.timedelta(days=20, hours=3),
        "registration_deadline": timezone.now() + dt.timedelta(days=10), "place": "Bergen rådhus"})
    match = need.matches.first()
    client_for(alice).post("/alerts/", {"topic": "sector", "value": "vann-avlop-avfall"})
    by_segment = {"cases": case.pk, "adoptions": adoption.pk, "needs": need.pk, "groups": group.pk,
                  "solutions": solution.pk, "notices": Notice.objects.get().pk, "alerts": alice.subscriptions.get().pk,
                  "organizations": bergen.pk, "tokens": ApiToken.issue(user=alice, name="Skript")[0].pk,
                  "memberships": erik.pk, "members": network_member.pk, "news": news.pk,
                  "dialogues": dialogue.pk}
    by_name = {"question_pk": question.pk, "question_id": question.pk, "match_pk": match.pk if match else MISSING,
               "case_id": case.pk, "need_id": need.pk, "solution_id": solution.pk, "adoption_id": adoption.pk,
               "notice_id": by_segment["notices"], "organization_id": bergen.pk,
               "id": alice.pk,  # the admin's password form for a user
               "token": settings_for(alice).unsubscribe_token, "content_type_id": ContentType.objects.get_for_model(
                   Case).pk, "key": "no-such-key", "uidb36": "1", "app_label": "cases", "url": "no-such-page/"}
    by_name.update(match_id=by_name["match_pk"], slug=network.slug, dialogue_id=dialogue.pk)
    return {"case": case, "document": document.pk, "group_document": group_document.pk,
            "by_segment": by_segment, "by_name": by_name}


def sample(route: str, name: str, body: str | None, before: str, world, *, numeric: bool) -> str:
    """A value for one parameter: the id of a real object of the kind the route names, where there is one."""
    segments = [part.lstrip("^") for part in before.split("/") if part.lstrip("^")]
    if segments and segments[0] == "admin" and name == "object_id":
        if len(segments) >= 3 and segments[1] != "r":
            model = apps.get_model(segments[1], segments[2])
            first = model._default_manager.order_by("pk").first()
            return quote(str(first.pk)) if first is not None else MISSING
        return str(world["case"].pk)
    if name == "document_pk":
        return str(world["group_document"] if route.startswith("groups/") else world["document"])
    if name == "name":
        return "adopters" if before.endswith("diffusion/") else "activity"
    if WORDS.fullmatch(body or ""):
        return body.split("|")[0]  # confirm|dismiss|…, csv|json: the first
    if name in world["by_name"]:
        return str(world["by_name"][name])
    if name == "pk" and segments and segments[-1] in world["by_segment"]:
        return str(world["by_segment"][segments[-1]])
    if numeric:
        return MISSING  # a kind of object the world has none of: its 404 is checked
    raise LookupError(f"no sample for {name} in {route}")


def build(route: str, world) -> str:
    """The path a URL pattern's route names, with its parameters filled in."""
    path = ""
    rest = route
    while True:
        parameter, group = PARAMETER.search(rest), GROUP.search(rest)
        found = min((m for m in (parameter, group) if m), key=lambda m: m.start(), default=None)
        if found is None:
            break
        path += rest[:found.start()]
        body, converter = found.groupdict().get("body"), found.groupdict().get("converter")
        numeric = converter in ("int", "id") or body in ("[0-9]+", "\\d+")
        path += sample(route, found["name"], body, path, world, numeric=numeric)
        rest = rest[found.end():]
    path += rest
    # What is left of a regular expression: anchors, escaped dots, a catch-all.
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace(".*", "no-such-page")
    return "/" + path


# Patterns that cannot be built into a path that reaches them, and why. Keep this short and exact.
UNBUILDABLE: dict[str, str] = {}


def built_paths(world) -> tuple[list[str], dict[str, str]]:
    paths, unbuilt = [], {}
    for route, _pattern in url_patterns():
        try:
            path = build(route, world)
        except LookupError as error:
            unbuilt[route] = str(error)
            continue
        reached = resolve(path.split("?")[0]).route
        if reached != route:
            unbuilt[route] = f"{path} reaches {reached}"
            continue
        if path not in paths:
            paths.append(path)
    return paths, unbuilt


def extra_paths(world) -> list[str]:
    """Answers the patterns alone do not give: a missing object, a missing page, the JSON twins."""
    case = world["case"].pk
    return ["/cases/999999/", "/api/cases/999999", "/no-such-page/", f"/cases/{case}/diffusion/adopters.json",
            "/observatory/activity.json", "/api/observatory/activity", "/search/?q=robot", "/cases/?q=tunnel"]


# --- What every answer carries ---

def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


EMBEDDABLE = re.compile(r"^/nettverk/[-\w]+/embed/$")


def header_problems(response, *, logged_in: bool) -> list[str]:
    problems = []
    directives = policy(response)
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if directive == "frame-ancestors" and EMBEDDABLE.match(response.wsgi_request.path):
            # A network's list is made to be framed by the network's own sites, and by no one else.
            if directives.get(directive, [])[:1] != ["'self'"] or response.has_header("X-Frame-Options"):
                problems.append(f"the embeddable list's frame-ancestors is {directives.get(directive)}")
        elif directives.get(directive) != ["'none'"]:
            problems.append(f"{directive} is {directives.get(directive)}")
    script_src = directives.get("script-src", directives.get("default-src"))
    if not script_src or "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"script-src is {script_src}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not response.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    if logged_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.get('Cache-Control')!r}")
    return problems


class Scripts(HTMLParser):
    """The <script> and <link> elements of a page, and the inline event handlers and javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.scripts, self.links, self.handlers, self.styles = [], [], [], 0
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = {**attrs, "text": ""}
            self.scripts.append(self._in_script)
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "style":
            self.styles += 1
        for name, value in attrs.items():
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def parse(response) -> Scripts:
    parser = Scripts()
    parser.feed(response.content.decode())
    return parser


def executable(script) -> bool:
    """Script elements the browser runs: not JSON data blocks (the API documentation's settings)."""
    return script.get("type", "text/javascript").lower() in ("", "text/javascript", "module", "application/javascript")


def header_nonce(response) -> str | None:
    for source in policy(response).get("script-src", []):
        if source.startswith("'nonce-"):
            return source.removeprefix("'nonce-").removesuffix("'")
    return None


def is_page(response) -> bool:
    return "text/html" in response.get("Content-Type", "") and not getattr(response, "streaming", False)


def inline_code(response) -> list[str]:
    """What the policy would block in a page: inline scripts without the header's nonce, a nonce that is
    not the header's, inline event handlers and javascript: URLs, <style> elements."""
    page = parse(response)
    expected = header_nonce(response)
    found = [f"inline <script> without the header's nonce: {script['text'].strip()[:60]!r}"
             for script in page.scripts if "src" not in script and executable(script)
             and script.get("nonce") != expected]
    found += [f"<script nonce={script['nonce']!r}> but the header allows {expected!r}"
              for script in page.scripts if "src" in script and "nonce" in script and script["nonce"] != expected]
    found += [f"inline event handler {handler}" for handler in page.handlers]
    found += ["<style> element"] * page.styles
    return found


USERS = ["anonymous", "alice", "admin"]
LOGOUT = {"/admin/logout/", "/accounts/logout/"}  # answered to GET (405 or a form); a POST would end the sweep


@pytest.mark.parametrize("who", USERS)
def test_every_url_pattern_answers_with_the_security_headers(who, cast, world):
    paths, unbuilt = built_paths(world)
    assert unbuilt == UNBUILDABLE
    client = client_for(cast[who])
    client.raise_request_exception = False
    problems, statuses, post_only = [], {}, []

    def check(method, path):
        response = client.generic(method, path)
        statuses.setdefault(response.status_code, []).append(path)
        found = header_problems(response, logged_in=who != "anonymous")
        found += inline_code(response) if is_page(response) else []
        problems.extend(f"{method} {path} ({response.status_code}): {problem}" for problem in found)
        return response

    for path in paths + extra_paths(world):
        if check("GET", path).status_code == 405 and path not in LOGOUT:
            post_only.append(path)
    # The posts last: one may change what a GET above shows (archive the case, revoke the token).
    for path in post_only:
        check("POST", path)
    assert not problems, "\n".join(problems)
    assert 500 not in statuses, statuses[500]
    # The sweep reached real pages, not only refusals: every kind of answer was checked.
    assert len(statuses.get(200, [])) > (100 if who == "admin" else 30), statuses
    assert {302, 404} <= set(statuses) and (who == "anonymous" or 403 in statuses)


def test_a_page_that_uses_the_nonce_gets_the_same_one_in_its_header(rf, db):
    """Templates write the nonce as {{ csp_nonce }} (the csp context processor); the policy then names it."""
    request = rf.get("/")
    request.user = AnonymousUser()
    middleware = ContentSecurityPolicyMiddleware(lambda request: None)
    middleware.process_request(request)
    page = Template('<script nonce="{{ csp_nonce }}">start()</script>').render(RequestContext(request))
    response = middleware.process_response(request, HttpResponse(page))
    assert header_nonce(response) and inline_code(response) == []
    # A page without the nonce, or with another, is caught.
    for other in ("<script>start()</script>", '<script nonce="forged">start()</script>',
                  '<script src="/static/a.js" nonce="forged"></script>', '<a href="javascript:start()">x</a>',
                  '<button onclick="start()">x</button>', "<style>p {}</style>"):
        forged = HttpResponse(other)
        forged["Content-Security-Policy"] = response["Content-Security-Policy"]
        assert len(inline_code(forged)) == 1, other


MAIN_PAGES = {"anonymous": ["/", "/search/?q=robot", "/observatory/", "/cases/", "/needs/", "/notices/"],
              "alice": ["/", "/cases/new/", "/my/"]}


def test_main_pages_have_no_inline_code_the_policy_blocks(cast, world):
    case = world["case"]
    pages = {**MAIN_PAGES, "anonymous": [*MAIN_PAGES["anonymous"], f"/cases/{case.pk}/"],
             "alice": [*MAIN_PAGES["alice"], f"/cases/{case.pk}/", f"/cases/{case.pk}/edit/"]}
    found = []
    for who, paths in pages.items():
        client = client_for(cast[who])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            found += [f"{path} ({who}): {problem}" for problem in inline_code(response)]
    assert found == []


def test_the_api_documentation_loads_nothing_from_elsewhere(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    page = parse(response)
    sources = [script["src"] for script in page.scripts if "src" in script]
    sources += [link["href"] for link in page.links if link.get("href")]
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert not [script for script in page.scripts if "src" not in script and executable(script)]


# --- The cap on request bodies ---

def test_a_body_over_the_limit_is_refused_before_it_is_read(db):
    limit = settings.REQUEST_MAX_BYTES
    response = Client().generic("POST", "/accounts/login/", b"x", CONTENT_LENGTH=str(limit + 1))
    assert response.status_code == 413
    # At the limit, the request goes on to the view (which finds no valid log-in in it).
    assert Client().generic("POST", "/accounts/login/", b"x", CONTENT_LENGTH=str(limit)).status_code != 413


def test_the_size_limit_reads_only_the_declared_length(rf):
    seen = []
    middleware = RequestSizeLimitMiddleware(lambda request: seen.append(request) or "passed")
    request = rf.post("/accounts/login/", b"x", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = str(settings.REQUEST_MAX_BYTES + 1)
    assert middleware(request).status_code == 413 and seen == []
    request.META["CONTENT_LENGTH"] = "many"
    assert middleware(request).status_code == 400 and seen == []
    request.META["CONTENT_LENGTH"] = "1"
    assert middleware(request) == "passed"


def test_the_refusal_of_a_large_body_carries_the_headers_too(db):
    response = Client().generic("POST", "/accounts/login/", b"x", CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413
    assert header_problems(response, logged_in=False) == []


def test_redirects_before_the_view_to_a_logged_in_person_are_not_stored(cast):
    client = Client()
    assert client.post("/accounts/login/", {"login": "alice", "password": PASSWORD}).status_code == 302
    second_factor = client.get("/cases/")  # Alice edits: she must set up an authenticator app first
    assert second_factor.status_code == 302 and "/accounts/2fa/" in second_factor["Location"]
    slashless = client_for(cast["alice"]).get("/cases")
    assert slashless.status_code == 301
    assert [header_problems(response, logged_in=True) for response in (second_factor, slashless)] == [[], []]
