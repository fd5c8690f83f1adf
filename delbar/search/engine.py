"""`search()`: filters first, then lexical and semantic candidates, fused into one ranking.

The fusion (measured on the dev evaluation set, bench/bench_search_quality.py; docs/search.md):
    score = cosine(query, document) + LEXICAL_WEIGHT × coverage × bm25 / best bm25
Dense similarity leads, because it understands paraphrase, other languages and other sectors.
Lexical evidence is added in proportion to how much of the query the corpus actually contains
(`coverage`): an English question whose words no Norwegian case uses adds almost nothing, a query
of known Norwegian terms adds its full weight. Identifiers (CPV codes, organization and municipality
numbers) found in the corpus put their documents first. Equal-weight rank fusion scored below dense
search alone, because weak lexical lists dragged good dense results down.
"""

import functools
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import cached_property

from delbar.search import lexical, relevance, snippets, spelling, text
from delbar.search.calibration import calibration
from delbar.search.embedders import get_embedder
from delbar.search.kinds import KINDS
from delbar.search.models import SearchClock, SearchDocument, SearchTerm
from delbar.search.scope import Scope
from delbar.search.vectors import vector_index

LEXICAL_WEIGHT = 0.04      # 0.03–0.05 all scored within 0.005 nDCG@10 of each other on the dev set
IDENTIFIER_BOOST = 1.0     # larger than any cosine difference: an exact code match comes first
CANDIDATES = 200           # hits ranked per query (the result list and its facets)
LEXICAL_CANDIDATES = 200
SEMANTIC_CANDIDATES = 2 * CANDIDATES  # asked of the graph: room for what the user may not see
CONFIDENCE_NEIGHBOURS = 20  # nearest documents of all kinds and filters that decide a narrowed search's floor
EXACT_LIMIT = 5_000        # filtered sets up to this size get exact cosine search, not the graph
OVERSAMPLE = 8             # larger filtered sets: ask the graph for this many times more
# A term in more documents than this ranks nothing and costs a scan of its postings: dropped.
COMMON_SHARE = 0.25
POSTINGS_BUDGET = 10_000   # the rarest terms are kept while their postings add up to at most this
MIN_DOCUMENTS_FOR_COMMON = 1000

FILTER_FIELDS = ("sector", "county", "size_class", "procedure", "category", "outcome", "year", "status",
                 "family", "signal", "cpv", "buyer")
FACET_FIELDS = ("kind", *FILTER_FIELDS)
# Filters whose values sit in a column of another name, and the space-padded lists ("sectors": " a b ").
COLUMNS = {"buyer": "organization_id"}
LISTS = {"sector": "sectors", "cpv": "cpv"}
# Facets only notices have values for: not counted when the search is for other kinds only.
NOTICE_FACETS = ("family", "signal", "cpv")


# What a ranked hit carries before its page is shown: enough for facets and for sorting by date.
HIT_COLUMNS = ("id", "kind", "sectors", "county", "size_class", "procedure", "category", "outcome", "year",
               "status", "date", "family", "signal", "cpv", "organization_id", "language")


@dataclass
class Hit:
    """A ranked document. `document` (the display text) is loaded only for the hits that are shown:
    call load_documents() on a page of hits first."""

    doc_id: int
    score: float = 0.0
    semantic: float | None = None
    lexical: float | None = None
    terms: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)      # HIT_COLUMNS
    document: SearchDocument | None = None
    relevance: float | None = None                  # against the floor (relevance.py); None: not measured

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def id(self) -> str:
        """What scripts see: the import file's id where there is one, otherwise the database id."""
        return self.document.external_id or str(self.document.object_id)

    @property
    def url(self) -> str:
        return reverse(KINDS[self.document.kind].url_name, args=[self.document.object_id])

    @cached_property
    def snippet(self):
        return snippets.snippet([self.document.summary, self.document.body], self.terms)

    @cached_property
    def title_html(self):
        return snippets.highlight(self.document.title, set(self.terms))


