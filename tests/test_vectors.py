"""The nearest-neighbour graph against exact search, on vectors shaped like real embeddings
(clusters of similar documents), large enough for the graph to be approximate."""

import numpy as np
import pytest

from delbar.search.engine import SEMANTIC_CANDIDATES
from delbar.search.vectors import VectorIndex


def clustered_vectors(count: int, dimensions: int = 384, clusters: int = 300, seed: int = 7,
                      spread: float = 0.6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(clusters, dimensions))
    vectors = centers[rng.integers(0, clusters, count)] + rng.normal(scale=spread, size=(count, dimensions))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("spread", [0.3, 0.6])  # tight and loose clusters
def test_graph_recall_at_10_against_exact_search(spread):
    vectors = clustered_vectors(20_000, spread=spread)
    index = VectorIndex(384)
    index.add(list(range(1, len(vectors) + 1)), vectors)
    queries = clustered_vectors(200, seed=8, spread=spread)
    found = 0
    for query in queries:
        exact = set((np.argsort(-(vectors @ query))[:10] + 1).tolist())
        # As the engine asks: its whole candidate list, of which the first ten count.
        found += len(exact & {key for key, _ in index.nearest(query, SEMANTIC_CANDIDATES)[:10]})
    assert found / (10 * len(queries)) >= 0.99


def test_similarities_are_exact_cosines_and_skip_unknown_keys():
    vectors = clustered_vectors(50)
    index = VectorIndex(384)
    index.add(list(range(1, 51)), vectors)
    scores = index.similarities(vectors[0], [1, 2, 999])
    assert set(scores) == {1, 2}
    assert abs(scores[1] - 1.0) < 1e-3 and abs(scores[2] - float(vectors[1] @ vectors[0])) < 1e-3
