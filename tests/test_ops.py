"""What operators and load balancers read: /healthz, the request id on answers and log lines, and the
operations page in the admin."""

import datetime as dt
import json
import logging
import logging.config
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.tasks import TaskResultStatus
from django.test import Client
from django.utils import timezone
from django_guid import set_guid
from django_tasks_db.models import DBTaskResult

from tests.conftest import client_for

# /healthz as production sees it: what the checks read is committed. Each such test truncates every
# table when it ends; the reference data is put back after the module.
committed = pytest.mark.django_db(transaction=True)
pytestmark = pytest.mark.usefixtures("restore_reference_data")

# A django-redis cache at a port where nothing listens: every call fails, and is swallowed.
DEAD_REDIS = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
                          "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2,
                                      "SOCKET_TIMEOUT": 0.2}}}


def health(client=None):
    response = (client or Client()).get("/healthz", headers={"accept": "text/html"})
    return response, response.json()


def _queued(minutes_ago: int, status=TaskResultStatus.READY) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        task_path="delbar.alerts.tasks.run_alerts", args_kwargs={"args": [], "kwargs": {}}, queue_name="default",
        backend_name="default", priority=0, run_after=timezone.now() - dt.timedelta(minutes=minutes_ago),
        status=status)
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return task


@committed
def test_health_is_ok_and_json_whatever_the_accept_header():
    response, body = health()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue", "search"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["queue"]["details"]["ready"] == 0
    assert "no-cache" in response["Cache-Control"]


@committed
def test_a_queue_no_worker_takes_from_is_degraded_not_down():
    _queued(minutes_ago=1)
    response, body = health()
    assert body["status"] == "ok" and body["checks"]["queue"]["details"]["ready"] == 1

    _queued(minutes_ago=30)
    response, body = health()
    assert response.status_code == 200  # the load balancer keeps this process: pages are still served
    assert body["status"] == "degraded"
    queue = body["checks"]["queue"]
    assert not queue["ok"]
    assert queue["details"]["ready"] == 2 and queue["details"]["oldest_ready_seconds"] >= 30 * 60
    # In English for monitors, not in the default bokmål.
    assert queue["message"].startswith("2 tasks ready, the oldest for ")
    assert "is a task worker running that works it?" in queue["message"]


@committed
def test_an_unreachable_cache_is_degraded_not_down(settings):
    settings.CACHES = DEAD_REDIS
    try:
        response, body = health()
    finally:
        caches["default"].close()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert not body["checks"]["cache"]["ok"]
    assert "pages are served without it" in body["checks"]["cache"]["message"]
    assert body["checks"]["database"]["ok"]


@committed
def test_health_needs_no_redirect_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/about/").status_code == 301


@pytest.mark.django_db
def test_every_answer_carries_a_request_id_and_keeps_a_proxys():
    first, second = Client().get("/about/"), Client().get("/about/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    given = uuid.uuid4().hex
    assert Client().get("/about/", headers={"x-request-id": given})["X-Request-ID"] == given
    # Anything but a UUID is replaced, so a forged id cannot write into the logs.
    forged = Client().get("/about/", headers={"x-request-id": "evil\nline"})["X-Request-ID"]
    assert forged != "evil\nline" and len(forged) == 32


def test_json_log_lines_carry_the_request_id(capsys):
    config = {**django_settings.LOGGING, "handlers": {"console": {
        **django_settings.LOGGING["handlers"]["console"], "formatter": "json", "stream": "ext://sys.stdout"}}}
    logging.config.dictConfig(config)
    try:
        set_guid("0123456789abcdef0123456789abcdef")
        logging.getLogger("delbar.test").warning("a thing happened")
    finally:
        set_guid(None)
        logging.config.dictConfig(django_settings.LOGGING)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["request_id"] == "0123456789abcdef0123456789abcdef"
    assert line["message"] == "a thing happened" and line["level"] == "WARNING" and line["logger"] == "delbar.test"


@pytest.mark.django_db
def test_the_operations_page_is_for_administrators(cast):
    _queued(minutes_ago=30)
    failed = _queued(minutes_ago=5, status=TaskResultStatus.FAILED)
    DBTaskResult.objects.filter(pk=failed.pk).update(finished_at=timezone.now(),
                                                     exception_class_path="builtins.ValueError")
    admin = client_for(cast["admin"])
    admin.cookies["django_language"] = "en"
    page = admin.get("/admin/operations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Task queue" in text and "in the queue ‘default’: is a task worker running that works it?" in text
    assert "builtins.ValueError" in text and "Search index" in text
    assert page.context["queue"]["ready"] == 1 and page.context["queue"]["failed_last_day"] == 1
    assert page.context["process"]["uss"] > 0
    index = admin.get("/admin/")
    assert "/admin/operations/" in index.content.decode()
    admin.cookies["django_language"] = "nb"
    bokmål = admin.get("/admin/operations/").content.decode()
    assert "i køen ‘default’: kjører det en oppgavearbeider som tar oppgaver fra denne køen?" in bokmål

    assert client_for(cast["carol"]).get("/admin/operations/").status_code == 403
    assert "/admin/operations/" not in client_for(cast["carol"]).get("/admin/").content.decode()
    for role in ("alice", "dave", "anonymous"):
        answer = client_for(cast[role]).get("/admin/operations/")
        assert answer.status_code == 302 and "/login/" in answer["Location"], role


@pytest.mark.django_db
def test_health_reads_through_the_requests_own_connection_inside_a_transaction():
    """The checks run on the request's connection, so they see what it sees (and open no other)."""
    _queued(minutes_ago=30)  # not committed: only this connection sees it
    response, body = health()
    assert response.status_code == 200
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["queue"]["details"]["ready"] == 1