def load_documents(hits) -> list[Hit]:
    """Gives each of `hits` its document (one query); returns them."""
    hits = list(hits)
    missing = [hit.doc_id for hit in hits if hit.document is None]
    if missing:
        rows = SearchDocument.objects.defer("terms", "embedding", "embedded_text_hash").in_bulk(missing)
        for hit in hits:
            if hit.document is None:
                hit.document = rows.get(hit.doc_id)
    return [hit for hit in hits if hit.document is not None]


@dataclass
class SearchResult:
    query: str
    hits: "list[Hit] | Listing"
    facets: dict[str, list[tuple[str, int]]]
    terms: list[str] = field(default_factory=list)
    lexical_terms: list[str] = field(default_factory=list)
    # When nothing clears the relevance floor: the few nearest below it, to be shown apart, never as results.
    nearest: list[Hit] = field(default_factory=list)
    suggestion: str | None = None                   # the query with misspelt words corrected (spelling.py)

    @property
    def total(self) -> int:
        return len(self.hits)

    def shown(self, start: int = 0, stop: int | None = None) -> list[Hit]:
        """The hits from `start` to `stop`, with their documents loaded."""
        return load_documents(self.hits[start:stop])


class Listing:
    """The documents of an empty query, newest first, as a sequence a Paginator can slice."""

    def __init__(self, queryset):
        self.queryset = queryset

    @cached_property
    def _count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self._count

    def count(self) -> int:
        return self._count

    def __getitem__(self, index):
        rows = self.queryset[index]
        if isinstance(index, slice):
            return [Hit(row.pk, document=row) for row in rows]
        return Hit(rows.pk, document=rows)


def visible_documents(user, kinds: list[str] | None = None):
    """Live documents of the given kinds that `user` may find (None: what the public may find)."""
    user = user or AnonymousUser()
    allowed = Q(pk__in=[])
    for name in kinds or KINDS:
        allowed |= Q(kind=name) & KINDS[name].visibility(user)
    return SearchDocument.objects.filter(allowed, removed=False)


def apply_filters(queryset, filters: dict):
    for name in FILTER_FIELDS:
        value = filters.get(name)
        if value in (None, ""):
            continue
        if name in LISTS:
            queryset = queryset.filter(**{f"{LISTS[name]}__contains": f" {value} "})
        else:
            queryset = queryset.filter(**{COLUMNS.get(name, name): value})
    return queryset


def _display_fields(queryset):
    return queryset.defer("terms", "embedding", "embedded_text_hash")


MODES = ("hybrid", "lexical", "semantic")


def search(query: str, *, kinds: list[str] | None = None, filters: dict | None = None, user=None,
           sort: str = "relevance", limit: int = CANDIDATES, mode: str = "hybrid", scope: Scope | None = None,
           suggest: bool = False, typing: bool = False, among: dict | None = None) -> SearchResult:
    """What `user` may find for `query`, best first (or newest first with sort="date").

    `scope` replaces the user's view with a described set of documents (matching searches what may be
    matched, and checks each viewer later; scope.py).
    `mode` is for measuring: "lexical" and "semantic" rank by one signal alone, without the floor.
    `suggest` asks for "did you mean" (spelling.py) from what `user` may find; `typing` leaves the last
    word, still being typed, alone.
    `among` narrows the search to given objects, {kind: object ids or a subquery of them}: a network's
    collection searched with the same ranking, filters and facets as the whole database."""
    filters = filters or {}
    within = scope.documents() if scope is not None else visible_documents(user, kinds)
    if among is not None:
        within = within.filter(_among(among))
    documents = apply_filters(within, filters)
    query = (query or "").strip()
    if not query:
        listing = _display_fields(documents).order_by("-date", "-id")
        return SearchResult(query, Listing(listing), _facets_sql(documents, kinds))

    terms = text.query_terms(query)
    by_filters = among is not None or any(filters.get(name) not in (None, "") for name in FILTER_FIELDS)
    filtered = (scope is not None and scope.narrow) or by_filters
    narrowed = scope is None and (by_filters or kinds is not None)
    unseen = scope.unseen_document() if scope is not None else None
    hits, lexical_terms, below = _rank(query, terms, documents, filtered=filtered, limit=limit, mode=mode,
                                       unseen=unseen, confidence_scope=visible_documents(user) if narrowed else None)
    if sort == "date":
        hits.sort(key=lambda hit: (hit.values["date"] is not None, hit.values["date"]), reverse=True)
    nearest = [] if hits else below[:calibration().nearest_shown]
    suggestion = None
    if suggest and scope is None:
        suggestion = spelling.suggest(query, typing=typing, findable=findable_by(user, kinds))
    return SearchResult(query, hits, _facets_of(hits, kinds), terms, lexical_terms, nearest, suggestion)


