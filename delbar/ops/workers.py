"""Task workers that survive being killed: `delbar worker` runs django-tasks-db's worker and puts back
the tasks that a dead worker left RUNNING (django-tasks-db never does: a task claimed by a worker
killed with SIGKILL, out of memory or by a power cut stays RUNNING forever).

A worker's id names where it runs: `host:pid:start` (start: when the process began, in hundredths of a
second, so a reused process number is not taken for the old worker). A RUNNING task is abandoned when

- its last worker ran on this host and that process is gone (found at once, by any worker here), or
- it has run longer than `abandoned_after`, wherever its worker is (another host, whose processes
  cannot be checked from here, or a worker that hangs; a hung worker that wakes up later runs the
  task's end a second time, which the tasks below tolerate).

An abandoned task goes back to READY and runs again, so tasks run at least once. A task abandoned by
`max_attempts` workers (one that kills its worker every time, say by running out of memory) is marked
FAILED with the reason instead, so it cannot take every worker down in turn.

A task that failed because its database went away (a restart, a fail-over: django-tasks-db records it
FAILED once the database is back) is put back in the queue the same way, until `max_attempts` runs
have failed: the task was not wrong, its database was away. Any other error stays FAILED.

At least once means each task may run again after a partial run. Each of Delbar's tasks is written so
that a rerun is harmless:

| task                          | a second run after a kill                                                  |
|-------------------------------|----------------------------------------------------------------------------|
| alerts.tasks.run_alerts       | notifications are keyed by event (never twice); a digest is claimed in its |
|                               | own transaction before it is sent, so it is e-mailed at most once          |
| dialogues.tasks.remind        | each reminder is claimed the same way: at most one e-mail a registration   |
| needs.tasks.match_need,       | recomputes the matches (kept decisions survive) and notifies by event:     |
| needs.tasks.refresh_matches   | the same result as one run                                                 |
| search.indexing.embed_waiting | embeds the documents still waiting; a vector is written only for the text  |
|                               | it was made from                                                           |

E-mail is at most once (alerts/digest.py, dialogues/actions.py): the one message whose worker died
after the claim committed and before the mail server accepted it is lost, not sent twice.
"""

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass, field

import psutil
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# A task that outlives this is taken for abandoned even when its worker's host cannot be checked. The
# longest task is embed_waiting after a large import (docs/operations.md); two hours is a judgement, not
# a measurement, and operators with longer imports raise it (`delbar worker --abandoned-after`).
ABANDONED_AFTER = dt.timedelta(hours=2)
# Three workers killed by the same task is a pattern, not bad luck.
MAX_ATTEMPTS = 3
# How often a running worker looks for abandoned tasks; a kill is noticed within this (plus the poll).
RECOVER_EVERY_SECONDS = 15.0
# django-tasks-db refuses worker ids longer than 64 characters; pid and start take at most 30.
HOST_CHARS = 32


# What django-tasks-db records as the exception of a task whose database connection was lost or refused.
# An OperationalError that is not transient (SQLite's "no such table") fails max_attempts times, then stays.
LOST_DATABASE = frozenset({"django.db.utils.OperationalError", "django.db.utils.InterfaceError"})


class AbandonedTask(Exception):
    """Recorded as the error of a task given up after `max_attempts` workers died running it."""


def _host() -> str:
    return socket.gethostname()[:HOST_CHARS] or "localhost"


def _start_mark(process: psutil.Process) -> int:
    return int(process.create_time() * 100)


def worker_id_for(pid: int | None = None) -> str:
    """The id of the worker process `pid` (this process by default): `host:pid:start`."""
    process = psutil.Process(pid or os.getpid())
    return f"{_host()}:{process.pid}:{_start_mark(process)}"


def died_here(worker_id: str) -> bool:
    """Whether `worker_id` names a worker on this host whose process is gone."""
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != _host() or not (parts[1].isdigit() and parts[2].isdigit()):
        return False
    try:
        process = psutil.Process(int(parts[1]))
        # create_time is rounded the same way each time it is read; allow a hundredth either side.
        return abs(_start_mark(process) - int(parts[2])) > 1 or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)


def recover_abandoned(*, abandoned_after: dt.timedelta = ABANDONED_AFTER, max_attempts: int = MAX_ATTEMPTS,
                      gone: frozenset[str] = frozenset(), now: dt.datetime | None = None) -> Recovery:
    """Puts every abandoned RUNNING task back in the queue, or gives it up after `max_attempts` workers
    died running it; returns their ids. `gone`: worker ids known to run nothing any more (a worker that
    lost its database in the middle of a task names itself). Safe to run in many workers at once: each
    change applies only while the task is still in the run it was found in (same status and start time)."""
    now = now or timezone.now()
    recovery = Recovery()
    running = DBTaskResult.objects.running().values_list("pk", "started_at", "worker_ids")
    for pk, started_at, worker_ids in list(running):
        last = worker_ids[-1] if worker_ids else ""
        dead = last in gone or died_here(last)
        if not dead and (started_at is None or now - started_at < abandoned_after):
            continue
        still = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at)
        if len(worker_ids) >= max_attempts:
            reason = (f"{len(worker_ids)} workers stopped while running this task ({', '.join(worker_ids)}); "
                      "it is given up so it cannot stop the next one.")
            changed = still.update(status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                                   exception_class_path=f"{AbandonedTask.__module__}.{AbandonedTask.__qualname__}",
                                   traceback=reason)
            if changed:
                recovery.failed.append(str(pk))
                logger.error("Task %s given up: %s", pk, reason)
        elif still.update(status=TaskResultStatus.READY, started_at=None):
            recovery.requeued.append(str(pk))
            logger.warning("Task %s put back in the queue: worker %s %s", pk, last,
                           "is gone" if dead else f"started it more than {abandoned_after} ago")
    recovery.retried = retry_lost_to_the_database(since=now - abandoned_after, max_attempts=max_attempts)
    return recovery


def retry_lost_to_the_database(*, since: dt.datetime, max_attempts: int = MAX_ATTEMPTS) -> list[str]:
    """Puts back in the queue each task that failed after `since` because its database was away, unless
    `max_attempts` runs of it have failed; returns their ids."""
    retried = []
    failed = (DBTaskResult.objects.failed().filter(exception_class_path__in=LOST_DATABASE, finished_at__gte=since)
              .values_list("pk", "finished_at", "worker_ids"))
    for pk, finished_at, worker_ids in list(failed):
        if len(worker_ids) >= max_attempts:
            continue
        still = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.FAILED, finished_at=finished_at)
        if still.update(status=TaskResultStatus.READY, started_at=None, finished_at=None,
                        exception_class_path="", traceback=""):
            retried.append(str(pk))
            logger.warning("Task %s put back in the queue: its database was away (run %s of at most %s)",
                           pk, len(worker_ids), max_attempts)
    return retried


class Recoverer(threading.Thread):
    """Looks for abandoned tasks every `every` seconds beside the worker's own loop (with its own
    database connection), so an idle worker picks up what a dead one left."""

    def __init__(self, *, every: float, abandoned_after: dt.timedelta, max_attempts: int):
        super().__init__(name="delbar-task-recovery", daemon=True)
        self.every, self.abandoned_after, self.max_attempts = every, abandoned_after, max_attempts
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                close_old_connections()
                recover_abandoned(abandoned_after=self.abandoned_after, max_attempts=self.max_attempts)
            except Exception:
                # A database that is briefly away (a restart) must not end the recovery for good.
                logger.exception("Looking for abandoned tasks failed; trying again in %s s", self.every)
            finally:
                connections.close_all()
