"""A FAISS index over several passages per article, persisted and rebuilt only when needed.

Each article is indexed as its title + summary, each example question, and its body in chunks,
so a citizen's words can meet the article wherever they fit best; an article scores by its best
passage. The index is stored in a folder named by a key over (format, backend, model, passages):
if the folder exists the index is current, so nothing is rebuilt by accident or missed.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from .article_classifier import ArticleClassifier, gap_label
from .embedder import Embedder
from .models import Article, KnowledgeBase
from .text import restore_danish_letters

INDEX_FORMAT = 7  # bump when the way passages are built or stored changes
CHUNK_CHARS = 400
LAST_GOOD = "last-good.json"
# An article whose second passage also matches is more likely right than one lucky match:
# score = (best + SECOND_WEIGHT * second) / (1 + SECOND_WEIGHT).
SECOND_WEIGHT = 0.6
# Up to this many passages every passage is scanned, its vector stored as float16: half the
# memory to read, so 19,000 passages take ~2.3 ms instead of ~5 ms as float32, and a cosine
# moves by ~1e-4 at most. Above it, a graph index (HNSW) answers in about a millisecond;
# it may miss a near passage now and then, which a scan never does.
HNSW_FROM = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_SEARCH = 256
# The passages the article classifier learns from: how citizens ask, and the title; beside
# them, the questions of the topics without an article, each topic a class of its own.
TAUGHT_KINDS = ("question", "title")


@dataclass(frozen=True)
class Passage:
    article_id: str
    kind: str  # "title" | "question" | "body"
    text: str


@dataclass(frozen=True)
class PassageHit:
    article_id: str
    score: float  # the article's score: its best passage, helped by its second best
    passage: Passage  # the best passage
    best: float  # cosine of the best passage alone


def article_passages(article: Article) -> list[Passage]:
    passages = [Passage(article.id, "title", f"{article.title}. {article.summary}")]
    passages += [Passage(article.id, "question", q) for q in article.questions]
    passages += [Passage(article.id, "body", chunk) for chunk in _chunks(article.paragraphs())]
    return passages


def all_passages(kb: KnowledgeBase) -> list[Passage]:
    """Every article's passages, in the order the index stores them."""
    return [p for article in kb.articles.values() for p in article_passages(article)]


def _chunks(paragraphs: list[str]) -> list[str]:
    """Joins short paragraphs up to CHUNK_CHARS, so each chunk carries enough context."""
    chunks: list[str] = []
    for paragraph in paragraphs:
        if chunks and len(chunks[-1]) + len(paragraph) < CHUNK_CHARS:
            chunks[-1] += "\n" + paragraph
        else:
            chunks.append(paragraph)
    return chunks


def _new_faiss_index(dim: int, size: int) -> faiss.Index:
    if size < HNSW_FROM:
        return faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16,
                                          faiss.METRIC_INNER_PRODUCT)
    index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def examples_of(kb: KnowledgeBase) -> list:
    """The example messages embedded beside the passages: out of scope, crisis, and the
    questions of the known topics without an article (knowledge/gaps.yml)."""
    return [list(kb.out_of_scope), list(kb.crisis_examples),
            [[g.id, list(g.questions)] for g in kb.gaps]]


def as_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Example messages (article questions, out-of-scope and crisis examples) embedded as a
    citizen's message is (search.embedded_text): æøå restored first ("faar jeg hjaelp"), as
    the two spellings embed apart."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return embedder.query([restore_danish_letters(t) for t in texts])


def index_key(embedder: Embedder, passages: list[Passage], anchors: list) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([INDEX_FORMAT, embedder.backend, embedder.model, anchors],
                             ensure_ascii=False).encode())
    for p in passages:
        digest.update(json.dumps([p.article_id, p.kind, p.text], ensure_ascii=False).encode())
    return digest.hexdigest()[:24]