def _among(among: dict) -> Q:
    chosen = Q(pk__in=[])
    for kind, object_ids in among.items():
        chosen |= Q(kind=kind, object_id__in=object_ids)
    return chosen


def findable_by(user, kinds: list[str] | None = None):
    """term -> whether `user` may find a document of `kinds` that holds it (one indexed lookup)."""
    where_sql, params = _where(visible_documents(user, kinds))

    def findable(term: str) -> bool:
        with _reading().cursor() as cursor:
            return lexical.backend().holds(cursor, term, where_sql, params)

    return findable


def _clock() -> tuple[int, str]:
    """How many live documents the index holds, and which index it is (one query)."""
    return SearchClock.objects.filter(pk=1).values_list("documents", "instance").first() or (0, "")


def _term_statistics(terms: list[str], indexed: int,
                     unseen: SearchDocument | None = None) -> tuple[dict[str, int], int]:
    """How many live documents hold each term, and how many there are, `unseen` not counted."""
    counts = dict(SearchTerm.objects.filter(term__in=terms).values_list("term", "documents"))
    total = indexed
    if unseen is not None and not unseen.removed:
        for term in set(unseen.terms.split()) & set(counts):
            counts[term] -= 1
        total -= 1
    return counts, total


def lexical_terms_for(terms: list[str], counts: dict[str, int], total: int) -> list[str]:
    """The terms worth matching: present, not too common, rarest first within the postings budget."""
    present = sorted((counts[term], term) for term in terms if counts.get(term, 0) > 0)
    chosen, postings = [], 0
    for count, term in present:
        if total >= MIN_DOCUMENTS_FOR_COMMON and count > COMMON_SHARE * total:
            break
        if postings + count > POSTINGS_BUDGET and chosen:
            break
        if count > POSTINGS_BUDGET:
            break
        chosen.append(term)
        postings += count
    return chosen


def _lexical(terms: list[str], documents, counts: dict[str, int], total: int, limit: int):
    """Lexical matches among `documents` (None: among all, visibility checked by the caller)."""
    if not terms:
        return []
    where_sql, params = _where(documents) if documents is not None else ("1 = 1", [])
    backend = lexical.backend()
    with _reading().cursor() as cursor:
        if isinstance(backend, lexical.PostgresLexical):
            idf = {term: float(np.log(1 + (total - counts[term] + 0.5) / (counts[term] + 0.5))) for term in terms}
            return backend.match(cursor, terms, where_sql, params, limit, idf=idf)
        return backend.match(cursor, terms, where_sql, params, limit)


def _reading():
    """The connection searches read from: a read replica when one is set (settings.DATABASE_ROUTERS)
    and this request may read from it, else the primary, as the ORM's own reads."""
    return connections[router.db_for_read(SearchDocument)]


def _where(documents) -> tuple[str, list]:
    """The filtered queryset's WHERE clause, for the hand-written lexical SQL (the table is "d")."""
    reading = _reading()
    compiler = documents.values("id").query.get_compiler(connection=reading)
    where, params = compiler.compile(documents.query.where)
    table = reading.ops.quote_name(SearchDocument._meta.db_table)
    return where.replace(f"{table}.", "d."), list(params)


