"""The nearest-neighbour index over the vectors stored in search_document: one per machine, not per process.

The database is the source of truth. A snapshot file in SEARCH_INDEX_DIR holds every live document's
vector (float16, sorted by document id) and the change number it is current to (its watermark). Every
process memory-maps the newest snapshot read-only, so the machine holds the vectors once, in the page
cache, whatever the number of web processes; on top of it each process keeps a small in-memory delta of
the documents changed since the watermark, and hides their old rows in the snapshot. Before each search
it catches up with rows whose `version` is above the last one it saw (one indexed MAX query when nothing
changed) and, at most every SNAPSHOT_CHECK seconds, looks (one stat) for a newer snapshot, which it maps
instead, dropping its delta.

Snapshots are written whole, to a temporary file renamed over the old one (a process that still maps
the old one keeps reading it until it switches), by `delbar reindex` and by the task worker
(tasks.write_vector_snapshot), which a process queues on its machine's own queue (each machine has its
folder; tasks.machine_queue) when its delta has grown past SNAPSHOT_AFTER. A
process finding no snapshot (a first start, or SEARCH_INDEX_DIR unset) builds everything in its delta
from the stored vectors, as every process did before.

Both parts are flat matrices searched by an exact scan (usearch's SIMD float16 kernels): no HNSW graph.
On the 200,000-document benchmark corpus (clusters of 100 near-duplicates around 2,000 topics) the
graph's recall@10 against exact search was 0.898 at expansion 800 (2.4 ms), 0.954 at 3,200 (8.7 ms) and
0.969 at 6,400 (17 ms), while an exact scan of the float16 vectors found 0.999 (bench/bench_search_latency.py;
docs/search.md); once the scan was chosen the graph only cost time to build (one of 200,000 vectors had
not finished after 25 minutes on the 2-core machine; docs/search.md) and memory (its links), so it went.
"""

import hashlib
import logging
import math
import os
import threading
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from usearch.index import MetricKind
from usearch.index import search as exact_search

from delbar.search.models import SearchClock, SearchDocument

logger = logging.getLogger(__name__)

CATCH_UP_BATCH = 5000
# Seconds between two looks for a newer snapshot: one stat() each, so a process picks a new snapshot up
# within this many seconds (a test waits for it with a deadline).
SNAPSHOT_CHECK = 2.0
# Changes a process's delta may hold before it asks the worker for a new snapshot. Each changed document
# that was in the snapshot makes every scan of it ask for one more candidate and filter it out;
# bench/bench_search_latency.py measures the scan with this many hidden beside none ("delta at its bound").
SNAPSHOT_AFTER = 10_000

MAGIC, TRAILER = b"DELBARV1", b"DELBAREN"
HEADER = 32   # magic (8), dimensions (uint32), reserved (uint32), count (uint64), watermark (int64)
WRITE_CHUNK = 65_536


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)


