"""Semantic search over the articles, with an honest `confident` flag.

The bot never guesses: when the best article's score does not clear the calibrated threshold,
`confident` is false and callers offer a human channel instead of an answer.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .embedder import Embedder
from .index import ArticleIndex, Passage
from .models import Article, KnowledgeBase, Municipality

MAX_QUERY_CHARS = 1000
# Cosine score the best passage must reach, per backend. Calibrated by `bench/retrieval.py
# --calibrate` on tests/data/eval_questions.yml: the lowest value that rejects every
# out-of-scope question there, with a margin. Override with RETTIGHEDSBOT_THRESHOLD.
THRESHOLDS = {"e5": 0.86, "sentence-transformers": 0.5}


def default_threshold(backend: str) -> float:
    override = os.environ.get("RETTIGHEDSBOT_THRESHOLD")
    return float(override) if override else THRESHOLDS.get(backend, 0.5)


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    passage: Passage

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

    def search(self, query: str, k: int = 3, kommune: str | None = None) -> SearchResult:
        query = normalise_query(query)
        if not query:
            raise ValueError("the question is empty")
        municipality = None
        if kommune:
            municipality = self.kb.municipality(kommune)
            if municipality is None:
                raise UnknownMunicipality(f"ukendt kommune: {kommune}")
        vector = self.embedder.query([query])[0]
        hits = [
            Hit(self.kb.articles[h.article_id], h.score, h.passage)
            for h in self.index.search(vector, max(1, k))
            if h.article_id in self.kb.articles
        ]
        confident = bool(hits) and hits[0].score >= self.threshold
        return SearchResult(query, confident, hits, municipality)


def normalise_query(query: str) -> str:
    return re.sub(r"\s+", " ", query or "").strip()[:MAX_QUERY_CHARS]