def _rank(query: str, terms: list[str], documents, *, filtered: bool, limit: int, mode: str = "hybrid",
          unseen: SearchDocument | None = None, confidence_scope=None):
    """The results best first (at most `limit`), the terms matched lexically, and the candidates below
    the relevance floor. `confidence_scope`: the documents whose best decides the floor, when the
    search is narrower than what the person may see."""
    semantic, similarities, meaning, scanned = {}, {}, None, None
    if mode != "lexical":
        embedder = get_embedder()
        index = vector_index(embedder.dimensions)   # caught up here: the search thread reads no database
        # The query's embedding and the scan of every vector run beside the lexical queries below: native
        # code that lets go of the interpreter, while the database answers. A filtered search scans for
        # the many its filters may drop, and for the confidence neighbours (below) from the same scan:
        # one scan, not two (a million vectors take about 120 ms of a core: search-latency-1000k-*.md).
        scan = SEMANTIC_CANDIDATES if not filtered else (
            CANDIDATES * OVERSAMPLE if confidence_scope is not None else None)
        meaning = _search_thread().submit(_embed_and_scan, embedder, index, query, scan)
    indexed, instance = _clock()
    counts, total = _term_statistics(terms, indexed, unseen)
    chosen = lexical_terms_for(terms, counts, total) if mode != "semantic" else []
    # Unfiltered, the join with visibility costs more than it removes: the candidate check below does it.
    lexical_scope = documents if filtered else None
    lexical_hits = _lexical(chosen, lexical_scope, counts, total, LEXICAL_CANDIDATES)
    identifiers = [term for term in terms if term.isdigit() and len(term) >= 4 and counts.get(term)]
    identified = set()
    if mode == "hybrid" and identifiers:
        identified = {doc_id for doc_id, _ in _lexical(identifiers, lexical_scope, counts, total,
                                                       LEXICAL_CANDIDATES)}

    if meaning is not None:
        query_vector, scanned = meaning.result()
        semantic = dict(_nearest_among(index, query_vector, documents, scanned) if filtered else scanned)
        missing = [doc_id for doc_id, _ in lexical_hits if doc_id not in semantic]
        similarities = {**index.similarities(query_vector, missing), **semantic}

    # One query checks every candidate against visibility and filters, and brings its facet values.
    candidates = set(semantic) | {doc_id for doc_id, _ in lexical_hits} | identified
    values = {row[0]: dict(zip(HIT_COLUMNS, row, strict=True)) for row in
              documents.filter(pk__in=candidates).values_list(*HIT_COLUMNS)} if candidates else {}

    coverage = sum(1 for term in terms if counts.get(term)) / len(terms) if terms else 0.0
    # Normalised by the best lexical match the user may see: an invisible or other-kind document that
    # matches every word must not push the visible ones' lexical evidence down.
    best_lexical = max((score for doc_id, score in lexical_hits if doc_id in values), default=0.0) or 1.0
    lexical_scores = {doc_id: score / best_lexical for doc_id, score in lexical_hits}
    ranked = []
    for doc_id in values:
        cosine = similarities.get(doc_id)
        lexical_score = lexical_scores.get(doc_id)
        if mode == "lexical":
            score = lexical_score or 0.0
        else:
            score = (cosine or 0.0) + LEXICAL_WEIGHT * coverage * (lexical_score or 0.0)
        if doc_id in identified:
            score += IDENTIFIER_BOOST
        ranked.append(Hit(doc_id, score, cosine, lexical_score, terms, values[doc_id]))
    ranked.sort(key=lambda hit: (-hit.score, hit.doc_id))
    if mode != "hybrid":  # measuring one signal alone: every candidate is a result, as before the floor
        return ranked[:limit], chosen, []
    # What counts as a result (and in the facets): what clears the relevance floor, and identifier
    # matches. Cutting never reorders what is kept; what falls below is returned apart.
    # The index's own size keys the centroids: a need discounting itself (`unseen`) is not a change.
    baselines, overall = _measure_relevance(ranked, terms, counts, indexed, instance, query_vector, lexical_scores)
    best = max((hit.relevance for hit in ranked), default=0.0)
    if confidence_scope is not None:
        # Whether the query is about something Delbar holds is judged on everything the person may
        # see, not on the filtered part: a filter (a facet clicked) never raises the floor, so it
        # never empties the results its facet count promised.
        neighbours = (scanned if scanned is not None else index.nearest(query_vector, CONFIDENCE_NEIGHBOURS)
                      )[:CONFIDENCE_NEIGHBOURS]
        cosines = dict(neighbours)
        for doc_id, language in confidence_scope.filter(pk__in=list(cosines)).values_list("id", "language"):
            best = max(best, cosines[doc_id] - baselines.get(language, overall))
    floor = calibration().results_floor(best)
    results, below = [], []
    for hit in ranked:
        shown = hit.doc_id in identified or (floor is not None and hit.relevance >= floor)
        (results if shown else below).append(hit)
    return results[:limit], chosen, below


