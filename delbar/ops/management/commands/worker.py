"""`delbar worker`: django-tasks-db's `db_worker`, which also puts back the tasks dead workers left
running (ops/workers.py), and outlives a database restart: where `db_worker` exits when its query
fails, this one waits for the database and goes on, putting back the task it was running if the
failure ended it. Takes every `db_worker` option; run one or more beside the web processes. By default
it works the shared queue and this machine's own (search.machine_queue)."""

import datetime as dt
import logging
import signal
import time

from django.db import DatabaseError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from delbar.ops import workers
from delbar.search import machine_queue

logger = logging.getLogger("delbar.ops.workers")
# Waits between tries while the database is away: doubling from 1 s, at most 30 s, so a restart (under
# a second in bench/results/faults.md) costs a second of work and a long outage little load.
FIRST_WAIT, LONGEST_WAIT = 1.0, 30.0
# How long a stopping worker waits for its recovery thread's look for abandoned tasks to end; a look still
# running then (a locked SQLite write waits up to 20 s) is left to end with the process.
STOP_RECOVERY_WITHIN = 10.0


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


class Command(DbWorkerCommand):
    help = ("Work the background task queue, first putting back the tasks that workers which died left "
            "running (and then every --recover-every seconds).")

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # The worker id names this process (host:pid:start), so a worker here can tell when it is gone;
        # production never reloads on code changes.
        parser.set_defaults(worker_id=None, reload=False)
        # The shared queue, and this machine's own: work on files only this machine holds (the search
        # snapshot). A worker given other queues should keep this machine's among them; '*' would take
        # every machine's and write their snapshots here.
        parser.set_defaults(queue_name=f"default,{machine_queue()}")
        parser.add_argument("--recover-every", type=_positive, default=workers.RECOVER_EVERY_SECONDS,
                            help="seconds between looks for abandoned tasks (default: %(default)s)")
        parser.add_argument("--abandoned-after", type=_positive,
                            default=workers.ABANDONED_AFTER.total_seconds() / 60,
                            help="minutes after which a running task counts as abandoned wherever its worker "
                                 "runs (default: %(default)s)")
        parser.add_argument("--max-attempts", type=int, choices=range(1, 100), metavar="N",
                            default=workers.MAX_ATTEMPTS,
                            help="give a task up after N workers died running it (default: %(default)s)")

    def handle(self, *, recover_every: float, abandoned_after: float, max_attempts: int, **options) -> None:
        options["worker_id"] = options["worker_id"] or workers.worker_id_for()
        self.configure_logging(options["verbosity"])
        limits = {"abandoned_after": dt.timedelta(minutes=abandoned_after), "max_attempts": max_attempts}
        recovery = workers.recover_abandoned(**limits)
        if recovery.requeued or recovery.failed or recovery.retried:
            self.stdout.write(f"{len(recovery.requeued)} abandoned tasks put back, {len(recovery.failed)} given up, "
                              f"{len(recovery.retried)} that lost their database put back")
        recoverer = workers.Recoverer(every=recover_every, **limits)
        recoverer.start()
        try:
            self._work(options, limits)
        finally:
            # Ended and joined rather than left to the interpreter's exit, which ends a daemon thread still
            # running mid-call. (CI once saw a worker outlive SIGTERM by 30 s, cause not found;
            # tests/test_faults_postgres.py dumps the stacks if it happens again.)
            recoverer.stopped.set()
            recoverer.join(timeout=STOP_RECOVERY_WITHIN)

    def _work(self, options: dict, limits: dict) -> None:
        gone = frozenset([options["worker_id"]])
        wait = FIRST_WAIT
        while True:
            try:
                super().handle(**options)
                return
            except DatabaseError as error:
                if _stop_requested():
                    # Its task's end was not recorded: put it back now if the database answers, else the
                    # next worker to start on this machine, or any after ABANDONED_AFTER, will.
                    _put_back_quietly(gone, limits)
                    return
                logger.warning("The database is unavailable (%s); trying again in %s s", error, wait)
            connections.close_all()
            time.sleep(wait)
            try:
                workers.recover_abandoned(gone=gone, **limits)
                wait = FIRST_WAIT
            except DatabaseError:
                connections.close_all()
                wait = min(2 * wait, LONGEST_WAIT)


def _put_back_quietly(gone: frozenset, limits: dict) -> None:
    connections.close_all()
    try:
        workers.recover_abandoned(gone=gone, **limits)
    except DatabaseError as error:
        logger.warning("Stopping without putting back this worker's task; the database is unavailable (%s)", error)


def _stop_requested() -> bool:
    """Whether the worker that just ended was told to stop: SIGTERM, SIGINT or SIGQUIT while it ran a task
    (db_worker lets the task finish and clears `running`), or a second one (db_worker puts the default
    handlers back and exits). Then a database error on the way out ends the process instead of starting
    over."""
    handler = signal.getsignal(signal.SIGTERM)
    if handler is signal.SIG_DFL:
        return True
    return getattr(getattr(handler, "__self__", None), "running", None) is False
