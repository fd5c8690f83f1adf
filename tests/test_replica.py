"""Reads from a read replica (DATABASE_REPLICA_URL): a request that writes nothing reads the replica,
a writer and the browser that just wrote read the primary, and work outside requests reads the primary.

The replica here is a copy of the test database taken before the primary changes, so a read that
reaches it cannot see the change: a real lagging replica, without replication. Delbar runs in a
process of its own, since the database aliases are fixed when settings load."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

from delbar.orgs.models import Organization

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("restore_reference_data")]
ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, os, django
django.setup()
from django.test import Client
from delbar.orgs.models import Organization

pk = int(os.environ["ORG_PK"])
page = f"/organizations/{pk}/"
found = {"outside a request": Organization.objects.filter(pk=pk).exists()}
reader = Client(HTTP_HOST="127.0.0.1")
found["a read-only request"] = reader.get(page).status_code
writer = Client(HTTP_HOST="127.0.0.1")
answer = writer.post("/i18n/setlang/", {"language": "en", "next": "/"})
found["the writer's answer pins"] = "delbar_primary" in answer.cookies
found["the writer, next"] = writer.get(page).status_code
health = Client(HTTP_HOST="127.0.0.1").get("/healthz")
found["health"] = [health.status_code, {name: check["ok"] for name, check in health.json()["checks"].items()}]
print(json.dumps(found))
"""


def _server() -> tuple[str, str]:
    settings = connection.settings_dict
    return f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}", settings["USER"]


def _admin_connection():
    address, user = _server()
    host, port = address.split(":")
    return psycopg.connect(f"host={host} port={port} user={user} dbname=postgres", autocommit=True)


def _clone(tmp_path, name: str) -> str:
    """A copy of the test database as it is now, as a DATABASE_URL."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database may live in memory: copied through this process's own connection.
        copy = tmp_path / f"{name}.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    name = f"{settings['NAME']}_{name}"[:63]
    connections.close_all()  # a template database must have no other sessions
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
    address, user = _server()
    return f"postgres://{user}@{address}/{name}"


def _drop(url: str) -> None:
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _primary(tmp_path) -> str:
    """The test database as a DATABASE_URL another process can open (a copy, on SQLite)."""
    if connection.vendor == "sqlite":
        return _clone(tmp_path, "primary")
    address, user = _server()
    return f"postgres://{user}@{address}/{connection.settings_dict['NAME']}"


def test_reads_go_to_the_replica_only_where_they_may(tmp_path):
    replica = _clone(tmp_path, "replica")
    try:
        organization = Organization.objects.create(kind="municipality", name="Replikatest kommune")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DEBUG": "1", "DATABASE_URL": _primary(tmp_path),
               "DATABASE_REPLICA_URL": replica, "ORG_PK": str(organization.pk), "DELBAR_TASKS_BACKEND": "immediate",
               "DELBAR_SEARCH_INDEX_DIR": str(tmp_path / "search")}
        connections.close_all()
        run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240)
        assert run.returncode == 0, run.stderr[-3000:]
        found = json.loads(run.stdout.strip().splitlines()[-1])
    finally:
        _drop(replica)
    assert found == {
        "outside a request": True,              # the worker and commands read the primary
        "a read-only request": 404,             # the replica has not got the new organization yet
        "the writer's answer pins": True,
        "the writer, next": 200,                # the browser that wrote reads the primary
        # /healthz checks the replica too; the cache is this process's memory, the queue is empty.
        "health": [200, {"database": True, "cache": True, "queue": True, "search": True, "replica": True}],
    }


HEALTH = """
import django
django.setup()
from django.test import Client
answer = Client(HTTP_HOST="127.0.0.1").get("/healthz")
print(answer.status_code, answer.json()["status"], answer.json()["checks"]["replica"]["ok"])
"""


def test_a_replica_that_does_not_answer_takes_the_process_out_of_rotation(tmp_path):
    # Requests that write nothing read the replica: without it they fail, so /healthz says unavailable.
    address, user = _server()
    gone = (f"sqlite:///{tmp_path / 'no such folder' / 'replica.sqlite3'}" if connection.vendor == "sqlite"
            else f"postgres://{user}@{address}/delbar_replica_that_does_not_exist")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEBUG": "1", "DATABASE_URL": _primary(tmp_path),
           "DATABASE_REPLICA_URL": gone, "DELBAR_TASKS_BACKEND": "immediate",
           "DELBAR_SEARCH_INDEX_DIR": str(tmp_path / "search")}
    connections.close_all()
    run = subprocess.run([sys.executable, "-c", HEALTH], env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split()[-3:] == ["503", "unavailable", "False"]
