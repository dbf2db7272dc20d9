"""Semantic search over the articles, with an honest `confident` flag.

The bot never guesses: when the best article's score does not clear the calibrated threshold,
`confident` is false and callers offer a human channel instead of an answer.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .embedder import Embedder
from .index import ArticleIndex, Passage, PassageHit
from .lexical import LexicalIndex
from .models import Article, KnowledgeBase, Municipality

MAX_QUERY_CHARS = 1000
# The embedding costs ~1-2 ms a token; a long worried message is embedded by its start (its
# gist), while the lexical half still reads every word. Bounds the worst case to ~100 ms.
EMBED_CHARS = 400
CANDIDATES = 20  # articles taken from the dense index before the lexical scores are added
# How much the words count beside the meaning: the best lexical match adds LEX_WEIGHT to its
# article's cosine score, others in proportion. LEX_FLOOR keeps a single weak word match small.
LEX_WEIGHT = 0.04
LEX_FLOOR = 6.0
# A confident answer needs (1) a best passage at least this close to the question, and (2) that
# passage closer, by OUT_OF_SCOPE_MARGIN, than the nearest out-of-scope example
# (knowledge/out_of_scope.yml). Calibrated with `bench/retrieval.py --calibrate`.
# Override with RETTIGHEDSBOT_THRESHOLD.
THRESHOLDS = {"e5": 0.86, "sentence-transformers": 0.5}
OUT_OF_SCOPE_MARGIN = 0.02


def default_threshold(backend: str) -> float:
    override = os.environ.get("RETTIGHEDSBOT_THRESHOLD")
    return float(override) if override else THRESHOLDS.get(backend, 0.5)


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float  # cosine of the best passage plus the lexical share
    passage: Passage | None  # the best passage; None if only the words matched

    @property
    def url(self) -> str:
        return self.article.url


@dataclass(frozen=True)
class SearchResult:
    query: str
    confident: bool
    hits: list[Hit]
    municipality: Municipality | None = None

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def to_json(self) -> dict:
        """The contract of `rettighedsbot search --json` and `/api/search` (design.md)."""
        result = {
            "query": self.query,
            "confident": self.confident,
            "results": [
                {"id": h.article.id, "title": h.article.title, "score": round(h.score, 4),
                 "url": h.url}
                for h in self.hits
            ],
        }
        if self.municipality:
            result["kommune"] = self.municipality.name
        return result


class UnknownMunicipality(ValueError):
    pass


class Searcher:
    def __init__(self, kb: KnowledgeBase, index: ArticleIndex, embedder: Embedder,
                 threshold: float | None = None):
        self.kb = kb
        self.index = index
        self.embedder = embedder
        self.threshold = default_threshold(embedder.backend) if threshold is None else threshold
        self.lexical = LexicalIndex(list(kb.articles.values()))

    def search(self, query: str, k: int = 3, kommune: str | None = None) -> SearchResult:
        query = normalise_query(query)
        if not query:
            raise ValueError("the question is empty")
        municipality = None
        if kommune:
            municipality = self.kb.municipality(kommune)
            if municipality is None:
                raise UnknownMunicipality(f"ukendt kommune: {kommune}")
        vector = self.embedder.query([embedded_text(query)])[0]
        dense = {h.article_id: h for h in self.index.search(vector, max(k, CANDIDATES))
                 if h.article_id in self.kb.articles}
        if not dense:
            return SearchResult(query, False, [], municipality)
        lexical = self.lexical.score_vector(query)
        floor = min(h.score for h in dense.values())  # unknown cosine: no better than the worst
        scale = max(LEX_FLOOR, float(lexical.max()))
        # Only the k best word matches can outrank the dense candidates on words alone.
        candidates = {*dense, *self.lexical.top(lexical, max(1, k))}
        position = self.lexical.position
        fused = {a: (dense[a].score if a in dense else floor)
                 + LEX_WEIGHT * float(lexical[position[a]]) / scale for a in candidates}
        ranked = sorted(fused, key=fused.get, reverse=True)[:max(1, k)]
        hits = [Hit(self.kb.articles[a], fused[a], dense[a].passage if a in dense else None)
                for a in ranked]
        confident = self._confident(dense.get(ranked[0]), vector)
        return SearchResult(query, confident, hits, municipality)

    def _confident(self, hit: PassageHit | None, vector) -> bool:
        if hit is None or hit.best < self.threshold:
            return False
        return hit.best - self.index.out_of_scope_score(vector) >= OUT_OF_SCOPE_MARGIN


_ENGLISH_WITH_DIGRAPHS = frozenset({"does", "goes", "shoes", "toe", "toes", "canoe", "poem",
                                    "poet", "aerial", "israel", "michael", "bazaar"})


def embedded_text(query: str) -> str:
    """What of a normalised query the embedding model reads (benches key their caches on it)."""
    return restore_danish_letters(query[:EMBED_CHARS])


def restore_danish_letters(text: str) -> str:
    """"hjaelp" -> "hjælp": citizens on foreign keyboards write æøå as ae/oe/aa, and the
    embedding model reads the two spellings as different words. Lexical search folds instead."""
    if re.search(r"[æøåÆØÅ]", text):
        return text

    def word(match: re.Match) -> str:
        w = match.group(0)
        if w.lower() in _ENGLISH_WITH_DIGRAPHS:
            return w
        return w.replace("aa", "å").replace("oe", "ø").replace("ae", "æ")

    return re.sub(r"[A-Za-z]+", word, text)


def normalise_query(query: str) -> str:
    return re.sub(r"\s+", " ", query or "").strip()[:MAX_QUERY_CHARS]
