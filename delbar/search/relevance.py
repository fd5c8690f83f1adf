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
from collections import defaultdict

import numpy as np

from delbar.search.calibration import calibration
from delbar.search.models import SearchDocument
from delbar.search.vectors import from_bytes

# Vectors read per language for its centroid: the mean of 2,000 unit vectors is within about 0.002 of the
# whole language's mean in cosine (standard error ≈ spread 0.1 / √2,000), far below the floor's 0.04.
CENTROID_SAMPLE = 2_000
# Recomputed when the live-document count has moved by this share (or the database is another one).
RECOMPUTE_SHARE = 0.05


class Centroids:
    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self.by_language: dict[str, np.ndarray] = {}
        self.overall: np.ndarray | None = None

    def current(self, total: int, instance: str) -> "Centroids":
        key = self._key
        if key is None or key[1] != instance or abs(total - key[0]) > max(RECOMPUTE_SHARE * key[0], 0):
            with self._lock:
                if self._key is key:
                    self._compute()
                    self._key = (total, instance)
        return self

    def _compute(self) -> None:
        minimum = calibration().min_language_documents
        sums, counts = defaultdict(lambda: 0.0), defaultdict(int)
        languages = (SearchDocument.objects.filter(removed=False, embedding__isnull=False)
                     .values_list("language", flat=True).distinct().order_by())
        for language in languages:
            rows = (SearchDocument.objects.filter(removed=False, embedding__isnull=False, language=language)
                    .order_by("-id").values_list("embedding", flat=True)[:CENTROID_SAMPLE])
            for embedding in rows:
                vector = from_bytes(embedding)
                norm = float(np.linalg.norm(vector)) or 1.0
                sums[language] = sums[language] + vector / norm
                counts[language] += 1
        everything = sum(counts.values())
        self.overall = (sum(sums.values()) / everything) if everything else None
        self.by_language = {language: sums[language] / count for language, count in counts.items()
                            if count >= minimum}

    def baselines(self, query_vector: np.ndarray) -> tuple[dict[str, float], float]:
        """The query's mean cosine per language, and over everything (for the other languages)."""
        cap = calibration().max_baseline
        overall = min(float(self.overall @ query_vector), cap) if self.overall is not None else cap
        return {language: min(float(centroid @ query_vector), cap)
                for language, centroid in self.by_language.items()}, overall


_centroids = Centroids()


def centroids(total: int, instance: str) -> Centroids:
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
