"""Search's work outside the web processes: the task worker's vector snapshots, and the processes
`delbar reindex --processes N` embeds in. Imports Django's models only when it runs, so a process
spawned to embed can load this module before it sets Django up."""

import hashlib
import os

from django.conf import settings
from django.tasks import task

# django-tasks-db keeps a queue's name in 32 characters.
QUEUE_NAME_CHARS = 32


def machine_queue(machine: str | None = None) -> str:
    """The task queue of one machine (this one by default): "machine-" and its name, a long name cut
    and told apart by a hash. `delbar worker` takes it besides "default"."""
    machine = machine or settings.MACHINE_NAME
    name = f"machine-{machine}"
    if len(name) > QUEUE_NAME_CHARS:
        name = f"{name[:QUEUE_NAME_CHARS - 9]}-{hashlib.sha256(machine.encode()).hexdigest()[:8]}"
    return name


def ask_for_snapshot() -> None:
    """Queues write_vector_snapshot for a worker on this machine: the snapshot is a file in this
    machine's SEARCH_INDEX_DIR, which a worker elsewhere would write into its own folder instead."""
    write_vector_snapshot.using(queue_name=machine_queue()).enqueue()


@task
def write_vector_snapshot() -> str:
    """Writes a new vector snapshot when the changes since the mapped one have reached SNAPSHOT_AFTER
    (queued by the first process on a machine to see that, on that machine's queue); returns its path,
    or "" when one was not needed (an earlier run of this task already wrote it)."""
    from delbar.search.embedders import get_embedder
    from delbar.search.vectors import SNAPSHOT_AFTER, vector_index

    index = vector_index(get_embedder().dimensions)
    if len(index.delta) + len(index.hidden) < SNAPSHOT_AFTER:
        return ""
    path = index.save()
    return str(path or "")


def start_embedding_process(threads: int) -> None:
    """The start of a process spawned by reindex(processes=N): Django, and its share of the cores."""
    os.environ["DELBAR_SEARCH_EMBEDDER_THREADS"] = str(threads)
    import django

    django.setup()


def embed_in_process(texts: list[str]):
    from delbar.search.embedders import get_embedder

    return get_embedder().embed_passages(texts)
