"""Semantic search over the articles, with an honest answer level.

The bot never guesses. Each result has one of three levels:
- `answer`: sure — the best article is the answer (`confident` is true only here);
- `suggest`: plausible — the best 2–3 articles are offered as "Mente du …?", no summary;
- `unknown`: not sure, or the question names a topic with no article (knowledge/gaps.yml);
  callers say so honestly and offer a person (for a gap: the authority that answers it).
An answer needs the best passage to clear the calibrated threshold, to be closer than the
nearest out-of-scope example, and to beat the runner-up by a margin: two articles that fit
about as well mean the bot does not know which one the citizen means.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from .article_classifier import Reading
from .embedder import Embedder
from .gaps import Gap, gap_in
from .index import ArticleIndex, Passage, PassageHit
from .language import detect_language
from .lexical import LexicalIndex
from .limits import MAX_QUERY_CHARS
from .models import Article, KnowledgeBase, Municipality
from .text import restore_danish_letters

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
# Override with RETTIGHEDSBOT_THRESHOLD (knowledge.settings).
THRESHOLDS = {"e5": 0.86, "sentence-transformers": 0.5}
OUT_OF_SCOPE_MARGIN = 0.02
# `answer` also needs the best article ahead of the second by this much (fused scores, which
# lie on one scale); otherwise the question is plausible for both, and the bot asks.
# And ahead of the third by THIRD_MARGIN: three close articles mean a vague question.
# Calibrated on the eval set with 123 articles (bench/README.md): together they keep
# confident-but-wrong under 1% (margin 0.02 alone: 1.3%, 0.01: 2.9%), at the cost of more
# "Mente du …?" suggestions — the right article is among them in ~95% of those cases.
ANSWER_MARGIN = 0.02
THIRD_MARGIN = 0.03
# The article classifier (knowledge/article_classifier.py), trained on the example questions,
# tells sibling articles apart where the cosine cannot. It has a say both ways:
# - CLASSIFIER_SURE: when it gives the search's best article at least this probability, the
#   search answers without ANSWER_MARGIN and THIRD_MARGIN;
# - CLASSIFIER_DOUBT: when it names another article, or gives this one less than this, the
#   margins alone are not enough ("må jeg fremleje min lejlighed mens jeg er i udlandet" is
#   closest to a prison article's question about one's flat; the classifier says otherwise).
# Chosen on the eval, held-out and probe sets (bench/README.md, "session 8, issue 11").
CLASSIFIER_SURE = 0.6
CLASSIFIER_DOUBT = 0.4
# It also learns the topics without an article from their questions (knowledge/gaps.yml): when
# it gives one of them at least this, the bot says it has no article on it and who answers it,
# even when the question uses none of the topic's `words`.
GAP_SURE = 0.5
# And when it gives the topics without an article together at least this, the question may be
# about something the knowledge has no article on: no answer, whatever the margins say.
GAP_DOUBT = 0.15
# The example questions it learns from are Danish and English: in other languages its
# probabilities mean nothing ("чи можу я продовжити дозвіл на проживання" -> hjemrejseydelse),
# and the margins decide alone.
CLASSIFIER_LANGUAGES = ("da", "en")
# Below the threshold but this close (dense cosine), the best articles are worth suggesting.
SUGGEST_BELOW = 0.02
MAX_SUGGESTIONS = 3
SUGGEST_WITHIN = 0.03      # suggestions score within this of the best
ANSWER, SUGGEST, UNKNOWN = "answer", "suggest", "unknown"
LEVELS = (ANSWER, SUGGEST, UNKNOWN)
# The fused score is a cosine plus up to LEX_WEIGHT of words: divided by this it stays in
# [0, 1], so no page ever shows "Match: 1,02".
SCORE_SCALE = 1 + LEX_WEIGHT
# A message this close to a crisis example, relative to the nearest rights question, counts as
# a possible crisis. Chosen on tests/data/crisis_sets.yml (bench/crisis_sets.py): with the
# keyword net it catches every message of the crisis set, and it fires on 7.7% of the eval
# questions, which then get the crisis lines *with* their usual answer.
CRISIS_MARGIN = -0.02
# After the crisis lines, a "Mente du …?" article is offered only if its best passage is at most
# this much further from the message than the nearest crisis example: "jeg vil ikke leve mere"
# gets no kontanthjælp or pension beside the lines (0.072), "..., hvad gør jeg" keeps
# akut-psykisk-hjaelp (0.017) without kontanthjælp (0.037). Chosen on tests/data/crisis_sets.yml:
# every hard not-crisis message with suggestions keeps at least one (the closest call 0.030,
# "jeg blev udsat for seksuelle overgreb som barn, er sagen forældet").
CRISIS_ONLY_MARGIN = 0.035
# Margins remembered per embedded text: every action turn asks `crisis_possible` first and the
# search then needs the same number (a scan of every example question).
CRISIS_CACHE = 1024


def default_threshold(backend: str, override: float | None = None) -> float:
    """The calibrated threshold of a backend, unless the settings override it (the caller
    passes `Settings.threshold`, RETTIGHEDSBOT_THRESHOLD)."""
    return override if override is not None else THRESHOLDS.get(backend, 0.5)


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float  # cosine of the best passage plus the lexical share
    passage: Passage | None  # the best passage; None if only the words matched
    cosine: float | None = None  # the best passage's cosine alone (None: words only)

    @property
    def url(self) -> str:
        return self.article.url


@dataclass(frozen=True)
class SearchResult:
    query: str
    confident: bool            # level == "answer": kept for the search --json contract
    hits: list[Hit]
    municipality: Municipality | None = None
    level: str = ""            # answer | suggest | unknown ("" -> from `confident`)
    gap: Gap | None = None     # the known topic without an article the question names
    # Closer to a crisis example than to any rights question or out-of-scope example (by at
    # least CRISIS_MARGIN): the crisis lines go out, with the answer if there is one.
    crisis: bool = False
    # The cosine of the nearest crisis example: after the crisis lines, only suggestions
    # nearly as close as that are offered (CRISIS_ONLY_MARGIN).
    crisis_nearest: float = -1.0

    def __post_init__(self) -> None:
        if not self.level:
            object.__setattr__(self, "level", ANSWER if self.confident else UNKNOWN)
        if (self.level == ANSWER) != self.confident:
            raise ValueError(f"confident={self.confident} does not fit level {self.level}")

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def suggestions_beside_crisis_lines(self) -> list[Hit]:
        """What to offer as "Mente du …?" once the crisis lines are out, at level answer too:
        the lines stay what the citizen reads first, so even a sure article is a button, not
        an answer under them. Only articles nearly as close to the message as the nearest
        crisis example: "min søn er anbragt og jeg må ikke se ham" gets its article; "jeg vil
        slå mig selv ihjel" gets nothing that would repeat or distract from the lines."""
        if self.level not in (ANSWER, SUGGEST):
            return []
        return [h for h in self._best_few() if self._fits_beside_crisis_lines(h)]

    @property
    def worth_adding_to_crisis_lines(self) -> bool:
        """After the crisis lines: articles that still fit, or who answers a topic without an
        article (a named gap)."""
        return self.gap is not None or bool(self.suggestions_beside_crisis_lines)

    def _fits_beside_crisis_lines(self, hit: Hit) -> bool:
        return hit.cosine is not None and self.crisis_nearest - hit.cosine < CRISIS_ONLY_MARGIN

    @property
    def suggestions(self) -> list[Hit]:
        """What to offer as "Mente du …?" (level suggest): the best few, never a weak tail."""
        return self._best_few() if self.level == SUGGEST else []

    def _best_few(self) -> list[Hit]:
        if not self.hits:
            return []
        floor = self.hits[0].score - SUGGEST_WITHIN
        return [h for h in self.hits[:MAX_SUGGESTIONS] if h.score >= floor]

    def to_json(self) -> dict:
        """The contract of `rettighedsbot search --json` and `/api/search` (design.md):
        `confident` is true only at level `answer`; `level` says which of the three."""
        result = {
            "query": self.query,
            "confident": self.confident,
            "level": self.level,
            "results": [
                {"id": h.article.id, "title": h.article.title, "score": round(h.score, 4),
                 "url": h.url}
                for h in self.hits
            ],
        }
        if self.gap:
            result["gap"] = {"id": self.gap.id, "name": self.gap.name,
                             "channels": list(self.gap.channels)}
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
        self.threshold = default_threshold(embedder.backend, threshold)
        self.lexical = LexicalIndex(list(kb.articles.values()))
        self._crisis_vectors: tuple | None = None
        self._margins: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._margins_lock = threading.Lock()   # the web app searches from several threads

    def search(self, query: str, k: int = 3, kommune: str | None = None) -> SearchResult:
        query = normalise_query(query)
        if not query:
            raise ValueError("the question is empty")
        municipality = None
        if kommune:
            municipality = self.kb.municipality(kommune)
            if municipality is None:
                raise UnknownMunicipality(f"ukendt kommune: {kommune}")
        text = embedded_text(query)
        vector = self.embedder.query([text])[0]
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
        fused = {a: ((dense[a].score if a in dense else floor)
                     + LEX_WEIGHT * float(lexical[position[a]]) / scale) / SCORE_SCALE
                 for a in candidates}
        order = sorted(fused, key=fused.get, reverse=True)
        ranked = order[:max(1, k, MAX_SUGGESTIONS)]
        hits = []
        for a in ranked:              # an article found by its words only has no passage
            d = dense.get(a)
            hits.append(Hit(self.kb.articles[a], fused[a], d.passage if d else None,
                            d.best if d else None))
        # The margin is over every other article, the answer's own `related` ones too: they
        # are the articles most easily confused with it (exempting them: 0.9% -> 2.6% wrong).
        second = fused[order[1]] if len(order) > 1 else 0.0
        third = fused[order[2]] if len(order) > 2 else 0.0
        top = fused[ranked[0]]
        verdict = self._classifier_verdict(query, vector)
        level = self._level(dense.get(ranked[0]), vector, top - second, top - third, verdict)
        gap = gap_in(query, self.kb.gaps, hits[0].article) or self._gap_of(verdict)
        if gap is not None:
            level = UNKNOWN                  # never answered from a neighbouring article
        margin, nearest = self._remembered_margin(text, vector)
        return SearchResult(query, level == ANSWER, hits[:max(1, k)], municipality, level, gap,
                            margin >= CRISIS_MARGIN, nearest)

    def crisis_possible(self, query: str) -> bool:
        """The crisis check alone: one (cached) embedding, no ranking of articles."""
        query = normalise_query(query)
        if not query:
            return False
        text = embedded_text(query)
        return self._remembered_margin(text, self.embedder.query([text])[0])[0] >= CRISIS_MARGIN

    def _remembered_margin(self, text: str, vector) -> tuple[float, float]:
        """(crisis margin, cosine of the nearest crisis example), remembered per text."""
        with self._margins_lock:
            remembered = self._margins.get(text)
            if remembered is not None:
                self._margins.move_to_end(text)
                return remembered
        remembered = self._crisis_margin(vector)
        with self._margins_lock:
            self._margins[text] = remembered
            while len(self._margins) > CRISIS_CACHE:
                self._margins.popitem(last=False)
        return remembered

    def _crisis_margin(self, vector) -> tuple[float, float]:
        """How much closer the question is to a crisis example than to any article question
        or out-of-scope example (the crisis examples are embedded with the index), and how
        close that crisis example is."""
        if self._crisis_vectors is None:       # read back from the index once
            self._crisis_vectors = (self.index.crisis, self.index.question_vectors())
        examples, questions = self._crisis_vectors
        if not len(examples):
            return -1.0, -1.0
        nearest_other = max(float((questions @ vector).max()) if len(questions) else -1.0,
                            self.index.out_of_scope_score(vector))
        nearest = float((examples @ vector).max())
        return nearest - nearest_other, nearest

    def _level(self, hit: PassageHit | None, vector, margin: float, margin3: float,
               verdict: Reading | None) -> str:
        if hit is None:
            return UNKNOWN
        if hit.best - self.index.out_of_scope_score(vector) < OUT_OF_SCOPE_MARGIN:
            return UNKNOWN
        if hit.best >= self.threshold:
            margins = margin >= ANSWER_MARGIN and margin3 >= THIRD_MARGIN
            if verdict is None:
                if margins:
                    return ANSWER
            elif verdict.without_article < GAP_DOUBT:
                # how sure the classifier is of this article: 0 if it names another (or a gap)
                belief = verdict.probability if verdict.label == hit.article_id else 0.0
                if belief >= CLASSIFIER_SURE or (margins and belief >= CLASSIFIER_DOUBT):
                    return ANSWER
        if hit.best >= self.threshold - SUGGEST_BELOW:
            return SUGGEST
        return UNKNOWN

    def _classifier_verdict(self, query: str, vector) -> Reading | None:
        """What the classifier makes of the question; None without a classifier or in a
        language it has not learnt."""
        classifier = self.index.classifier
        if classifier is None or detect_language(query) not in CLASSIFIER_LANGUAGES:
            return None
        return classifier.read(vector)

    def _gap_of(self, verdict: Reading | None) -> Gap | None:
        """The topic without an article the classifier is sure the question is about."""
        if verdict is None or verdict.gap_id is None or verdict.probability < GAP_SURE:
            return None
        return next((g for g in self.kb.gaps if g.id == verdict.gap_id), None)


def embedded_text(query: str) -> str:
    """What of a normalised query the embedding model reads (benches key their caches on it)."""
    return restore_danish_letters(query[:EMBED_CHARS])


def normalise_query(query: str) -> str:
    return re.sub(r"\s+", " ", query or "").strip()[:MAX_QUERY_CHARS]
