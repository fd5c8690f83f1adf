"""Redis stopped under a running Delbar: pages and figures are still served (every cache read is a miss),
the per-account limits on questions and messages and the API's throttles let people through, and log-ins
are refused with a message (allauth cannot take its throttle's lock, so it fails closed) until Redis is
back, when log-in works again.

A Redis of the test's own (`redis-server` on a free port in a temporary folder, no persistence), never
the machine's shared one; Delbar's cache settings as production has them with CACHE_URL set."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from delbar.cases.models import Status
from delbar.questions.models import Question
from tests.conftest import PASSWORD, client_for

REDIS = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, deadline: float, what: str):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {deadline} s: {what}")


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class OwnRedis:
    """A throw-away redis-server that the test starts and stops."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None

    def start(self) -> None:
        self.process = subprocess.Popen([REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: answers(self.port), deadline=10, what="redis-server answers")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        assert not answers(self.port)


@pytest.fixture
def redis(tmp_path, settings):
    assert REDIS, "redis-server is missing (apt-get install redis-server)"
    server = OwnRedis(tmp_path)
    server.start()
    # As settings.py configures CACHE_URL (changing CACHES makes Django open new cache connections).
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{server.port}/0",
        "KEY_PREFIX": "delbar-faults",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}}}
    assert settings.RATELIMIT_FAIL_OPEN is True
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)


def log_in(client, username: str):
    return client.post("/accounts/login/", {"login": username, "password": PASSWORD})


def test_with_redis_stopped_pages_are_served_and_only_log_ins_are_refused(redis, cast, make_case, client):
    case = make_case(Status.PUBLISHED)
    dave = client_for(cast["dave"])
    cache.set("probe", "here")
    assert cache.get("probe") == "here", "the cache must be Redis, working, before it stops"
    assert log_in(client, "dave").status_code == 302
    client.post("/accounts/logout/")

    redis.stop()
    assert cache.get("probe") is None  # a miss, not an error

    for url in ("/", "/cases/", case.get_absolute_url(), "/observatory/", "/needs/", "/search/?q=robot"):
        response = dave.get(url)
        assert response.status_code == 200, url
    assert client.get("/observatory/").status_code == 200
    # The per-account limit on questions fails open: the question is posted.
    asked = dave.post(f"/cases/{case.pk}/questions/", {"body": "Hvor lenge varer batteriet?"})
    assert asked.status_code == 302
    assert Question.objects.filter(case=case, body="Hvor lenge varer batteriet?").exists()
    # The API's throttles let requests through, anonymous and with a token, again and again.
    for _ in range(3):
        assert client.get("/api/cases").status_code == 200
    # A log-in with the right password is refused, with a message, and no session begins.
    client.cookies["django_language"] = "en"
    refused = log_in(client, "dave")
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Too many requests" in text and "while Delbar cannot count attempts" in text, text[:2000]
    assert client.get("/my/").status_code == 302

    redis.start()
    assert log_in(client, "dave").status_code == 302
    assert client.get("/my/").status_code == 200
