"""Work that must run on one machine goes to that machine's queue: the vector snapshot is a file in the
machine's SEARCH_INDEX_DIR, so the task that writes it must be taken by a worker there, never by a
worker on another machine (which would write it into its own folder, and leave this one's behind)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from delbar.ops.state import queue_problem, queue_state
from delbar.search import machine_queue
from delbar.search import vectors as search_vectors

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("restore_reference_data")]

SNAPSHOT_TASK = "delbar.search.tasks.write_vector_snapshot"


@pytest.fixture
def queued_tasks(settings):
    """Tasks kept in the database for `delbar worker`, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def test_a_machine_queue_is_named_after_the_machine_within_the_queues_32_characters(settings):
    settings.MACHINE_NAME = "web-1"
    assert machine_queue() == "machine-web-1"
    assert machine_queue("db-2") == "machine-db-2"
    long_one, long_two = "web-1.oslo.kommunesektoren.example.no", "web-2.oslo.kommunesektoren.example.no"
    assert len(machine_queue(long_one)) == 32 and len(machine_queue(long_two)) == 32
    assert machine_queue(long_one) != machine_queue(long_two)   # cut to the same start, told apart by the hash


def test_the_snapshot_is_written_by_a_worker_on_the_machine_whose_folder_it_is(
        reference_data, settings, tmp_path, monkeypatch, queued_tasks, make_case):
    from delbar.cases.models import Status

    settings.MACHINE_NAME, settings.SEARCH_INDEX_DIR = "web-1", str(tmp_path / "index")
    monkeypatch.setattr(search_vectors, "SNAPSHOT_AFTER", 1)
    monkeypatch.setattr(search_vectors, "_indexes", {})
    make_case(Status.PUBLISHED)
    from delbar.search import search

    search("robot")   # the index catches up: its delta passes SNAPSHOT_AFTER and asks for a snapshot
    task = DBTaskResult.objects.get(task_path=SNAPSHOT_TASK)
    assert (task.queue_name, task.status) == ("machine-web-1", TaskResultStatus.READY)

    # A worker on another machine works the shared queue and its own: it leaves this one's task alone.
    settings.MACHINE_NAME = "web-2"
    call_command("worker", "--batch", "--recover-every", "3600")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert not list((tmp_path / "index").glob("*.snapshot"))

    # A worker on this machine takes it by default, beside the shared queue.
    settings.MACHINE_NAME = "web-1"
    call_command("worker", "--batch", "--recover-every", "3600")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    written = list((tmp_path / "index").glob("*.snapshot"))
    assert [str(path) for path in written] == [task.return_value]


def test_a_task_no_worker_takes_names_its_queue():
    enqueued = timezone.now() - dt.timedelta(minutes=30)
    task = DBTaskResult.objects.create(
        task_path=SNAPSHOT_TASK, args_kwargs={"args": [], "kwargs": {}}, queue_name="machine-web-9",
        backend_name="default", priority=0, run_after=enqueued, status=TaskResultStatus.READY)
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued)
    state = queue_state()
    assert state["oldest_ready_queue"] == "machine-web-9"
    with translation.override("en"):
        assert "in the queue ‘machine-web-9’" in queue_problem(state)
    with translation.override("nn"):
        assert "i køen ‘machine-web-9’" in queue_problem(state)
