"""A task whose database went away while it ran is run again once the database is back; a task that
failed for its own reasons is not. django-tasks-db records both as FAILED when the database answers
again; `delbar worker` (ops/workers.py) tells them apart by the exception."""

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