def unit(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (float32; a zero row stays zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _cosines(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Each row's cosine with the unit vector `query`, in float32 (0 for a zero row)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1)
    return (vectors @ np.asarray(query, dtype=np.float32)) / np.where(norms == 0, 1.0, norms)


def _scan(matrix: np.ndarray, query: np.ndarray, count: int, threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `matrix` (unit vectors) nearest the unit vector `query`, best first: (rows, similarities).
    Their inner product is their cosine, which the inner-product kernel finds without computing either
    side's length: a million float16 vectors took 117 ms instead of the cosine kernel's 157 ms on one
    core (usearch 2.26, the 2-core machine with a benchmark running beside it)."""
    count = min(count, len(matrix))
    if count <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    found = exact_search(matrix, np.asarray(query, dtype=np.float16), count, MetricKind.IP, exact=True,
                         threads=threads)
    # The candidates' cosines exactly, in float32: a float16 vector's length is 1 only to within its
    # rounding, and the ranking built on these scores must not depend on it.
    rows = found.keys.astype(np.int64)
    scores = _cosines(matrix[rows], query)
    order = np.argsort(-scores, kind="stable")
    return rows[order], scores[order]


class Snapshot:
    """A snapshot file, memory-mapped read-only: keys (uint64, ascending) and their float16 vectors."""

    def __init__(self, path: Path, dimensions: int):
        stat = path.stat()
        self.path, self.identity = path, (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with path.open("rb") as stream:
            header = stream.read(HEADER)
        if len(header) < HEADER or header[:8] != MAGIC:
            raise ValueError("not a vector snapshot")
        ndim = int(np.frombuffer(header, dtype=np.uint32, count=1, offset=8)[0])
        count = int(np.frombuffer(header, dtype=np.uint64, count=1, offset=16)[0])
        if ndim != dimensions:
            raise ValueError(f"vectors of {ndim} dimensions, not {dimensions}")
        if stat.st_size != HEADER + count * (8 + 2 * ndim) + len(TRAILER):
            raise ValueError(f"{stat.st_size} bytes, not the {count:,} vectors its header announces")
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(mapped[-len(TRAILER):]) != TRAILER:
            raise ValueError("no end marker: a partial write")
        self.watermark = int(np.frombuffer(header, dtype=np.int64, count=1, offset=24)[0])
        self.keys = mapped[HEADER:HEADER + 8 * count].view(np.uint64)
        self.vectors = mapped[HEADER + 8 * count:HEADER + count * (8 + 2 * ndim)].view(np.float16).reshape(count, ndim)
        if count > 1 and not bool(np.all(self.keys[1:] > self.keys[:-1])):
            raise ValueError("keys out of order")

    def __len__(self) -> int:
        return len(self.keys)

    def rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Each key's row, -1 where it is not in the snapshot."""
        if not len(self.keys):
            return np.full(len(keys), -1, dtype=np.int64)
        rows = np.searchsorted(self.keys, keys)
        rows[rows >= len(self.keys)] = 0
        return np.where(self.keys[rows] == keys, rows, -1)


class Delta:
    """Vectors held in this process's memory: appendable; a replaced or removed key's row goes dead
    (skipped by scans) and dead rows are compacted away once they outnumber the live ones."""

    def __init__(self, dimensions: int):
        self.dimensions = dimensions
        self.keys = np.zeros(0, dtype=np.uint64)
        self.vectors = np.zeros((0, dimensions), dtype=np.float16)
        self.alive = np.zeros(0, dtype=bool)
        self.size = 0
        self.row_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.row_of)

    def drop(self, keys) -> None:
        for key in keys:
            row = self.row_of.pop(key, None)
            if row is not None:
                self.alive[row] = False
        dead = self.size - len(self.row_of)
        if dead > 1000 and dead > len(self.row_of):
            self._compact()

    def put(self, keys: list[int], vectors: np.ndarray) -> None:
        self.drop(keys)
        needed = self.size + len(keys)
        if needed > len(self.keys):
            capacity = max(needed, 2 * len(self.keys), 1024)
            self.keys = np.resize(self.keys, capacity)
            grown = np.zeros((capacity, self.dimensions), dtype=np.float16)
            grown[:self.size] = self.vectors[:self.size]
            self.vectors = grown
            self.alive = np.resize(self.alive, capacity)
        self.keys[self.size:needed] = keys
        self.vectors[self.size:needed] = unit(vectors)
        self.alive[self.size:needed] = True
        for offset, key in enumerate(keys):
            self.row_of[key] = self.size + offset
        self.size = needed

    def _compact(self) -> None:
        rows = np.flatnonzero(self.alive[:self.size])
        self.keys, self.vectors = self.keys[rows].copy(), self.vectors[rows].copy()
        self.alive = np.ones(len(rows), dtype=bool)
        self.size = len(rows)
        self.row_of = {int(key): row for row, key in enumerate(self.keys.tolist())}

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, vectors) of the live rows."""
        rows = np.flatnonzero(self.alive[:self.size])
        return self.keys[rows], self.vectors[rows]


class VectorIndex:
    def __init__(self, dimensions: int):
        self.dimensions = dimensions
        self.base: Snapshot | None = None   # the mapped snapshot
        self.hidden: set[int] = set()       # its keys changed or removed since its watermark
        self.delta = Delta(dimensions)
        self.watermark = 0          # highest SearchDocument.version applied
        self.instance = ""          # SearchClock row identity the vectors belong to
        self.snapshot_asked = False  # whether this process queued a snapshot since it mapped its base
        self._next_check = 0.0
        self._refused: tuple | None = None  # identity of a snapshot file found unusable
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return (len(self.base) - len(self.hidden) if self.base else 0) + len(self.delta)

    # Keeping fresh -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Maps a newer snapshot if there is one, then applies every change committed since."""
        with self._lock:
            # The clock's value is the newest change number committed: writers hold its row until
            # they commit. So one query tells both which index this is and whether anything changed.
            clock = SearchClock.objects.filter(pk=1).values_list("instance", "value").first()
            instance, latest = (_instance_of(clock[0]), clock[1]) if clock else ("", None)
            if instance != self.instance:
                # A new database (or a flushed one, or one rebuilt by `delbar reindex`): start over,
                # from its snapshot if there is one.
                self._start(instance)
            elif time.monotonic() >= self._next_check:
                self._look_for_snapshot()
            while latest is not None and latest > self.watermark:
                rows = list(SearchDocument.objects.filter(version__gt=self.watermark).order_by("version")
                            .values_list("id", "version", "removed", "embedding")[:CATCH_UP_BATCH])
                if not rows:
                    break
                self._apply(rows)
                self.watermark = rows[-1][1]

    def needs_snapshot(self) -> bool:
        """Whether the delta has grown past its bound over a snapshot (or without one) and this process
        has not asked for a new snapshot yet."""
        return (not self.snapshot_asked and _folder() is not None and bool(self.instance)
                and len(self.delta) + len(self.hidden) >= SNAPSHOT_AFTER)

    def _start(self, instance: str) -> None:
        self.base, self.hidden, self.delta = None, set(), Delta(self.dimensions)
        self.watermark, self.instance, self.snapshot_asked, self._refused = 0, instance, False, None
        self._look_for_snapshot()

    def _look_for_snapshot(self) -> None:
        self._next_check = time.monotonic() + SNAPSHOT_CHECK
        path = snapshot_path(self.instance)
        if path is None:
            return
        try:
            stat = path.stat()
        except FileNotFoundError:
            return
        identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if identity == self._refused or (self.base is not None and identity == self.base.identity):
            return
        try:
            snapshot = Snapshot(path, self.dimensions)
        except (OSError, ValueError) as error:
            # A partial or foreign file: keep what this process has, and say so once per file.
            logger.warning("Vector snapshot %s not used: %s", path, error)
            self._refused = identity
            return
        if self.base is not None and snapshot.watermark < self.base.watermark:
            return
        self._map(snapshot)

    def _map(self, snapshot: Snapshot) -> None:
        """Takes `snapshot` as the base; the changes after its watermark are read again by the catch-up."""
        self.base, self.hidden, self.delta = snapshot, set(), Delta(self.dimensions)
        self.watermark, self.snapshot_asked = snapshot.watermark, False

    def _apply(self, rows) -> None:
        keys = [doc_id for doc_id, *_ in rows]
        self.delta.drop(keys)
        if self.base is not None:
            in_base = self.base.rows_of(np.asarray(keys, dtype=np.uint64)) >= 0
            # A new set, not changed in place: a scan in another thread may hold the old one.
            self.hidden = self.hidden | {key for key, found in zip(keys, in_base.tolist(), strict=True) if found}
        fresh = {doc_id: embedding for doc_id, _, removed, embedding in rows if not removed and embedding is not None}
        if fresh:
            self.add(list(fresh), np.vstack([from_bytes(embedding) for embedding in fresh.values()]))

    def add(self, keys: list[int], vectors: np.ndarray) -> None:
        """Adds or replaces the vectors of `keys` in this process's delta."""
        self.delta.put([int(key) for key in keys], vectors)

    # Searching -----------------------------------------------------------------------------------

    def nearest(self, query: np.ndarray, count: int, threads: int | None = None) -> list[tuple[int, float]]:
        """The nearest documents by cosine similarity, best first: an exact scan of every stored vector,
        the snapshot's (less the hidden) and the delta's; the snapshot's split over `threads`
        (settings.SEARCH_SCAN_THREADS by default)."""
        threads = threads or settings.SEARCH_SCAN_THREADS
        with self._lock:
            # What the scans read, taken together: a catch-up in another thread replaces the hidden set
            # and the delta's arrays rather than change them under a scan, or writes past `size`.
            base, hidden, delta = self.base, self.hidden, self.delta
            keys, vectors, alive, size = delta.keys, delta.vectors, delta.alive, delta.size
            dead = size - len(delta)
        query = unit(query)
        found: dict[int, float] = {}
        if base is not None and len(base):
            rows, scores = _scan(base.vectors, query, count + len(hidden), threads)
            kept = [(key, score) for key, score in zip(base.keys[rows].tolist(), scores.tolist(), strict=True)
                    if key not in hidden]
            found.update(kept[:count])
        if size > dead:
            rows, scores = _scan(vectors[:size], query, count + dead)
            live = alive[rows]
            found.update(list(zip(keys[rows[live]].tolist(), scores[live].tolist(), strict=True))[:count])
        return sorted(found.items(), key=lambda item: -item[1])[:count]

    def _vectors_of(self, doc_ids: list[int]) -> dict[int, np.ndarray]:
        with self._lock:
            found = {}
            for key in doc_ids:
                row = self.delta.row_of.get(key)
                if row is not None:
                    found[key] = self.delta.vectors[row].copy()
            rest = [key for key in doc_ids if key not in found and key not in self.hidden]
            base = self.base
        if base is not None and rest:
            rows = base.rows_of(np.asarray(rest, dtype=np.uint64))
            present = rows >= 0
            vectors = base.vectors[rows[present]]
            found.update(zip(np.asarray(rest)[present].tolist(), vectors, strict=True))
        return found

    def similarities(self, query: np.ndarray, doc_ids: list[int]) -> dict[int, float]:
        """Exact cosine similarity of the given documents (those in the index)."""
        found = self._vectors_of(list(dict.fromkeys(int(doc_id) for doc_id in doc_ids)))
        if not found:
            return {}
        scores = _cosines(np.vstack(list(found.values())), query)
        return dict(zip(found, scores.tolist(), strict=True))

    def vector(self, doc_id: int) -> np.ndarray | None:
        found = self._vectors_of([int(doc_id)])
        return np.asarray(found[int(doc_id)], dtype=np.float32).reshape(-1) if found else None

    # Snapshots -----------------------------------------------------------------------------------

    def save(self) -> Path | None:
        """Writes what this process holds as the snapshot of its database and maps it; None when there
        is no folder or no database clock yet."""
        with self._lock:
            path = snapshot_path(self.instance)
            if path is None:
                return None
            path.parent.mkdir(parents=True, exist_ok=True)
            written = self._write(path)
            self._map(Snapshot(written, self.dimensions))
            _remove_other_snapshots(path)
            return written

    def _write(self, path: Path) -> Path:
        """The base less the hidden plus the delta, sorted by key, into a temporary file renamed over `path`."""
        delta_keys, delta_vectors = self.delta.live()
        base_rows = np.zeros(0, dtype=np.int64)
        if self.base is not None:
            keep = np.ones(len(self.base), dtype=bool)
            if self.hidden:
                keep[self.base.rows_of(np.fromiter(self.hidden, dtype=np.uint64, count=len(self.hidden)))] = False
            base_rows = np.flatnonzero(keep)
        base_keys = self.base.keys[base_rows] if self.base is not None else np.zeros(0, dtype=np.uint64)
        keys = np.concatenate([base_keys, delta_keys])
        order = np.argsort(keys, kind="stable")
        from_base = order < len(base_rows)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with temporary.open("wb") as stream:
                header = np.zeros(HEADER, dtype=np.uint8)
                header[:8] = np.frombuffer(MAGIC, dtype=np.uint8)
                header[8:12] = np.frombuffer(np.uint32(self.dimensions).tobytes(), dtype=np.uint8)
                header[16:24] = np.frombuffer(np.uint64(len(keys)).tobytes(), dtype=np.uint8)
                header[24:32] = np.frombuffer(np.int64(self.watermark).tobytes(), dtype=np.uint8)
                stream.write(header.tobytes())
                stream.write(keys[order].astype(np.uint64).tobytes())
                for start in range(0, len(order), WRITE_CHUNK):
                    chunk, base_part = order[start:start + WRITE_CHUNK], from_base[start:start + WRITE_CHUNK]
                    block = np.empty((len(chunk), self.dimensions), dtype=np.float16)
                    block[base_part] = self.base.vectors[base_rows[chunk[base_part]]] if base_part.any() else 0
                    block[~base_part] = delta_vectors[chunk[~base_part] - len(base_rows)]
                    stream.write(block.tobytes())
                stream.write(TRAILER)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return path

    def snapshot_state(self) -> dict:
        """For operators: the mapped snapshot (path, watermark, age), and how much this process holds beside it."""
        base = self.base
        return {"snapshot": str(base.path) if base else None,
                "snapshot_watermark": base.watermark if base else None,
                "snapshot_age_seconds": round(time.time() - base.identity[1] / 1e9) if base else None,
                "mapped": base is not None, "delta": len(self.delta), "hidden": len(self.hidden)}


def _instance_of(clock_instance: str | None) -> str:
    """Names the database and the life of its search clock, for the snapshot's file name."""
    if not clock_instance:
        return ""
    return f"{_database_name()}-{clock_instance}"


def _database_name() -> str:
    database = f"{connection.settings_dict.get('HOST')}/{connection.settings_dict['NAME']}"
    return f"{connection.vendor}-{hashlib.sha256(database.encode()).hexdigest()[:8]}"


def _folder() -> Path | None:
    return Path(settings.SEARCH_INDEX_DIR) if settings.SEARCH_INDEX_DIR else None


def snapshot_path(instance: str) -> Path | None:
    folder = _folder()
    return folder / f"vectors-{instance}.snapshot" if folder is not None and instance else None


def _remove_other_snapshots(current: Path) -> None:
    """Removes this database's snapshots of earlier instances (and graphs saved by the in-process index
    before snapshots); a process still mapping one keeps reading it until it unmaps it."""
    prefix = f"vectors-{_database_name()}-"
    for path in current.parent.glob(f"{prefix}*"):
        if path != current and path.suffix in (".snapshot", ".usearch", ".json"):
            path.unlink(missing_ok=True)


_indexes: dict[str, VectorIndex] = {}


def vector_index(dimensions: int) -> VectorIndex:
    """This process's index for the default database, caught up."""
    index = _indexes.get(connection.alias)
    if index is None or index.dimensions != dimensions:
        index = _indexes[connection.alias] = VectorIndex(dimensions)
    index.refresh()
    if index.needs_snapshot():
        # Outside the index's lock: an immediate task backend runs the task here and now.
        index.snapshot_asked = True
        from delbar.search.tasks import ask_for_snapshot

        ask_for_snapshot()
    return index


def rewrite_snapshot(dimensions: int) -> tuple[Path | None, int]:
    """Writes this machine's snapshot of the database from the vectors stored in the database alone, and
    returns its path (None without a folder or a database clock) and how many vectors it holds.

    A file already there is never read, and replaced whole (written beside it, then renamed over it): after
    a restore into a database of the lost one's host and name, a snapshot left from the lost database has
    the same name and may hold changes the backup does not."""
    clock = SearchClock.objects.filter(pk=1).values_list("instance", flat=True).first()
    instance = _instance_of(clock)
    if snapshot_path(instance) is None:
        return None, 0
    index = VectorIndex(dimensions)
    index.instance = instance           # so the catch-up neither starts over nor looks for a file,
    index._next_check = math.inf        # and reads every vector from the database
    index.refresh()
    _indexes[connection.alias] = index
    return index.save(), len(index)


def loaded_indexes() -> list[tuple[str, VectorIndex]]:
    """The vector indexes this process holds, by database alias (not caught up: for reporting)."""
    return list(_indexes.items())
