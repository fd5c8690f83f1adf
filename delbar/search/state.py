"""The index's state for operators (/healthz, the operations page): how many documents, how many wait
for a vector, how far this process's vector index is behind the database's change counter, and the
snapshot it maps (vectors.py)."""

from delbar.search.models import SearchClock, SearchDocument
from delbar.search.vectors import loaded_indexes


def index_state() -> dict:
    """documents (live), waiting (for the worker to embed), latest_change (the clock), and per loaded
    vector index in this process its size, `behind` (documents changed since it last caught up), and its
    snapshot: `mapped` (whether it maps one), `snapshot` (path), `snapshot_watermark`,
    `snapshot_age_seconds`, `delta` (vectors held in this process beside it) and `hidden` (its rows
    changed since)."""
    clock = SearchClock.objects.filter(pk=1).values("value", "documents").first() or {"value": 0, "documents": 0}
    waiting = SearchDocument.objects.exclude(wanted_text_hash="").count()
    indexes = [{"alias": alias, "vectors": len(index), "watermark": index.watermark,
                "behind": SearchDocument.objects.using(alias).filter(version__gt=index.watermark).count(),
                **index.snapshot_state()}
               for alias, index in loaded_indexes()]
    return {"documents": clock["documents"], "waiting": waiting, "latest_change": clock["value"],
            "indexes": indexes}
