"""Schemathesis over every operation of the committed OpenAPI document (docs/openapi.json), against
the Django application in-process, once as an anonymous visitor and once with Alice's write token.

Each operation gets Schemathesis' boundary values (its coverage phase: each bound and one past it,
wrong types, missing fields, undeclared methods) and 25 generated requests, valid and invalid, the
same ones at every run (derandomized) so that a failure in CI can be run again. It asserts that nothing answers 5xx,
that every status code, header and body is the one the document promises, that what the document
forbids is refused with a 4xx, that undeclared methods get 405 with Allow, and that operations that
require a token refuse requests without one.

Left out, with why:
- `positive_data_acceptance`: a request the document allows may still name something that does not
  exist (a sector slug, a CPV code, an organization id), and the API answers 422 saying so; the
  document cannot list the database's reference data.
- the stateful checks (`use_after_free`, `ensure_resource_availability`, object-level authorization)
  need Schemathesis' stateful phase, which follows links the document does not declare; the access
  rules have their own matrix tests (test_permissions.py, test_need_permissions.py).
- `max_response_time`: timing is not behaviour, and CI machines vary.

Every example runs in a savepoint that is rolled back, with the cache emptied, so what one example
writes (a case, a throttle's count, a cached figure) is never seen by the next.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from delbar.accounts.models import ApiToken, Role
from delbar.cases import actions as case_actions
from delbar.cases.models import Status
from delbar.diffusion import actions as diffusion_actions
from delbar.needs import actions as need_actions
from delbar.notices.importing import import_path
from delbar.notices.models import Notice
from delbar.orgs.models import Organization, Sector
from delbar.questions import actions as question_actions
from delbar.suppliers import actions as supplier_actions
from tests.conftest import OPENAPI_PATH, _person, bring_to
from tests.notice_files import DEMO_NOTICES

# Generated requests an operation, beside the boundary values: about 8,200 requests in all, measured
# at 131 s of CPU on SQLite and 141 s (and 12 s in PostgreSQL) on PostgreSQL, on two cores.
MAX_EXAMPLES = 25

CONFIG = schemathesis.Config.from_dict({
    "seed": 20240601,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none", "mode": "all"},
    "phases": {"stateful": {"enabled": False}},
    "cache": {"enabled": False},
})
schema = schemathesis.openapi.from_path(OPENAPI_PATH, config=CONFIG)
schema.app = get_wsgi_application()  # requests, Schemathesis' probes too, go to Django in-process

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, unsupported_method, ignored_auth]

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as conftest's _fast_passwords

HYPOTHESIS = settings(deadline=None, suppress_health_check=[
    # `db` is function-scoped, so all examples of an operation share one test transaction; each example
    # rolls its own writes back (run()), so sharing it is what we want.
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
    HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def one_connection():
    """Django closes the database connection around each request it serves through WSGI; the test's
    transaction lives on that connection, so it stays open (as django.test.Client keeps it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The cast and one of everything the operations read or change, made once for the module (each
    made for each of the 70-odd operation tests would cost minutes: documents are embedded for search),
    in a transaction rolled back at the end. Each test's own transaction nests inside it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        bergen = Organization.objects.get(municipality_number="4601")
        lyngdal = Organization.objects.get(municipality_number="4225")
        supplier = Organization.objects.create(kind="supplier", name="Dave Robotics AS", org_number="974760673")
        ks = Organization.objects.create(kind="network", name="KS", org_number="971032146")
        cast = {"alice": _person("alice", bergen, Role.EDITOR), "bob": _person("bob", lyngdal, Role.EDITOR),
                "dave": _person("dave", supplier, Role.SUPPLIER), "carol": _person("carol", ks, Role.CURATOR)}
        alice, bob, dave = cast["alice"], cast["bob"], cast["dave"]
        water = Sector.objects.get(pk="vann-avlop-avfall")
        health = Sector.objects.get(pk="helse-omsorg")
        published = bring_to(case_actions.create_case(actor=alice, lead_buyer=bergen, fields={
            "title": "Robot som inspiserer drikkevannstunneler", "summary": "Bergen kjøpte en robot.",
            "sector": water, "year": 2021, "contract_value_nok": 2_500_000, "outcome": "success"},
            relations={"benefits": [{"kind": "money", "description": "Spart", "amount": "125000.50",
                                     "unit": "kr/år"}],
                       "links": [{"kind": "web", "url": "https://example.no/robot", "title": "Rapport"}]}),
            Status.PUBLISHED, cast)
        draft = case_actions.create_case(actor=alice, lead_buyer=bergen, fields={
            "title": "Digitalt nattilsyn", "summary": "Kamera og sensorer.", "sector": health})
        need = need_actions.create_need(actor=alice, organization=bergen, fields={
            "title": "Sensorer som varsler fall", "description": "Vi vil bli varslet når noen faller om natta.",
            "sector": health})
        other_need = need_actions.create_need(actor=bob, organization=lyngdal, fields={
            "title": "Varsling av fall om natta", "description": "Nattevakten vil vite når noen faller.",
            "sector": health})
        question = question_actions.ask(case=published, actor=bob, organization=lyngdal,
                                        body="Hvor lenge varte piloten?")
        adoption = diffusion_actions.declare(case=published, actor=bob, organization=lyngdal,
                                             adopted_on=timezone.localdate(), route="own-procurement")
        import_path(DEMO_NOTICES / "ted" / "21-119282-001-EXP.xml")  # TED XML
        import_path(DEMO_NOTICES / "doffin" / "ContractNotice_cn-standard_2024-107345.xml")  # eForms
        solution = supplier_actions.save_solution(actor=dave, organization=supplier, fields={
            "title": "Fallsensor", "description": "Radar som ser fall uten kamera."}, sectors=[health])
        ids = {
            "case_id": [published.pk, draft.pk], "need_id": [need.pk, other_need.pk],
            "match_id": list(need.matches.values_list("pk", flat=True)) or [1],
            "question_id": [question.pk], "adoption_id": [adoption.pk], "solution_id": [solution.pk],
            "organization_id": [bergen.pk, lyngdal.pk, supplier.pk],
            "notice_id": list(Notice.objects.values_list("pk", flat=True)),
        }
        token = ApiToken.issue(user=alice, name="schemathesis", scope=ApiToken.Scope.WRITE)[1]
        yield {"ids": ids, "headers": {"Authorization": f"Bearer {token}"}}
        transaction.set_rollback(True)


def aim_at_world(case, ids):
    """Random ids almost never name a row, so ids in range are pointed at the world: odd ones (the
    boundary values 1 and 2⁶³−1 among them) at its objects, which exercises the success paths and their
    response bodies, even ones at ids no row has (2⁶² and up). What a request finds then does not
    depend on the ids PostgreSQL's sequences handed out (never rolled back, so they differ with the
    tests that ran before), and a run repeats."""
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)  # the boundary values come as text
        if name in ids and isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**63:
            found = ids[name][value // 2 % len(ids[name])]
            case.path_parameters[name] = found if value % 2 else 2**62 + value // 2


def run(case, world, headers=None):
    aim_at_world(case, world["ids"])
    with transaction.atomic():
        cache.clear()
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        finally:
            transaction.set_rollback(True)


@schema.parametrize()
@HYPOTHESIS
def test_anonymous(case, world, one_connection, db):
    run(case, world)


@schema.parametrize()
@HYPOTHESIS
def test_with_a_write_token(case, world, one_connection, db):
    run(case, world, headers=world["headers"])
