"""One vector index per machine: processes memory-map one snapshot and each keeps only the changes since.

The "web processes" here are real processes (spawned, each with its own Django) against a database of
the test's own (a file on SQLite, a fresh database on PostgreSQL) that holds the search tables alone,
made from their models; one of them writes search documents the way indexing.py does (change numbers
from the clock, in one transaction), with vectors given by the test instead of embedded."""

import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
DIMENSIONS = 384
CORPUS = 2000




# --- The other processes ------------------------------------------------------------------------------

def _serve(pipe, environment: dict) -> None:
    """A process with its own Django and vector index, answering the test's requests until told to stop."""
    os.environ.update(environment)
    import django

    django.setup()
    from django.db import connection, transaction

    from delbar.search.indexing import _take_versions
    from delbar.search.models import SearchClock, SearchDocument
    from delbar.search.vectors import to_bytes, vector_index

    def create_tables():
        with connection.schema_editor() as editor:
            editor.create_model(SearchClock)
            editor.create_model(SearchDocument)

    @transaction.atomic
    def write(changes):
        """{doc id: vector, or None to remove it}, as indexing.index_many and remove_ids write them."""
        first, _ = _take_versions(len(changes))
        for offset, (doc_id, vector) in enumerate(changes.items()):
            SearchDocument.objects.update_or_create(pk=doc_id, defaults={
                "kind": "case", "object_id": doc_id, "title": f"Dokument {doc_id}", "version": first + offset,
                "removed": vector is None, "embedding": None if vector is None else to_bytes(vector)})

    def mapped_files():
        return {line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()
                if line.split()[-1].endswith(".snapshot")}

    operations = {
        "create_tables": create_tables,
        "write": write,
        "nearest": lambda vector, count: vector_index(DIMENSIONS).nearest(vector, count),
        "similarities": lambda vector, ids: vector_index(DIMENSIONS).similarities(vector, ids),
        "state": lambda: {**vector_index(DIMENSIONS).snapshot_state(), "vectors": len(vector_index(DIMENSIONS)),
                          "mapped_files": mapped_files()},
        "save": lambda: str(vector_index(DIMENSIONS).save()),
    }
    while True:
        request = pipe.recv()
        if request is None:
            return
        name, arguments = request
        try:
            pipe.send(("ok", operations[name](*arguments)))
        except Exception as error:  # noqa: BLE001 - handed to the test, which fails on it
            pipe.send(("error", repr(error)))


class Process:
    def __init__(self, database_url: str, index_dir: Path):
        environment = {"DATABASE_URL": database_url, "DELBAR_SEARCH_INDEX_DIR": str(index_dir), "DEBUG": "1",
                       "DJANGO_SETTINGS_MODULE": "delbar.settings", "DELBAR_TASKS_BACKEND": "immediate",
                       "PYTHONPATH": str(REPO)}
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, environment), daemon=True)
        self.process.start()

    def __call__(self, name, *arguments):
        self.pipe.send((name, arguments))
        if not self.pipe.poll(120):
            raise TimeoutError(name)
        status, value = self.pipe.recv()
        assert status == "ok", value
        return value

    def stop(self):
        self.pipe.send(None)
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()


@pytest.fixture
def processes(own_database, tmp_path):
    started = []

    def start():
        started.append(Process(own_database, tmp_path / "index"))
        return started[-1]

    yield start
    for process in started:
        process.stop()


def _unit(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)).astype(np.float32)


def _corpus(writer) -> np.ndarray:
    vectors = _unit(np.random.default_rng(3).normal(size=(CORPUS, DIMENSIONS)))
    writer("create_tables")
    writer("write", {doc_id: vectors[doc_id - 1] for doc_id in range(1, CORPUS + 1)})
    return vectors


def _first(process, vector, count=1):
    return [doc_id for doc_id, _ in process("nearest", vector, count)]


# --- Tests -----------------------------------------------------------------------------------------------