class ArticleIndex:
    def __init__(self, index: faiss.Index, passages: list[Passage], anchors: np.ndarray,
                 manifest: dict, crisis: np.ndarray | None = None,
                 classifier: ArticleClassifier | None = None):
        self._index = index
        self.passages = passages
        self.anchors = anchors  # out-of-scope examples, embedded as queries
        self.manifest = manifest
        # crisis examples (the NLU's), embedded as queries: the search's crisis check
        self.crisis = crisis if crisis is not None else np.zeros((0, index.d), dtype=np.float32)
        # which article a question is about, learned from the example questions and titles
        self.classifier = classifier

    @classmethod
    def build(cls, kb: KnowledgeBase, embedder: Embedder) -> ArticleIndex:
        passages = all_passages(kb)
        questions = [i for i, p in enumerate(passages) if p.kind == "question"]
        others = [i for i, p in enumerate(passages) if p.kind != "question"]
        vectors = np.zeros((len(passages), embedder.dim), dtype=np.float32)
        if questions:  # a citizen's question is compared with example questions as query↔query
            vectors[questions] = as_queries(embedder, [passages[i].text for i in questions])
        if others:
            vectors[others] = embedder.passage([passages[i].text for i in others])
        index = _new_faiss_index(embedder.dim, len(passages))
        index.add(vectors)
        anchors = as_queries(embedder, list(kb.out_of_scope))
        crisis = as_queries(embedder, list(kb.crisis_examples))
        taught = [i for i, p in enumerate(passages) if p.kind in TAUGHT_KINDS]
        gap_questions = [(gap_label(g.id), q) for g in kb.gaps for q in g.questions]
        classifier = ArticleClassifier.train(
            np.vstack([vectors[taught], as_queries(embedder, [q for _, q in gap_questions])]),
            [passages[i].article_id for i in taught] + [label for label, _ in gap_questions])
        manifest = {
            "format": INDEX_FORMAT,
            "backend": embedder.backend,
            "model": embedder.model,
            "key": index_key(embedder, passages, examples_of(kb)),
            "dim": embedder.dim,
            "articles": len(kb.articles),
            "passages": len(passages),
            "out_of_scope_examples": len(anchors),
            "crisis_examples": len(crisis),
            "classifier": classifier is not None,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        return cls(index, passages, anchors, manifest, crisis.astype(np.float32), classifier)

    def question_vectors(self) -> np.ndarray:
        """The example questions' vectors (read back from the index, float32)."""
        ids = [i for i, p in enumerate(self.passages) if p.kind == "question"]
        if not ids:
            return np.zeros((0, self._index.d), dtype=np.float32)
        return self._index.reconstruct_n(0, self._index.ntotal)[ids].astype(np.float32)

    def out_of_scope_score(self, vector: np.ndarray) -> float:
        """How close the question is to the nearest thing the bot must not answer."""
        return float((self.anchors @ vector).max()) if len(self.anchors) else -1.0

    def search(self, vector: np.ndarray, k: int) -> list[PassageHit]:
        """The top-k articles, best first, each scored by its two best passages."""
        total = self._index.ntotal
        if total == 0:
            return []
        wanted = min(total, max(k * 10, 40))
        while True:
            scores, ids = self._index.search(vector.reshape(1, -1), wanted)
            found: dict[str, list[tuple[float, Passage]]] = {}
            for score, i in zip(scores[0], ids[0]):
                if i >= 0:
                    found.setdefault(self.passages[i].article_id, []).append(
                        (float(score), self.passages[i]))
            if len(found) >= k or wanted >= total:
                break
            wanted = min(total, wanted * 4)
        hits = []
        for article_id, matches in found.items():
            best, passage = matches[0]
            # An article with one passage in the window: its second is no better than the last.
            second = matches[1][0] if len(matches) > 1 else min(best, float(scores[0][-1]))
            score = (best + SECOND_WEIGHT * second) / (1 + SECOND_WEIGHT)
            hits.append(PassageHit(article_id, score, passage, best))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    # -- persistence -------------------------------------------------------------------------

    def save(self, index_dir: Path, kb: KnowledgeBase) -> Path:
        """Writes atomically into a folder named by the key; a concurrent writer just wins."""
        index_dir.mkdir(parents=True, exist_ok=True)
        final = index_dir / self.manifest["key"]
        if not final.exists():
            tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
            faiss.write_index(self._index, str(tmp / "index.faiss"))
            np.save(tmp / "anchors.npy", self.anchors)
            np.save(tmp / "crisis.npy", self.crisis)
            if self.classifier is not None:
                self.classifier.save(tmp)
            (tmp / "passages.json").write_text(
                json.dumps([asdict(p) for p in self.passages], ensure_ascii=False), "utf-8")
            # The last good knowledge set, to serve if the YAML is broken when a process starts.
            (tmp / "knowledge.pickle").write_bytes(pickle.dumps(kb))
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2), "utf-8")
            try:
                os.rename(tmp, final)
            except OSError:  # another process saved the same key first
                shutil.rmtree(tmp, ignore_errors=True)
        _write_atomic(index_dir / LAST_GOOD, json.dumps({"key": self.manifest["key"]}))
        _prune(index_dir, keep={self.manifest["key"]})
        return final

    @classmethod
    def load(cls, folder: Path) -> ArticleIndex:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        passages = [Passage(**p) for p in json.loads((folder / "passages.json").read_text("utf-8"))]
        anchors = np.load(folder / "anchors.npy")
        crisis = np.load(folder / "crisis.npy") if (folder / "crisis.npy").exists() else None
        return cls(faiss.read_index(str(folder / "index.faiss")), passages, anchors, manifest,
                   crisis, ArticleClassifier.load(folder))


def load_or_build(kb: KnowledgeBase, embedder: Embedder, index_dir: Path,
                  log=lambda message: None) -> ArticleIndex:
    passages = all_passages(kb)
    folder = index_dir / index_key(embedder, passages, examples_of(kb))
    if (folder / "manifest.json").exists():
        index = ArticleIndex.load(folder)
        _write_atomic(index_dir / LAST_GOOD, json.dumps({"key": index.manifest["key"]}))
        return index
    log(f"building the search index: {len(kb.articles)} articles, {len(passages)} passages "
        f"({embedder.backend})")
    started = time.perf_counter()
    index = ArticleIndex.build(kb, embedder)
    index.save(index_dir, kb)
    log(f"index built in {time.perf_counter() - started:.1f} s")
    return index


def load_last_good(index_dir: Path) -> tuple[KnowledgeBase, ArticleIndex] | None:
    """The knowledge set and index of the last successful build, if any."""
    try:
        key = json.loads((index_dir / LAST_GOOD).read_text("utf-8"))["key"]
        folder = index_dir / key
        kb = pickle.loads((folder / "knowledge.pickle").read_bytes())
        return kb, ArticleIndex.load(folder)
    except (OSError, ValueError, KeyError, pickle.UnpicklingError, EOFError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _prune(index_dir: Path, keep: set[str], max_kept: int = 3) -> None:
    """Keeps the newest few index folders, so a long-running council install doesn't fill up."""
    folders = sorted((p for p in index_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[max_kept:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