def _measure_relevance(ranked: list[Hit], terms: list[str], counts: dict[str, int], total: int, instance: str,
                       query_vector, lexical_scores: dict[int, float]) -> tuple[dict[str, float], float]:
    """Gives each hit its relevance (relevance.py): the cosine above the query's baseline in the
    document's language, plus the share of the query's word weight the document holds. Returns the
    baselines (per language, and for the other languages)."""
    baselines, overall = relevance.centroids(total, instance).baselines(query_vector)
    shares = relevance.word_shares(terms, counts, total)
    # Which query terms each word-matching document holds (the others hold none): one query.
    matched = [hit.doc_id for hit in ranked if hit.doc_id in lexical_scores]
    held = {doc_id: set(doc_terms.split()) & shares.keys() for doc_id, doc_terms in
            SearchDocument.objects.filter(pk__in=matched).values_list("id", "terms")} if matched else {}
    for hit in ranked:
        baseline = baselines.get(hit.values["language"], overall)
        hit.relevance = relevance.relevance(hit.semantic, baseline, shares, held.get(hit.doc_id, set()))
    return baselines, overall


@functools.cache
def _search_threads(process: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="delbar-search")


def _search_thread() -> ThreadPoolExecutor:
    """This process's search threads (made after a fork: gunicorn preloads the app in its master)."""
    return _search_threads(os.getpid())


def _embed_and_scan(embedder, index, query: str, count: int | None):
    """The query's vector, and the `count` documents nearest it (None: not scanned, the caller looks
    among the filtered documents). Reads no database: it runs in a search thread."""
    query_vector = embedder.embed_queries([query])[0]
    return query_vector, (index.nearest(query_vector, count) if count else None)


def _nearest_among(index, query_vector, documents, scanned=None) -> list[tuple[int, float]]:
    """Filtered documents nearest the query, best first: exactly among `documents` when filters leave
    few, otherwise from a scan of all that asks for more (the caller drops what `documents` excludes):
    `scanned`, when the search thread made it already."""
    ids = list(documents.values_list("id", flat=True)[:EXACT_LIMIT + 1])
    if len(ids) <= EXACT_LIMIT:
        scores = index.similarities(query_vector, ids)
        return sorted(scores.items(), key=lambda item: -item[1])[:CANDIDATES]
    return scanned if scanned is not None else index.nearest(query_vector, CANDIDATES * OVERSAMPLE)


