"""SQLite's writer killed with SIGKILL at a random moment, again and again: after each kill the database
passes `PRAGMA integrity_check`, every commit the writer acknowledged is there, and no transaction is
there in part.

The writer is a separate process using Delbar's own database settings (DATABASES from delbar/settings.py:
WAL, synchronous=NORMAL, BEGIN IMMEDIATE) through Django's SQLite backend. It commits transactions of one
to five rows and prints each transaction's number only after its commit returned (the acknowledgement a
request would give). WAL with synchronous=NORMAL is durable against a process crash, which this test
shows; it is not durable against a power cut or an operating system crash (the last transactions before
it may be lost, the database stays consistent), which this test does not show.

The test runs the full 50 kills (about 35 s); `bench/bench_faults.py` records the figures."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KILLS = 50
# A kill lands within this many seconds of the writer's first acknowledged commit.
LONGEST_RUN = 0.4
SETTINGS = """\
from delbar.settings import DATABASES, SECRET_KEY, TIME_ZONE, USE_TZ  # noqa: F401

INSTALLED_APPS = []
"""
WRITER = """\
import os, sys
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS fault_rows (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, "
                   "size INTEGER NOT NULL, payload BLOB NOT NULL)")
    journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
print(f"ready {journal} {synchronous}", flush=True)
batch = int(sys.argv[1])
while True:
    batch += 1
    size = 1 + batch % 5
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(size):
            cursor.execute("INSERT INTO fault_rows (batch, size, payload) VALUES (%s, %s, %s)",
                           [batch, size, os.urandom(512 + batch % 3000)])
    print(batch, flush=True)
"""


@dataclass
class Outcome:
    kills: int = 0
    acknowledged: int = 0
    missing: list = field(default_factory=list)
    partial: list = field(default_factory=list)
    integrity_failures: list = field(default_factory=list)
    pragmas: set = field(default_factory=set)


def check(path: Path) -> tuple[str, dict[int, tuple[int, int]]]:
    """integrity_check's answer and {batch: (rows present, rows it should have)}."""
    connection = sqlite3.connect(path)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        batches = {batch: (count, size) for batch, count, size in connection.execute(
            "SELECT batch, COUNT(*), MIN(size) FROM fault_rows GROUP BY batch")}
    finally:
        connection.close()
    return integrity, batches


def run_kills(work: Path, kills: int, seed: int | None = None) -> Outcome:
    (work / "sqlite_fault_settings.py").write_text(SETTINGS)
    database = work / "writer.sqlite3"
    env = {**os.environ, "PYTHONPATH": f"{work}{os.pathsep}{REPO}", "DJANGO_SETTINGS_MODULE": "sqlite_fault_settings",
           "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}", "DELBAR_DATA_DIR": str(work / "data")}
    chance = random.Random(seed)
    outcome = Outcome()
    acknowledged: set[int] = set()
    next_batch = 0
    for _ in range(kills):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(next_batch)], env=env, cwd=work,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            ready = writer.stdout.readline().split()
            assert ready[:1] == ["ready"], writer.stderr.read()[-2000:]
            outcome.pragmas.add(tuple(ready[1:]))
            first = writer.stdout.readline()
            assert first.strip().isdigit(), writer.stderr.read()[-2000:]
            time.sleep(chance.uniform(0, LONGEST_RUN))  # the random moment of the kill, not a wait for anything
        finally:
            writer.send_signal(signal.SIGKILL)
            out, _ = writer.communicate()
        outcome.kills += 1
        batches = [int(line) for line in [first, *out.splitlines()] if line.strip().isdigit()]
        acknowledged.update(batches)
        integrity, present = check(database)
        if integrity != "ok":
            outcome.integrity_failures.append(integrity)
        outcome.missing += sorted(batch for batch in acknowledged if batch not in present)
        outcome.partial += sorted(batch for batch, (count, size) in present.items() if count != size)
        # The next writer numbers on from everything in the database, acknowledged or not.
        next_batch = max([*present, *acknowledged, next_batch])
    outcome.acknowledged = len(acknowledged)
    return outcome


@pytest.mark.long
def test_a_killed_sqlite_writer_never_loses_an_acknowledged_commit(tmp_path):
    outcome = run_kills(tmp_path, KILLS)
    print(f"\n{outcome.kills} kills, {outcome.acknowledged} acknowledged transactions, "
          f"{len(outcome.missing)} missing, {len(outcome.partial)} partial, "
          f"{len(outcome.integrity_failures)} failed integrity checks; journal, synchronous: {outcome.pragmas}")
    # The settings the test is about: WAL, and synchronous=NORMAL (1).
    assert outcome.pragmas == {("wal", "1")}
    assert outcome.kills == KILLS
    assert outcome.acknowledged > KILLS  # the writer committed between kills, not only at start
    assert outcome.integrity_failures == []
    assert outcome.missing == []
    assert outcome.partial == []