def test_two_processes_map_one_snapshot_and_follow_changes_without_a_rebuild(processes):
    writer = processes()
    vectors = _corpus(writer)
    path = writer("save")
    reader = processes()   # started after the snapshot was written: it maps it and builds nothing
    for process in (writer, reader):
        state = process("state")
        assert state["mapped"] and state["snapshot"] == path and path in state["mapped_files"]
        assert state["vectors"] == CORPUS and state["delta"] == 0
        assert _first(process, vectors[4]) == [5]

    rng = np.random.default_rng(4)
    moved, new = _unit(rng.normal(size=DIMENSIONS)), _unit(rng.normal(size=DIMENSIONS))
    writer("write", {5: moved, 7: None, CORPUS + 1: new})
    for process in (writer, reader):
        assert _first(process, moved) == [5] and _first(process, new) == [CORPUS + 1]
        assert 5 not in _first(process, vectors[4], 50)   # its old vector, still in the snapshot, is hidden
        assert 7 not in _first(process, vectors[6], CORPUS)
        assert process("similarities", vectors[6], [7, 8]).keys() == {8}
        state = process("state")
        assert state["snapshot"] == path and state["vectors"] == CORPUS
        assert (state["delta"], state["hidden"]) == (2, 2)   # kept beside the snapshot, not rebuilt

    # A new snapshot (the worker's, or `delbar reindex`'s) is picked up by the other process.
    writer("save")
    watermark = writer("state")["snapshot_watermark"]
    deadline = time.monotonic() + 30
    while (state := reader("state"))["snapshot_watermark"] != watermark:
        assert time.monotonic() < deadline, state
        _first(reader, new)   # a search: the process looks for a newer snapshot at most every 2 s
    assert (state["delta"], state["hidden"], state["vectors"]) == (0, 0, CORPUS)
    assert _first(reader, moved) == [5] and 7 not in _first(reader, vectors[6], CORPUS)


def test_a_corrupt_or_partial_snapshot_is_ignored(processes):
    writer = processes()
    vectors = _corpus(writer)
    path = Path(writer("save"))
    reader = processes()
    assert reader("state")["mapped"]
    whole = path.read_bytes()

    # A partial file renamed over the snapshot: the process that maps the good one keeps it.
    partial = path.with_name("partial")
    partial.write_bytes(whole[:len(whole) // 2])
    os.replace(partial, path)
    writer("write", {9: None})
    assert 9 not in _first(reader, vectors[8], 20) and _first(reader, vectors[10]) == [11]
    # A new process finds only the partial file: it builds from the database instead.
    fresh = processes()
    state = fresh("state")
    assert not state["mapped"] and state["vectors"] == CORPUS - 1 and state["delta"] == CORPUS - 1
    assert _first(fresh, vectors[10]) == [11] and 9 not in _first(fresh, vectors[8], 20)

    # Bytes that are no snapshot at all, and the right length with no end marker.
    for damaged in (b"not a snapshot" * 100, whole[:-8] + b"\0" * 8):
        path.write_bytes(damaged)
        state = processes()("state")
        assert not state["mapped"] and state["vectors"] == CORPUS - 1


class _Refusing:
    """The real embedder's name (stored with each text's hash) and an error if this process embeds."""

    def __init__(self, embedder):
        self.name, self.dimensions = embedder.name, embedder.dimensions

    def embed_passages(self, texts):
        if len(texts):
            raise AssertionError(f"embedded {len(texts)} texts in the writing process")
        return np.zeros((0, self.dimensions), dtype=np.float32)


def test_reindex_in_two_processes_gives_the_vectors_of_one(make_case, monkeypatch):
    # Imported here: a spawned process imports this module before it sets Django up.
    from delbar.cases.models import Status
    from delbar.search import indexing
    from delbar.search.models import SearchDocument

    titles = ["Robot inspiserer drikkevannstunneler", "Digitalt nattilsyn i hjemmetjenesten",
              "Elektrisk ferje på fjorden", "Snøbrøyting med sensorer", "Velferdsteknologi i omsorgsboliger"]
    for title in titles:
        make_case(Status.PUBLISHED, title=title, summary=f"{title}: hva kommunen kjøpte og lærte.")
    indexing.reindex()
    one = dict(SearchDocument.objects.filter(removed=False).values_list("id", "embedding"))
    assert len(one) == len(titles) and all(one.values())

    SearchDocument.objects.update(embedded_text_hash="", embedding=None)   # every text must be embedded again
    real = indexing.get_embedder()
    monkeypatch.setattr(indexing, "get_embedder", lambda: _Refusing(real))
    monkeypatch.setattr(indexing, "EMBED_BATCH", 2)   # so five texts are split between the two processes
    indexing.reindex(processes=2)
    two = dict(SearchDocument.objects.filter(removed=False).values_list("id", "embedding"))
    assert two.keys() == one.keys()
    for doc_id, embedding in one.items():
        first, second = (np.frombuffer(bytes(value), dtype=np.float32) for value in (embedding, two[doc_id]))
        assert np.abs(first - second).max() < 1e-4, doc_id
