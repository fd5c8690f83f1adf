"""Background work for matching: when cases, needs or solutions change, the open needs near them are
recomputed after the change commits, outside the request that made it."""

from django.db import transaction
from django.dispatch import receiver
from django.tasks import task

from delbar.search.indexing import documents_changed
from delbar.search.models import SearchDocument


@task
def refresh_matches(kind: str, object_ids: list[int]) -> int:
    from delbar.needs import matching

    return matching.refresh_near(kind, object_ids)


@receiver(documents_changed, sender=SearchDocument)
def schedule_refresh(sender, *, kind: str, object_ids: list[int], **kwargs) -> None:
    from delbar.needs.matching import KINDS

    if kind in KINDS and object_ids:
        ids = list(object_ids)
        transaction.on_commit(lambda: refresh_matches.enqueue(kind, ids))
