"""The cast every test shares (after healthchecks' Alice/Bob/Charlie):

- Alice edits for Bergen, whose cases the tests usually publish;
- Bob edits for Lyngdal, another municipality: he must never change Bergen's cases;
- Dave works for a supplier; Carol curates for KS; Admin is an administrator;
- Nina edits for Sogndal, a municipality that chose nynorsk (a fixture of her own, outside `cast`, so the
  tests that go through every role of the cast stay as they are).
Data is made through the same actions users trigger.
"""

import json
import signal
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from delbar.accounts.models import ApiToken, Membership, Role
from delbar.cases import actions
from delbar.cases.models import Status
from delbar.orgs.models import Organization, Sector
from delbar.orgs.reference import load_reference_data_now

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "correct-horse-battery"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """In the workers of a parallel run, files with a test marked `long` first, each file's tests still
    together. `./dev test` hands whole files to its two workers in this order (--dist loadfile
    --no-loadscope-reorder): a long file started last would leave one worker running it alone at the
    end. xdist's own order, files with the most tests first, put the one- and two-test files last, the
    crawler and the fault drills among them. A run without workers keeps pytest-django's order."""
    if not hasattr(config, "workerinput"):
        return
    long_files = {item.path for item in items if item.get_closest_marker("long")}
    items.sort(key=lambda item: item.path not in long_files)


@pytest.fixture(autouse=True)
def _signal_handlers():
    """`delbar worker` run in the test process installs db_worker's SIGINT, SIGTERM and SIGQUIT handlers;
    pytest's are put back after every test."""
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    saved = {number: signal.getsignal(number) for number in numbers}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Real hashing costs ~0.3 s a user; the cast has six users and the matrix hundreds of tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # The real task code, run in the process that enqueues it (at commit), instead of by a worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test has its own database; what an earlier one cached (figures) must not leak into it.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def bergen(db):
    return Organization.objects.get(municipality_number="4601")


@pytest.fixture
def lyngdal(db):
    return Organization.objects.get(municipality_number="4225")


def _person(username, organization, role, **extra):
    user = User.objects.create_user(username, f"{username}@example.no", PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if organization is not None:
        Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def cast(db, bergen, lyngdal):
    supplier = Organization.objects.create(kind="supplier", name="Dave Robotics AS", org_number="974760673")
    ks = Organization.objects.create(kind="network", name="KS", org_number="971032146")
    return {
        "anonymous": None,
        "alice": _person("alice", bergen, Role.EDITOR),
        "bob": _person("bob", lyngdal, Role.EDITOR),
        "dave": _person("dave", supplier, Role.SUPPLIER),
        "carol": _person("carol", ks, Role.CURATOR),
        "admin": _person("admin", ks, Role.ADMIN),
    }


@pytest.fixture
def nina(db):
    return _person("nina", Organization.objects.get(municipality_number="4640"), Role.EDITOR)


def authenticator_code(user) -> str:
    """Gives `user` an authenticator app (a fresh secret each time, so a code is never a replay) and
    returns the code it shows now; the server accepts one period either side (MFA_TOTP_TOLERANCE)."""
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def bring_to(case, status, cast):
    """Moves a draft through the workflow actions to `status`, as Alice and Carol would."""
    if status != Status.DRAFT:
        case = actions.submit_case(case=case, actor=cast["alice"])
    if status in (Status.PUBLISHED, Status.ARCHIVED):
        case = actions.publish_case(case=case, actor=cast["carol"])
    if status == Status.ARCHIVED:
        case = actions.archive_case(case=case, actor=cast["carol"])
    return case


@pytest.fixture
def make_case(cast, bergen):
    """A Bergen case by Alice, brought to `status` through the workflow actions."""

    def make(status=Status.DRAFT, **fields):
        values = {"title": "Robot som inspiserer drikkevannstunneler", "summary": "Bergen kjøpte en robot.",
                  "sector": Sector.objects.get(pk="vann-avlop-avfall"), **fields}
        return bring_to(actions.create_case(actor=cast["alice"], lead_buyer=bergen, fields=values), status, cast)

    return make


@pytest.fixture
def pdf_bytes():
    return (FIXTURES / "sample.pdf").read_bytes()


# --- API clients whose every response is checked against the committed OpenAPI document ---

OPENAPI_PATH = REPO / "docs" / "openapi.json"


@pytest.fixture(scope="session")
def openapi():
    return OpenAPI.from_dict(json.loads(OPENAPI_PATH.read_text()))


class ApiClient(Client):
    def __init__(self, openapi, token=None):
        super().__init__(headers={"Authorization": f"Bearer {token}"} if token else None)
        self.openapi = openapi
        self.validated = 0

    def request(self, **request):
        response = super().request(**request)
        self.openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
        self.validated += 1
        return response


@pytest.fixture
def api_client(openapi):
    """api_client(user) -> a client with that user's token (None: anonymous)."""

    def make(user=None):
        token = ApiToken.issue(user=user, name="tests")[1] if user is not None else None
        return ApiClient(openapi, token)

    return make


# --- Browser tests (tests/browsing.py) ---

@pytest.fixture(scope="module")
def browser():
    from tests.browsing import CHROMIUM, CHROMIUM_ARGS, playwright_sync

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: ./dev test installs Debian's chromium"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def restore_reference_data(django_db_blocker):
    # A live server needs committed data, so each test here truncates every table when it ends.
    # The reference data that migrations loaded is put back after the last one (a module fixture
    # ends after the test's own teardown), for the test files that run next on this worker.
    yield
    with django_db_blocker.unblock():
        load_reference_data_now()


@pytest.fixture
def reference_data(transactional_db):
    load_reference_data_now()  # after the previous test's truncation


@pytest.fixture
def people(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    alice = User.objects.create_user("alice", "alice@example.no", PASSWORD)
    Membership.objects.create(user=alice, role=Role.EDITOR,
                              organization=Organization.objects.get(municipality_number="4601"))
    carol = User.objects.create_user("carol", "carol@example.no", PASSWORD)
    ks = Organization.objects.create(kind="network", name="KS", org_number="971032146")
    Membership.objects.create(user=carol, organization=ks, role=Role.CURATOR)
    return alice, carol




@pytest.fixture
def own_database(tmp_path):
    """A database URL of its own, for tests that run Delbar in other processes: a file on SQLite, a new
    database on PostgreSQL (dropped afterwards)."""
    config = django_settings.DATABASES["default"]
    if "sqlite" in config["ENGINE"]:
        yield f"sqlite:///{tmp_path / 'own.sqlite3'}"
        return
    name = f"delbar_own_{uuid.uuid4().hex[:8]}"
    options = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"],
               "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**options) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield (f"postgres://{config['USER']}{':' + config['PASSWORD'] if config['PASSWORD'] else ''}@"
           f"{options['host']}:{options['port']}/{name}")
    with psycopg.connect(**options) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
