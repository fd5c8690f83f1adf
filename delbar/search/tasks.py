"""Search's work outside the web processes: the task worker's vector snapshots, and the processes
`delbar reindex --processes N` embeds in. Imports Django's models only when it runs, so a process
spawned to embed can load this module before it sets Django up."""

import os

from django.tasks import task


@task
def write_vector_snapshot() -> str:
    """Writes a new vector snapshot when the changes since the mapped one have reached SNAPSHOT_AFTER
    (queued by the first process to see that); returns its path, or "" when one was not needed (an
    earlier run of this task already wrote it)."""
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
