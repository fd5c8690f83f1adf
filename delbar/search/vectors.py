"""The in-process nearest-neighbour index over the vectors stored in search_document.

The database is the source of truth; each process keeps a usearch index (an HNSW graph) of every
document's vector, searched by an exact scan (see nearest()), and, before each search, catches up
with rows whose `version` is above the last one it saw (one indexed MAX query when nothing changed).
`delbar reindex` saves the graph to the data folder so a new process loads it instead of building
it, then catches up the same way.
"""

import hashlib
import json
import threading
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from usearch.index import Index

from delbar.search.models import SearchClock, SearchDocument

# HNSW parameters. The graph stores the vectors and answers `similarities()`, but `nearest()` no longer
# walks it: on the 200,000-document benchmark corpus (clusters of 100 near-duplicates around 2,000
# topics) its recall@10 against exact search was 0.898 at expansion 800 (2.4 ms), 0.954 at 3,200
# (8.7 ms) and 0.969 at 6,400 (17 ms), while an exact scan of the float16 vectors found 0.999
# (bench/bench_search_latency.py; docs/search.md).
CONNECTIVITY = 32
EXPANSION_ADD = 200
EXPANSION_SEARCH = 800
DTYPE = "f16"
CATCH_UP_BATCH = 5000


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)


class VectorIndex:
    def __init__(self, dimensions: int):
        self.dimensions = dimensions
        self.index = self._new_index()
        self.watermark = 0          # highest SearchDocument.version applied
        self.instance = ""          # SearchClock row identity the graph belongs to
        self._lock = threading.Lock()

    def _new_index(self) -> Index:
        return Index(ndim=self.dimensions, metric="cos", dtype=DTYPE, connectivity=CONNECTIVITY,
                     expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)

    def __len__(self) -> int:
        return len(self.index)

    # Keeping fresh -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Applies every change committed since the last call."""
        with self._lock:
            # The clock's value is the newest change number committed: writers hold its row until
            # they commit. So one query tells both which index this is and whether anything changed.
            clock = SearchClock.objects.filter(pk=1).values_list("instance", "value").first()
            instance, latest = (_instance_of(clock[0]), clock[1]) if clock else ("", None)
            if instance != self.instance:
                # A new database (or a flushed one): start over, from a saved graph if there is one.
                self.index, self.watermark, self.instance = self._new_index(), 0, instance
                self._load_saved()
            while latest is not None and latest > self.watermark:
                rows = list(SearchDocument.objects.filter(version__gt=self.watermark).order_by("version")
                            .values_list("id", "version", "removed", "embedding")[:CATCH_UP_BATCH])
                if not rows:
                    break
                self._apply(rows)
                self.watermark = rows[-1][1]

    def _apply(self, rows) -> None:
        gone = [doc_id for doc_id, _, removed, embedding in rows if removed or embedding is None]
        fresh = [(doc_id, embedding) for doc_id, _, removed, embedding in rows
                 if not removed and embedding is not None]
        stale = [doc_id for doc_id in gone + [doc_id for doc_id, _ in fresh] if doc_id in self.index]
        if stale:
            self.index.remove(stale)
        if fresh:
            self.add([doc_id for doc_id, _ in fresh], np.vstack([from_bytes(embedding) for _, embedding in fresh]))

    def add(self, keys: list[int], vectors: np.ndarray) -> None:
        """Adds new keys (replace an existing key by removing it first)."""
        self.index.add(np.asarray(keys, dtype=np.uint64), np.asarray(vectors, dtype=np.float32))

    # Searching -----------------------------------------------------------------------------------

    def nearest(self, query: np.ndarray, count: int) -> list[tuple[int, float]]:
        """The nearest documents by cosine similarity, best first: an exact scan of every stored vector
        (usearch's SIMD float16 kernels), not a walk of the graph, whose recall fell short (above)."""
        if len(self.index) == 0:
            return []
        matches = self.index.search(query, min(count, len(self.index)), threads=1, exact=True)
        return list(zip(matches.keys.tolist(), (1.0 - matches.distances).tolist(), strict=True))

    def similarities(self, query: np.ndarray, doc_ids: list[int]) -> dict[int, float]:
        """Exact cosine similarity of the given documents (those in the index)."""
        if not doc_ids or len(self.index) == 0:
            return {}
        keys = np.asarray(doc_ids, dtype=np.uint64)
        present = keys[np.asarray(self.index.contains(keys), dtype=bool)].tolist()
        if not present:
            return {}
        vectors = np.asarray(self.index.get(np.array(present, dtype=np.uint64)), dtype=np.float32)
        vectors = vectors.reshape(len(present), self.dimensions)
        norms = np.linalg.norm(vectors, axis=1)
        norms[norms == 0] = 1.0
        scores = (vectors @ query) / norms
        return dict(zip(present, scores.tolist(), strict=True))

    def vector(self, doc_id: int) -> np.ndarray | None:
        if doc_id not in self.index:
            return None
        return np.asarray(self.index.get(doc_id), dtype=np.float32).reshape(-1)

    # Saving --------------------------------------------------------------------------------------

    def save(self) -> Path | None:
        folder = _folder()
        if folder is None or not self.instance:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"vectors-{self.instance}.usearch"
        self.index.save(str(path))
        path.with_suffix(".json").write_text(json.dumps({"watermark": self.watermark, **_shape()}))
        return path

    def _load_saved(self) -> None:
        folder = _folder()
        path = folder / f"vectors-{self.instance}.usearch" if folder else None
        if path is None or not path.exists() or not path.with_suffix(".json").exists():
            return
        saved = json.loads(path.with_suffix(".json").read_text())
        if {name: saved.get(name) for name in _shape()} != _shape():
            return  # built with other parameters: build it again from the stored vectors
        self.index.load(str(path))
        self.watermark = saved["watermark"]


def _instance_of(clock_instance: str | None) -> str:
    """Names the database and the life of its search clock, for the saved graph's file name."""
    if not clock_instance:
        return ""
    database = f"{connection.settings_dict.get('HOST')}/{connection.settings_dict['NAME']}"
    return f"{connection.vendor}-{hashlib.sha256(database.encode()).hexdigest()[:8]}-{clock_instance}"


def _shape() -> dict:
    """What a saved graph must have been built with to be loaded (search parameters apply on load)."""
    return {"dtype": DTYPE, "connectivity": CONNECTIVITY, "expansion_add": EXPANSION_ADD}


def _folder() -> Path | None:
    return Path(settings.SEARCH_INDEX_DIR) if settings.SEARCH_INDEX_DIR else None


_indexes: dict[str, VectorIndex] = {}


def vector_index(dimensions: int) -> VectorIndex:
    """This process's index for the default database, caught up."""
    index = _indexes.get(connection.alias)
    if index is None or index.dimensions != dimensions:
        index = _indexes[connection.alias] = VectorIndex(dimensions)
    index.refresh()
    return index


def loaded_indexes() -> list[tuple[str, VectorIndex]]:
    """The vector indexes this process holds, by database alias (not caught up: for reporting)."""
    return list(_indexes.items())
