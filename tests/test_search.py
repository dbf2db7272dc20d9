"""The parts of search that make it robust to how citizens type, and honest when off topic."""
from __future__ import annotations

import math
import shutil
from collections import Counter

import numpy as np
import pytest

from knowledge.lexical import K1, B, LexicalIndex, article_text, terms
from knowledge.loader import load_knowledge, load_or_raise
from knowledge.search import restore_danish_letters
from knowledge.service import KnowledgeService

from .conftest import DATA


def test_restore_danish_letters_for_the_embedding_model() -> None:
    assert restore_danish_letters("kan jeg faa hjaelp til boern") == "kan jeg få hjælp til børn"
    assert restore_danish_letters("Ærligt, hjaelp") == "Ærligt, hjaelp"  # already Danish letters
    assert restore_danish_letters("what does it cost") == "what does it cost"


def test_lexical_terms_fold_and_stem() -> None:
    assert terms("Hjælpen") == terms("hjaelpen")
    assert terms("klager") == terms("klage")
    assert terms("jeg vil gerne have det") == ["gern"]  # only the non-stopword remains


def matching(lexical: LexicalIndex, query: str) -> dict[str, float]:
    """The articles that share a word with the query, and their BM25 scores."""
    vector = lexical.score_vector(query)
    return {lexical.ids[i]: float(vector[i]) for i in range(len(vector)) if vector[i] > 0}


def test_lexical_index_ranks_the_article_that_names_the_right() -> None:
    kb = load_or_raise(DATA / "mini")
    scores = matching(LexicalIndex(list(kb.articles.values())), "frikort")
    assert max(scores, key=scores.get) == "socialt-frikort"
    assert matching(LexicalIndex(list(kb.articles.values())), "xyzzy") == {}


def test_lexical_scores_are_bm25_and_top_gives_the_best_matches_first() -> None:
    articles = list(load_or_raise(DATA / "mini").articles.values())
    lexical = LexicalIndex(articles)
    query = "klage over kommunens afgørelse om frikort"
    counts = [Counter(terms(article_text(a))) for a in articles]
    average = sum(sum(c.values()) for c in counts) / len(counts)
    expected = {}
    for a, c in zip(articles, counts):
        score = 0.0
        for term in set(terms(query)):
            df = sum(term in other for other in counts)
            if c[term]:
                idf = math.log(1 + (len(articles) - df + 0.5) / (df + 0.5))
                norm = K1 * (1 - B + B * sum(c.values()) / average)
                score += idf * c[term] * (K1 + 1) / (c[term] + norm)
        if score:
            expected[a.id] = score
    got = matching(lexical, query)
    assert got.keys() == expected.keys() and len(got) >= 3
    assert all(abs(got[i] - expected[i]) < 1e-4 for i in got)
    best = sorted(expected, key=expected.get, reverse=True)
    assert lexical.top(lexical.score_vector(query), 2) == best[:2]
    assert lexical.top(lexical.score_vector("xyzzy"), 3) == []


def test_out_of_scope_examples_make_a_near_question_not_confident(tmp_path, e5) -> None:
    settings_dir = tmp_path / "knowledge"
    shutil.copytree(DATA / "mini", settings_dir)
    from knowledge.settings import Settings

    settings = Settings(settings_dir, tmp_path / "index", "e5", "", "http://t")
    question = "jeg skal finde et hotel at sove på i nat"
    assert KnowledgeService(settings, embedder=e5).search(question).confident

    (settings_dir / "out_of_scope.yml").write_text(
        "examples:\n" + "".join(f"  - {q}\n" for q in [
            "jeg skal finde et hotel at sove på i nat", "hotel i nat", "billigt hotelværelse",
            "vandrerhjem i byen", "camping i weekenden", "airbnb i københavn",
            "ferie i sommerhus", "book et hotel", "overnatning på rejse", "kro i nat"]),
        encoding="utf-8")
    service = KnowledgeService(settings, embedder=e5)
    assert len(service.kb.out_of_scope) == 10
    result = service.search(question)
    assert not result.confident
    assert result.best.article.id == "hjemloeshed"  # still ranked, for advisers to see


def test_out_of_scope_file_is_validated(tmp_path) -> None:
    shutil.copytree(DATA / "mini", tmp_path / "k")
    (tmp_path / "k" / "out_of_scope.yml").write_text("examples: vejret\n", encoding="utf-8")
    problems = [str(p) for p in load_knowledge(tmp_path / "k").problems]
    assert any("out_of_scope.yml:1: examples: skal være en liste" in p for p in problems)


def test_a_large_index_is_a_graph_that_finds_what_the_exact_scan_finds(tmp_path, e5,
                                                                       monkeypatch) -> None:
    import faiss

    from knowledge import index as index_module
    from knowledge.index import ArticleIndex

    kb = load_or_raise(DATA / "mini")
    exact = ArticleIndex.build(kb, e5)
    monkeypatch.setattr(index_module, "HNSW_FROM", 10)  # the mini set has more passages
    graph = ArticleIndex.build(kb, e5)
    graph.save(tmp_path, kb)
    reloaded = ArticleIndex.load(tmp_path / graph.manifest["key"])
    assert isinstance(faiss.downcast_index(reloaded._index), faiss.IndexHNSWFlat)
    assert isinstance(faiss.downcast_index(exact._index), faiss.IndexScalarQuantizer)
    for question in ("hvor lang tid har jeg til at klage", "jeg sover på gaden",
                     "kan jeg få frikort", "hvem kan hjælpe mig gratis"):
        vector = e5.query([question])[0]
        want = exact.search(vector, 3)
        got = reloaded.search(vector, 3)
        assert [h.article_id for h in got] == [h.article_id for h in want]
        # the scan stores float16 vectors, the graph float32 ones
        assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-3)


def test_the_scan_scores_are_the_float32_cosines(e5) -> None:
    """float16 storage halves the scan's memory traffic; the scores must not move visibly."""
    from knowledge.index import ArticleIndex, all_passages

    kb = load_or_raise(DATA / "mini")
    index = ArticleIndex.build(kb, e5)
    passages = all_passages(kb)
    assert index.passages == passages
    vectors = np.vstack([e5.query([p.text]) if p.kind == "question" else e5.passage([p.text])
                         for p in passages])
    question = e5.query(["jeg har ikke noget sted at sove i nat"])[0]
    exact = vectors @ question
    hits = index.search(question, 3)
    for hit in hits:
        mine = [i for i, p in enumerate(passages) if p.article_id == hit.article_id]
        assert hit.best == pytest.approx(float(exact[mine].max()), abs=1e-3)
    assert hits[0].article_id == passages[int(exact.argmax())].article_id
