"""What an operator needs to know at a glance, from one place for /healthz and the operations page:
the task queue and the search index (the search layer reports its own state: delbar.search.index_state)."""

import datetime as dt

from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django_tasks_db.models import DBTaskResult

from delbar.search import index_state

# A task waiting longer than this means no worker is taking work (workers poll every few seconds and
# the longest task, a match refresh at 200k documents, took 10.6 s: bench/results/matching-latency-200k-sqlite.md).
QUEUE_STALE_AFTER = dt.timedelta(minutes=10)
# Documents waiting for a vector: a notice harvest queues thousands at once, and one worker embeds real
# notices at 8.5 a second (bench/results/notices-sqlite.md): a backlog of an hour's work is worth a warning.
WAITING_VECTORS_LIMIT = 30_000


def queue_state(now: dt.datetime | None = None) -> dict:
    """Tasks ready to run (and how long the oldest has waited), running, and failed in the last day."""
    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values("enqueued_at", "queue_name").first()
    return {
        "ready": ready.count(),
        "oldest_ready_seconds": round((now - oldest["enqueued_at"]).total_seconds(), 1) if oldest else None,
        # Each machine has its own queue besides "default" (search.machine_queue): a task waiting in one
        # names the machine whose workers are missing.
        "oldest_ready_queue": oldest["queue_name"] if oldest else None,
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "failed_last_day": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED,
                                                       finished_at__gte=now - dt.timedelta(days=1)).count(),
    }


def queue_problem(state: dict) -> str:
    """Why the queue needs an operator, or "" (in the active language)."""
    waited = state["oldest_ready_seconds"]
    if waited is not None and waited > QUEUE_STALE_AFTER.total_seconds():
        return ngettext("%(ready)d task ready, waiting for %(seconds).0f s in the queue ‘%(queue)s’: "
                        "is a task worker running that works it?",
                        "%(ready)d tasks ready, the oldest for %(seconds).0f s in the queue ‘%(queue)s’: "
                        "is a task worker running that works it?",
                        state["ready"]) % {"ready": state["ready"], "seconds": waited,
                                           "queue": state["oldest_ready_queue"]}
    return ""


def search_state() -> dict:
    return index_state()


def search_problem(state: dict) -> str:
    """Why the search index needs an operator, or "" (in the active language)."""
    if state["waiting"] > WAITING_VECTORS_LIMIT:
        return gettext("%(waiting)d documents wait for their vectors: is a task worker running?") % state
    return ""
