"""The task worker's share of keeping the vector index one per machine (vectors.py)."""

from django.tasks import task

from delbar.search.embedders import get_embedder
from delbar.search.vectors import SNAPSHOT_AFTER, vector_index


@task
def write_vector_snapshot() -> str:
    """Writes a new vector snapshot when the changes since the mapped one have reached SNAPSHOT_AFTER
    (queued by the first process to see that); returns its path, or "" when one was not needed (an
    earlier run of this task already wrote it)."""
    index = vector_index(get_embedder().dimensions)
    if len(index.delta) + len(index.hidden) < SNAPSHOT_AFTER:
        return ""
    path = index.save()
    return str(path or "")
