"""A task worker killed with SIGKILL in the middle of its tasks, again and again: no task is lost (each
ends SUCCESSFUL, after `delbar worker` puts back what the dead worker left RUNNING) and no e-mail goes
out twice (digests and dialogue reminders are claimed before they are sent: at most once).

Each round makes new people with a pending digest and a dialogue reminder due, queues the two tasks
that send them, starts a worker, kills it once it is running a task with a random number of this
round's e-mails out, starts another, and waits for both tasks to succeed. E-mail goes through Django's
file backend (each message a file section), so what the worker handed on is counted afterwards.

The test runs ROUNDS rounds; `bench/bench_faults.py` runs the full 20 and records the figures. The
workers run on their own database (a SQLite file, or a new PostgreSQL database when DATABASE_URL
names PostgreSQL), never the test database."""

import email
import email.policy
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DELBAR = [sys.executable, "-m", "delbar.cli"]
ROUNDS = 4
PEOPLE_PER_ROUND = 12
SETTINGS = """\
import os
from delbar.settings import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                       "OPTIONS": {"file_path": os.environ["FAULTS_MAIL_DIR"]}}}
"""
# One round's people, with a digest and a reminder due, and the two tasks that send them queued.
ROUND = """\
import datetime as dt, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.utils import timezone
from allauth.account.models import EmailAddress
from delbar.accounts.models import Membership, Role
from delbar.alerts import notify
from delbar.alerts.models import AlertSettings, Frequency
from delbar.alerts.tasks import run_alerts
from delbar.dialogues import actions
from delbar.dialogues.tasks import remind
from delbar.orgs.models import Organization

round_, count = int(sys.argv[1]), int(sys.argv[2])
bergen = Organization.objects.get(municipality_number="4601")
organizer = User.objects.create_user(f"organizer{round_}", f"organizer{round_}@example.no")
Membership.objects.create(user=organizer, organization=bergen, role=Role.EDITOR)
start = timezone.now() + dt.timedelta(hours=12)
dialogue = actions.announce(actor=organizer, organizer=bergen, fields={
    "title": f"Dialogkonferanse {round_}", "purpose": "Hva finnes?", "starts_at": start,
    "ends_at": start + dt.timedelta(hours=3), "registration_deadline": start - dt.timedelta(hours=1),
    "place": "Bergen rådhus"})
people = []
for number in range(count):
    name = f"r{round_}p{number}"
    user = User.objects.create_user(name, f"{name}@example.no")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    supplier = Organization.objects.create(kind="supplier", name=f"Leverandør {name} AS")
    Membership.objects.create(user=user, organization=supplier, role=Role.SUPPLIER)
    AlertSettings.objects.create(user=user, frequency=Frequency.DAILY)
    actions.register(dialogue=dialogue, actor=user, organization=supplier, attendees=name)
    people.append(user)
notify(people, event=f"fault-round:{round_}", title=f"Nytt i runde {round_}", url="/")
# Held back (due tomorrow) until the test, watching, releases them: a worker already runs.
later = timezone.now() + dt.timedelta(days=1)
print(run_alerts.using(run_after=later).enqueue().id, remind.using(run_after=later).enqueue().id)
"""
TASKS = "django_tasks_database_dbtaskresult"


class Database:
    """The workers' database, read directly (no Django in this process): SQLite file or PostgreSQL."""

    def __init__(self, url: str):
        self.url = url

    def rows(self, query: str) -> list[tuple]:
        if self.url.startswith("sqlite"):
            connection = sqlite3.connect(self.url.split("sqlite:///", 1)[1], timeout=20)
            try:
                found = connection.execute(query).fetchall()
                connection.commit()
                return found
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.execute(query)
            return cursor.fetchall() if cursor.description else []

    def _listed(self, ids) -> str:
        # SQLite keeps a UUID as 32 hex digits, PostgreSQL as a uuid.
        if self.url.startswith("sqlite"):
            return ", ".join(f"'{uuid.UUID(task_id).hex}'" for task_id in ids)
        return ", ".join(f"'{task_id}'" for task_id in ids)

    def release(self, ids) -> None:
        self.rows(f"UPDATE {TASKS} SET run_after = '2000-01-01 00:00:00' WHERE id IN ({self._listed(ids)})")

    def statuses(self, ids) -> dict[str, str]:
        return {str(uuid.UUID(str(pk))): status for pk, status in
                self.rows(f"SELECT id, status FROM {TASKS} WHERE id IN ({self._listed(ids)})")}


