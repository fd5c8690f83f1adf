"""The index's state for operators (/healthz, the operations page): how many documents, how many wait
for a vector, and how far this process's vector index is behind the database's change counter."""

from delbar.search.models import SearchClock, SearchDocument
from delbar.search.vectors import loaded_indexes


def index_state() -> dict:
    """documents (live), waiting (for the worker to embed), latest_change (the clock), and per loaded
    vector index in this process its size and `behind` (documents changed since it last caught up)."""
    clock = SearchClock.objects.filter(pk=1).values("value", "documents").first() or {"value": 0, "documents": 0}
    waiting = SearchDocument.objects.exclude(wanted_text_hash="").count()
    indexes = [{"alias": alias, "vectors": len(index), "watermark": index.watermark,
                "behind": SearchDocument.objects.using(alias).filter(version__gt=index.watermark).count()}
               for alias, index in loaded_indexes()]
    return {"documents": clock["documents"], "waiting": waiting, "latest_change": clock["value"],
            "indexes": indexes}
