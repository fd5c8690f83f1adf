"""Background work for matching: when cases, needs, solutions or notices change, the open needs near
them are recomputed after the change commits, outside the request that made it. The action that made
the change queues it (`refresh_later`)."""

from django.db import transaction
from django.tasks import task

from delbar.groups.proposals import propose_for
from delbar.needs import matching


@task
def refresh_matches(kind: str, object_ids: list[int]) -> int:
    """Recomputes the needs these objects may now match; returns how many."""
    needs = matching.refresh_near(kind, object_ids)
    for need in needs:
        propose_for(need)
    return len(needs)


def refresh_later(kind: str, object_ids) -> None:
    """Queues the refresh of the needs near these objects for when the current transaction commits
    (nothing, if it rolls back)."""
    ids = sorted(set(object_ids))
    if ids and kind in matching.KINDS:
        transaction.on_commit(lambda: refresh_matches.enqueue(kind, ids))
