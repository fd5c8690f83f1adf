"""Whether a ranked document should be shown at all: the relevance floor (docs/search.md).

e5 cosines are not comparable across queries: every pair of texts scores 0.7–0.8, and a query's
level depends on its wording and on the language of the document (a Norwegian query sits lower
against English documents, relevant or not). So a document's relevance is how far its cosine stands
above the query's mean cosine to documents in that document's language. Because the vectors are of
unit length, that mean is one dot product with the language's centroid, exact and cheap; centroids are
computed per process from the stored vectors and recomputed when the number of documents moves.
The baseline is capped at what unrelated texts reach (calibration.py's max_baseline): where most of
the index is about the query's subject, the mean no longer measures unrelatedness.
Word evidence is added as the share of the query's IDF weight the document holds, so a query of
words nobody uses ("zzzzqqq") gains nothing from them.
"""

import math
import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Count
from django.db.models.functions import Mod

from delbar.search.calibration import calibration
from delbar.search.models import SearchDocument
from delbar.search.vectors import from_bytes

# Vectors read per language for its centroid, spread evenly over the language's documents (every n-th id,
# not the newest, which may be one import): the mean of 2,000 unit vectors is within about 0.002 of the
# whole language's mean in cosine (standard error ≈ spread 0.1 / √2,000), far below the floor's 0.04.
CENTROID_SAMPLE = 2_000
# Recomputed when the live-document count has moved by this share, or the index is another one
# (reindex starts a new one). Centroids move slowly: 5 % more documents move a language's mean by at
# most 5 % of the distance to the newcomers' mean.
RECOMPUTE_SHARE = 0.05


@dataclass(frozen=True)
class Means:
    by_language: dict[str, np.ndarray]
    overall: np.ndarray | None

    def baselines(self, query_vector: np.ndarray) -> tuple[dict[str, float], float]:
        """The query's mean cosine per language, and over everything (for the other languages)."""
        cap = calibration().max_baseline
        overall = min(float(self.overall @ query_vector), cap) if self.overall is not None else cap
        return {language: min(float(centroid @ query_vector), cap)
                for language, centroid in self.by_language.items()}, overall


class Centroids:
    """Each language's mean document vector, kept per process and replaced whole when it is stale."""

    def __init__(self):
        self._lock = threading.Lock()
        self._state: tuple[tuple[int, str], Means] | None = None

    def current(self, total: int, instance: str) -> Means:
        state = self._state
        if state is None or _stale(state[0], total, instance):
            with self._lock:
                if self._state is state:  # nobody recomputed while this thread waited
                    self._state = ((total, instance), _compute())
                state = self._state
        return state[1]


def _stale(key: tuple[int, str], total: int, instance: str) -> bool:
    counted, counted_instance = key
    return counted_instance != instance or abs(total - counted) > RECOMPUTE_SHARE * counted


def _compute() -> Means:
    minimum = calibration().min_language_documents
    live = SearchDocument.objects.filter(removed=False, embedding__isnull=False)
    sizes = dict(live.values_list("language").annotate(documents=Count("id")).order_by())
    means = {}
    for language, size in sizes.items():
        step = max(1, size // CENTROID_SAMPLE)
        rows = list(live.filter(language=language).annotate(slot=Mod("id", step)).filter(slot=0)
                    .values_list("embedding", flat=True)[:CENTROID_SAMPLE])
        if not rows:
            continue
        vectors = np.vstack([from_bytes(embedding) for embedding in rows])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        means[language] = vectors.mean(axis=0)
    total = sum(sizes.values())
    overall = (sum(means[language] * size for language, size in sizes.items() if language in means) / total
               if means else None)
    return Means({language: means[language] for language, size in sizes.items() if size >= minimum}, overall)


_centroids = Centroids()


def centroids(total: int, instance: str) -> Means:
    """The language means for an index of `total` live documents (the clock's own count)."""
    return _centroids.current(total, instance)


def word_shares(terms: list[str], counts: dict[str, int], total: int) -> dict[str, float]:
    """Each query term's share of the query's IDF weight. Terms the corpus lacks weigh the most, so a
    query of unknown words leaves the known ones with little."""
    idf = {term: math.log(1 + (total - counts.get(term, 0) + 0.5) / (counts.get(term, 0) + 0.5))
           for term in set(terms)}
    weight = sum(idf.values()) or 1.0
    return {term: value / weight for term, value in idf.items()}


def relevance(cosine: float | None, baseline: float, shares: dict[str, float], held: set[str]) -> float:
    return ((cosine - baseline) if cosine is not None else 0.0) + calibration().word_weight * sum(
        shares[term] for term in held if term in shares)
