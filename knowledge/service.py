"""The knowledge a running process serves: always a valid set, reloaded when the YAML changes.

The action server and the web app each hold one KnowledgeService. A watcher thread notices
edited YAML; a valid edit is swapped in whole, an invalid one is logged with every problem
and refused, and the last good set keeps serving. If the YAML is broken when a process starts,
it serves the last good set saved with the index rather than not start.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .embedder import Embedder, QueryCache, embedder_for
from .index import ArticleIndex, load_last_good, load_or_build
from .loader import KnowledgeError, knowledge_files, load_knowledge
from .models import KnowledgeBase
from .search import Searcher, SearchResult
from .settings import Settings
from .settings import settings as process_settings
from .yamlfile import Problem

log = logging.getLogger("rettighedsbot.knowledge")


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    searcher: Searcher
    loaded_at: float
    index_key: str


class KnowledgeService:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None,
                 watch: bool = False, poll_seconds: float = 2.0):
        self.settings = settings or process_settings()
        self.embedder = QueryCache(embedder or embedder_for(self.settings))
        self.problems: list[Problem] = []
        self.stale = False  # true while serving an older set because the YAML has errors
        self._fingerprint = self._current_fingerprint()
        self._lock = threading.Lock()
        self._snapshot = self._initial_snapshot()
        self._stop = threading.Event()
        if watch:
            threading.Thread(target=self._watch, args=(poll_seconds,), daemon=True,
                             name="knowledge-watch").start()

    # -- what callers use ---------------------------------------------------------------------

    @property
    def kb(self) -> KnowledgeBase:
        return self._snapshot.kb

    def search(self, query: str, k: int = 3, kommune: str | None = None) -> SearchResult:
        return self._snapshot.searcher.search(query, k=k, kommune=kommune)

    def crisis_possible(self, text: str) -> bool:
        """Is this message closer to a crisis example than to any rights question? (The
        search's meaning check, without ranking articles; the embedding is cached for the
        search that follows.)"""
        return self._snapshot.searcher.crisis_possible(text)

    @property
    def threshold(self) -> float:
        return self._snapshot.searcher.threshold

    def status(self) -> dict:
        snap = self._snapshot
        return {
            "articles": len(snap.kb.articles),
            "index": snap.index_key,
            "embedder": f"{self.embedder.backend}: {self.embedder.model}",
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(snap.loaded_at)),
            "stale": self.stale,
            "query_cache": {"hits": self.embedder.hits, "misses": self.embedder.misses},
            "errors": [str(p) for p in self.problems if p.severity == "error"],
        }

    def close(self) -> None:
        self._stop.set()

    # -- loading and reloading ------------------------------------------------------------------

    def reload(self) -> bool:
        """Loads the YAML again; returns True if a new valid set is now served."""
        with self._lock:
            self._fingerprint = self._current_fingerprint()
            result = load_knowledge(self.settings.knowledge_dir, public_url=self.settings.public_url)
            self.problems = result.problems
            if result.kb is None:
                self.stale = True
                log.error("knowledge YAML refused; still serving the last good set:\n%s",
                          "\n".join(str(p) for p in result.errors))
                return False
            self._snapshot = self._make_snapshot(result.kb)
            self.stale = False
            log.info("knowledge reloaded: %d articles", len(result.kb.articles))
            return True

    def refresh_if_changed(self) -> bool:
        if self._current_fingerprint() == self._fingerprint:
            return False
        return self.reload()

    def _initial_snapshot(self) -> Snapshot:
        result = load_knowledge(self.settings.knowledge_dir, public_url=self.settings.public_url)
        self.problems = result.problems
        if result.kb is not None:
            return self._make_snapshot(result.kb)
        saved = load_last_good(self.settings.index_dir)
        if saved is None:
            raise KnowledgeError(result.problems)
        kb, index = saved
        kb = _with_public_url(kb, self.settings.public_url)
        self.stale = True
        log.error("knowledge YAML has errors; serving the last good set from %s:\n%s",
                  self.settings.index_dir, "\n".join(str(p) for p in result.errors))
        return Snapshot(kb, self._searcher(kb, index), time.time(), index.manifest["key"])

    def _make_snapshot(self, kb: KnowledgeBase) -> Snapshot:
        kb = _with_public_url(kb, self.settings.public_url)
        index = load_or_build(kb, self.embedder, self.settings.index_dir, log=log.info)
        return Snapshot(kb, self._searcher(kb, index), time.time(), index.manifest["key"])

    def _searcher(self, kb: KnowledgeBase, index: ArticleIndex) -> Searcher:
        return Searcher(kb, index, self.embedder, self.settings.threshold)

    def _current_fingerprint(self) -> tuple:
        files = knowledge_files(Path(self.settings.knowledge_dir))
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)

    def _watch(self, poll_seconds: float) -> None:
        while not self._stop.wait(poll_seconds):
            try:
                self.refresh_if_changed()
            except Exception:  # a watcher must never die; the next edit gets another chance
                log.exception("knowledge reload failed; still serving the last good set")


def _with_public_url(kb: KnowledgeBase, public_url: str) -> KnowledgeBase:
    """Article urls follow this process's RETTIGHEDSBOT_PUBLIC_URL, also for a set loaded from the cache."""
    prefix = f"{public_url}/artikel/"
    if all(a.url.startswith(prefix) for a in kb.articles.values()):
        return kb
    return replace(kb, articles={i: replace(a, url=prefix + a.id) for i, a in kb.articles.items()})


_service: KnowledgeService | None = None
_service_lock = threading.Lock()


def get_service() -> KnowledgeService:
    """The process-wide service (one embedder, one index), created on first use, watching YAML."""
    global _service
    with _service_lock:
        if _service is None:
            _service = KnowledgeService(watch=True)
        return _service
