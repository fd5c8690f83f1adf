"""The production topology that `./dev prod`, the load test and the fault tests run (devtools/topology.py):
gunicorn with two workers and two task workers, with production settings, on a real database of its own
(a SQLite file, or a PostgreSQL database made for the test when the suite runs on PostgreSQL)."""

import json
import os
import re
import sqlite3
import time
import urllib.request
import uuid
from pathlib import Path

import dj_database_url
import psutil
import pytest

from devtools.topology import PROCFILE, Topology, TopologyError, group_members, procfile

TASK_DEADLINE_SECONDS = 60
LOG_DEADLINE_SECONDS = 10


@pytest.fixture
def database_url(tmp_path):
    """A database the topology's processes can reach, of the kind the suite runs on."""
    suite = dj_database_url.parse(os.environ.get("DATABASE_URL", "sqlite:///unused.sqlite3"))
    if suite["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'topology.sqlite3'}"
        return
    import psycopg

    name = f"delbar_topology_{uuid.uuid4().hex[:12]}"
    server = {"host": suite["HOST"], "port": suite["PORT"] or 5432, "user": suite["USER"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def task_status(database_url: str, task_id: str) -> str | None:
    """The task's status, read from the topology's database as any operator's query would."""
    sql = "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = {}"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            # Django stores a UUID primary key on SQLite as 32 hex digits.
            row = connection.execute(sql.format("?"), [uuid.UUID(task_id).hex]).fetchone()
    else:
        import psycopg

        with psycopg.connect(database_url) as connection:
            row = connection.execute(sql.format("%s"), [task_id]).fetchone()
    return row[0] if row else None


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.long
def test_the_topology_serves_works_the_queue_and_stops_whole(database_url):
    with Topology(database_url, web_workers=2, task_workers=2) as topology:
        request_id = uuid.uuid4().hex
        request = urllib.request.Request(topology.url + "/", headers={"X-Request-ID": request_id})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            assert response.headers["X-Request-ID"] == request_id
            assert "Delbar" in response.read().decode()
        with urllib.request.urlopen(topology.url + "/cases/", timeout=30) as response:
            made_id = response.headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", made_id), made_id

        # The processes are the Procfile's, as a platform would start them: two gunicorn workers under the
        # master, and the task workers with the Procfile's arguments.
        master = psutil.Process(topology.web.pid)
        assert len(master.children()) == 2, master.children()
        assert master.cmdline()[-2:] == ["-c", "deploy/gunicorn.conf.py"], master.cmdline()
        for worker in topology.workers:
            command = psutil.Process(worker.pid).cmdline()
            program, *arguments = procfile()["worker"]
            assert (Path(command[-len(arguments) - 1]).name, command[-len(arguments):]) == (program, arguments)

        # Gunicorn's access line is JSON and carries the id Delbar answered with. It is written after the
        # answer is sent, so it may come a moment after the answer.
        deadline = time.monotonic() + LOG_DEADLINE_SECONDS
        while True:
            access = [json.loads(line) for line in topology.log_tail("web.log", 100_000).splitlines()
                      if '"gunicorn.access"' in line]
            if {entry["request_id"] for entry in access} >= {request_id, made_id} or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert {entry["request_id"] for entry in access} >= {request_id, made_id}
        assert {entry["status"] for entry in access} == {"200"}

        # A task queued as the hourly schedule does is done by a task worker, not by the command.
        queued = topology.run("alerts")
        task_id = re.search(r"queued as task (\S+)", queued).group(1)
        deadline = time.monotonic() + TASK_DEADLINE_SECONDS
        while (status := task_status(database_url, task_id)) != "SUCCESSFUL" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == "SUCCESSFUL", status

        processes = [member for leader in [topology.web, *topology.workers] for member in group_members(leader)]
        assert len(processes) == 1 + 2 + 2  # the master, its two workers, two task workers
        url = topology.url

    assert [process.pid for process in processes if alive(process)] == []
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/", timeout=5)


def test_the_procfile_names_release_web_and_worker_and_a_broken_line_is_refused(tmp_path):
    assert set(procfile(PROCFILE)) == {"release", "web", "worker"}
    broken = tmp_path / "Procfile"
    broken.write_text("web: gunicorn -c deploy/gunicorn.conf.py\ndelbar worker\n")
    with pytest.raises(TopologyError, match=r"Procfile:2: not a `name: command` line: 'delbar worker'"):
        procfile(broken)