def similar(obj, *, user=None, limit: int = 5) -> list[Hit]:
    """Documents most like `obj` by meaning, that `user` may see; `obj` itself excluded."""
    from delbar.search.kinds import kind_of

    kind = kind_of(obj)
    source = SearchDocument.objects.filter(kind=kind.name, object_id=obj.pk, removed=False).first()
    if source is None:
        return []
    index = vector_index(get_embedder().dimensions)
    vector = index.vector(source.pk)
    if vector is None:
        return []
    nearest = [(doc_id, score) for doc_id, score in index.nearest(vector, limit * 4 + 1) if doc_id != source.pk]
    rows = {row.pk: row for row in _display_fields(visible_documents(user, [kind.name])).filter(
        pk__in=[doc_id for doc_id, _ in nearest])}
    # Only what is like it: the cosine above the source's baseline in each document's language.
    baselines, overall = relevance.centroids(*_clock()).baselines(vector / (np.linalg.norm(vector) or 1.0))
    floor = calibration().similar_floor
    hits = []
    for doc_id, score in nearest:
        if doc_id not in rows:
            continue
        likeness = score - baselines.get(rows[doc_id].language, overall)
        if likeness >= floor:
            hits.append(Hit(doc_id, score, score, document=rows[doc_id], relevance=likeness))
    return hits[:limit]


def held_words(words: list[str], hits: list[Hit]) -> dict[int, list[str]]:
    """Which of `words` each hit's document holds (the same stem, or every part of a compound), in the
    order given: the words a match and a need share, as the user wrote them."""
    stored = dict(SearchDocument.objects.filter(pk__in=[hit.doc_id for hit in hits]).values_list("pk", "terms"))
    held = {}
    for hit in hits:
        terms = set(stored.get(hit.doc_id, "").split())
        held[hit.doc_id] = [word for word in words if text.stem(word) in terms or (
            (parts := text.compound_parts(word)) and all(text.stem(part) in terms for part in parts))]
    return held


def likeness(source: tuple[str, int], targets: list[tuple[str, int]]) -> dict[tuple[str, int], float]:
    """How close in meaning each of `targets` is to `source` (cosine of their stored vectors), each
    given as (kind, object id); objects not indexed are left out."""
    keys = {source, *targets}
    wanted = Q(pk__in=[])
    for kind in {kind for kind, _ in keys}:
        wanted |= Q(kind=kind, object_id__in=[object_id for name, object_id in keys if name == kind])
    documents = {(kind, object_id): pk for pk, kind, object_id in
                 SearchDocument.objects.filter(wanted, removed=False).values_list("pk", "kind", "object_id")}
    if source not in documents:
        return {}
    index = vector_index(get_embedder().dimensions)
    vector = index.vector(documents[source])
    if vector is None:
        return {}
    by_document = {documents[key]: key for key in targets if key in documents}
    return {by_document[doc_id]: score for doc_id, score in index.similarities(vector, list(by_document)).items()}


def facet_fields(kinds: list[str] | None) -> tuple[str, ...]:
    if kinds is None or "notice" in kinds:
        return FACET_FIELDS
    return tuple(name for name in FACET_FIELDS if name not in NOTICE_FACETS)


def _facets_of(hits: list[Hit], kinds: list[str] | None = None) -> dict[str, list[tuple[str, int]]]:
    facets = {}
    for name in facet_fields(kinds):
        counter: Counter = Counter()
        for hit in hits:
            if name in LISTS:
                counter.update(hit.values[LISTS[name]].split())
            else:
                value = hit.values[COLUMNS.get(name, name)]
                if value not in (None, ""):
                    counter[str(value)] += 1
        facets[name] = counter.most_common()
    return facets


def _facets_sql(documents, kinds: list[str] | None = None) -> dict[str, list[tuple[str, int]]]:
    facets = {}
    for name in facet_fields(kinds):
        if name in LISTS:
            counter: Counter = Counter()
            for values, count in documents.values_list(LISTS[name]).annotate(n=Count("id")).order_by():
                for value in values.split():
                    counter[value] += count
            facets[name] = counter.most_common()
            continue
        column = COLUMNS.get(name, name)
        rows = documents.exclude(**{f"{column}__in": ["", None]} if name not in ("year", "buyer")
                                 else {column: None}).values_list(column).annotate(n=Count("id")).order_by("-n", column)
        facets[name] = [(str(value), count) for value, count in rows]
    return facets
