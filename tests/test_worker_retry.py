"""A task whose database went away while it ran is run again once the database is back; a task that
failed for its own reasons is not. django-tasks-db records both as FAILED when the database answers
again; `delbar worker` (ops/workers.py) tells them apart by the exception."""

import logging
import signal
import threading

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from delbar.ops.workers import recover_abandoned
from delbar.search import indexing

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("restore_reference_data")]


@pytest.fixture
def queued_tasks(settings):
    """Tasks kept in the database for `delbar worker`, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def failing_once(monkeypatch, error: BaseException):
    """Makes embed_waiting's work raise `error` on its first run and succeed after."""
    calls = []
    real = indexing.embed_pending

    def embed_pending():
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real()

    monkeypatch.setattr(indexing, "embed_pending", embed_pending)
    return calls


def work_the_queue():
    call_command("worker", "--batch", "--recover-every", "3600")


def test_a_task_that_lost_its_database_runs_again_and_succeeds(queued_tasks, monkeypatch):
    calls = failing_once(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    result = indexing.embed_waiting.enqueue()
    work_the_queue()
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "django.db.utils.OperationalError"

    recovery = recover_abandoned()
    assert recovery.retried == [str(task.pk)]
    task.refresh_from_db()
    assert (task.status, task.exception_class_path, task.finished_at) == (TaskResultStatus.READY, "", None)

    work_the_queue()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(calls) == 2 and len(task.worker_ids) == 2


def test_a_task_that_failed_for_its_own_reason_stays_failed(queued_tasks, monkeypatch):
    calls = failing_once(monkeypatch, ValueError("a bug, not the database"))
    result = indexing.embed_waiting.enqueue()
    work_the_queue()
    assert recover_abandoned().retried == []
    work_the_queue()
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == TaskResultStatus.FAILED and task.exception_class_path == "builtins.ValueError"
    assert len(calls) == 1


def test_a_task_whose_database_error_never_goes_away_is_given_up_after_max_attempts(queued_tasks, monkeypatch):
    calls = []

    def embed_pending():
        calls.append(1)
        raise OperationalError("no such table: search_searchdocument")

    monkeypatch.setattr(indexing, "embed_pending", embed_pending)
    result = indexing.embed_waiting.enqueue()
    for _ in range(5):
        work_the_queue()
        recover_abandoned(max_attempts=3)
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == TaskResultStatus.FAILED
    assert len(calls) == 3 and len(task.worker_ids) == 3



def signalled_mid_task(monkeypatch, signals: int) -> list:
    """embed_waiting's work receives `signals` SIGTERMs while it runs (as db_worker's handler would from
    the operating system), and the database is gone when its end, or its failure, is recorded."""
    calls = []

    def embed_pending():
        calls.append(1)
        handler = signal.getsignal(signal.SIGTERM)
        for _ in range(signals):
            handler(signal.SIGTERM, None)  # the second raises SystemExit, which the task's run records
        return 0

    def database_gone(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(indexing, "embed_pending", embed_pending)
    monkeypatch.setattr(DBTaskResult, "set_successful", database_gone)
    monkeypatch.setattr(DBTaskResult, "set_failed", database_gone)
    return calls


def test_a_worker_told_to_stop_mid_task_stops_even_when_the_database_goes_away(queued_tasks, monkeypatch, caplog):
    """SIGTERM while a task runs lets the task finish; if recording its end then meets a database that is
    gone, the worker ends instead of waiting for the database and starting over, putting the task back
    for the next worker when the database answers."""
    calls = signalled_mid_task(monkeypatch, signals=1)
    result = indexing.embed_waiting.enqueue()
    with caplog.at_level(logging.WARNING, logger="delbar.ops.workers"):
        work_the_queue()
    assert [record.getMessage() for record in caplog.records if "unavailable" in record.getMessage()] == []
    assert len(calls) == 1
    task = DBTaskResult.objects.get(pk=result.id)
    assert (task.status, len(task.worker_ids)) == (TaskResultStatus.READY, 1)


def test_a_second_signal_while_the_database_is_gone_stops_the_worker_too(queued_tasks, monkeypatch, caplog):
    """A second SIGTERM (db_worker's forced stop: default handlers back, SystemExit in the task) whose
    failure cannot be recorded either."""
    calls = signalled_mid_task(monkeypatch, signals=2)
    indexing.embed_waiting.enqueue()
    with caplog.at_level(logging.WARNING, logger="delbar.ops.workers"):
        work_the_queue()
    assert [record.getMessage() for record in caplog.records if "unavailable" in record.getMessage()] == []
    assert len(calls) == 1


def test_a_worker_that_ends_ends_its_recovery_thread(queued_tasks):
    before = set(threading.enumerate())
    work_the_queue()
    assert set(threading.enumerate()) - before == set()
