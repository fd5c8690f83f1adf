"""`delbar worker`: django-tasks-db's `db_worker`, which also puts back the tasks dead workers left
running (ops/workers.py). Takes every `db_worker` option; run one or more beside the web processes."""

import datetime as dt

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from delbar.ops import workers


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
        if recovery.requeued or recovery.failed:
            self.stdout.write(f"{len(recovery.requeued)} abandoned tasks put back, {len(recovery.failed)} given up")
        workers.Recoverer(every=recover_every, **limits).start()
        super().handle(**options)