def postgres_admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def create_postgres_database(url: str, prefix: str) -> str:
    import psycopg

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url(url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_admin_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def own_database_url(work: Path, prefix: str) -> str:
    """A database of the engine DATABASE_URL names, for processes this test starts."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return create_postgres_database(url, prefix)
    return f"sqlite:///{work / 'faults.sqlite3'}"


@dataclass
class Workshop:
    """A folder with the settings, mail folder and database that the worker processes share."""

    work: Path
    database_url: str
    env: dict = field(init=False)

    def __post_init__(self):
        (self.work / "faults_settings.py").write_text(SETTINGS)
        (self.work / "mail").mkdir()
        (self.work / "setup-mail").mkdir()
        self.env = {**os.environ, "PYTHONPATH": f"{self.work}{os.pathsep}{REPO}", "DEBUG": "1",
                    "DJANGO_SETTINGS_MODULE": "faults_settings", "DATABASE_URL": self.database_url,
                    "DELBAR_DATA_DIR": str(self.work / "data"), "DELBAR_TASKS_BACKEND": "database",
                    "FAULTS_MAIL_DIR": str(self.work / "mail"), "LOG_LEVEL": "ERROR", "PYTHONUNBUFFERED": "1"}
        self.env.pop("CACHE_URL", None)
        self.db = Database(self.database_url)

    def run(self, *args, mail_dir: str = "mail") -> str:
        env = {**self.env, "FAULTS_MAIL_DIR": str(self.work / mail_dir)}
        done = subprocess.run(args, env=env, cwd=self.work, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start_worker(self) -> subprocess.Popen:
        log = open(self.work / "worker.log", "a")  # noqa: SIM115 (the worker writes it until it ends)
        return subprocess.Popen([*DELBAR, "worker", "--interval", "0.05", "--no-startup-delay"], env=self.env,
                                cwd=self.work, stdout=log, stderr=subprocess.STDOUT)

    def count_mails_to(self, prefix: str) -> int:
        """How many messages went to addresses starting with `prefix` (quick enough to watch a task by)."""
        needle = f"\nTo: {prefix}".encode()
        return sum(path.read_bytes().count(needle) for path in (self.work / "mail").iterdir())

    def mails(self) -> list[email.message.EmailMessage]:
        """Every message the file backend wrote (a file per connection, messages separated by a rule)."""
        found = []
        for path in sorted((self.work / "mail").iterdir()):
            for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if part.strip():
                    found.append(email.message_from_bytes(part, policy=email.policy.default))
        return found


def kind_of(message) -> str:
    """A reminder carries the calendar invitation; a digest does not."""
    return "reminder" if any(part.get_content_type() == "text/calendar" for part in message.walk()) else "digest"


@dataclass
class Outcome:
    kills: int = 0
    kills_mid_task: int = 0
    expected: int = 0
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    unclaimed: int = 0
    tasks: Counter = field(default_factory=Counter)
    recovery_seconds: list = field(default_factory=list)


def wait_until(condition, *, deadline: float, what: str, every: float = 0.005):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {deadline} s: {what() if callable(what) else what}")


def kill_round(shop: Workshop, round_: int, people: int, chance: random.Random, outcome: Outcome, all_tasks: list,
               worker: subprocess.Popen | None) -> subprocess.Popen:
    """One round: queue its tasks, kill the worker mid-task, start another, wait for both tasks to end."""
    tasks = shop.run(sys.executable, "-c", ROUND, str(round_), str(people), mail_dir="setup-mail").split()
    all_tasks += tasks
    # Some of this round's e-mails out (0: none yet), never all of them, and never exactly the digests
    # (the moment between the two tasks, when the worker runs neither).
    target = chance.choice([n for n in range(2 * people - 1) if n != people])
    worker = worker or shop.start_worker()
    shop.db.release(tasks)

    def running_with_target():
        statuses = shop.db.statuses(tasks)
        return "RUNNING" in statuses.values() and shop.count_mails_to(f"r{round_}p") >= target  # noqa: B023

    wait_until(running_with_target, deadline=60, what=lambda: (  # noqa: B023
        f"round {round_}: a task running with {target} e-mails out; tasks {shop.db.statuses(tasks)}, "
        f"{shop.count_mails_to(f'r{round_}p')} e-mails"))
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = time.monotonic()
    outcome.kills += 1
    outcome.kills_mid_task += "RUNNING" in shop.db.statuses(tasks).values()
    worker = shop.start_worker()
    wait_until(lambda: set(shop.db.statuses(tasks).values()) <= {"SUCCESSFUL", "FAILED"},  # noqa: B023
               deadline=60, what=f"round {round_}: both tasks finished after the kill", every=0.02)
    outcome.recovery_seconds.append(time.monotonic() - killed_at)
    return worker


def run_kills(work: Path, database_url: str, rounds: int, people: int = PEOPLE_PER_ROUND,
              seed: int | None = None) -> Outcome:
    shop = Workshop(work, database_url)
    shop.run(*DELBAR, "migrate", "-v0")
    chance = random.Random(seed)
    outcome = Outcome()
    all_tasks = []
    worker = None
    try:
        for round_ in range(rounds):
            worker = kill_round(shop, round_, people, chance, outcome, all_tasks, worker)
    finally:
        if worker is not None:
            worker.kill()
            worker.wait()
    outcome.tasks = Counter(shop.db.statuses(all_tasks).values())
    sent = Counter((str(m["To"]), kind_of(m)) for m in shop.mails())
    outcome.expected = rounds * people * 2
    outcome.delivered = len(sent)
    outcome.duplicates = sum(count - 1 for count in sent.values())
    outcome.lost = outcome.expected - outcome.delivered
    # Every digest and reminder is claimed (sent or, for the one in flight at a kill, lost): none waits.
    outcome.unclaimed = shop.db.rows("SELECT COUNT(*) FROM alerts_notification WHERE emailed_at IS NULL "
                                     "AND event LIKE 'fault-round:%'")[0][0] + shop.db.rows(
        "SELECT COUNT(*) FROM dialogues_registration WHERE reminded_at IS NULL")[0][0]
    return outcome


@pytest.fixture
def database_url(tmp_path):
    url = own_database_url(tmp_path, "delbar_faults_worker")
    yield url
    if url.startswith("postgres"):
        drop_postgres_database(url)


@pytest.mark.long
def test_a_worker_killed_mid_task_loses_no_task_and_sends_no_email_twice(tmp_path, database_url):
    outcome = run_kills(tmp_path, database_url, ROUNDS)
    print(f"\n{outcome.kills} kills ({outcome.kills_mid_task} mid-task): tasks {dict(outcome.tasks)}, "
          f"{outcome.delivered}/{outcome.expected} e-mails, {outcome.duplicates} twice, {outcome.lost} lost; "
          f"kill to both tasks done: max {max(outcome.recovery_seconds):.1f} s")
    assert outcome.kills == outcome.kills_mid_task == ROUNDS
    assert outcome.tasks == Counter({"SUCCESSFUL": 2 * ROUNDS})
    assert outcome.duplicates == 0
    # At most once: only the message in flight when a worker died may be lost, one per kill at most.
    assert outcome.lost <= outcome.kills
    assert outcome.unclaimed == 0
