"""The knowledge service as a Flask extension (app.extensions["rettighedsbot.knowledge"]).

The service (embedder + FAISS index) takes seconds to start. The chat fallback cannot wait for
it: the crisis lines must go out at once. So besides the full service this holds a plain
KnowledgeBase read straight from the YAML (no embeddings, fast) that answers `kb()` until the
service is ready. Both come from the same channels.yml: one source.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from knowledge.models import KnowledgeBase

log = logging.getLogger("rettighedsbot.web")

EXTENSION = "rettighedsbot.knowledge"
RETRY_SECONDS = 10.0


class KnowledgeExtension:
    def __init__(self, app: Flask, service=None):
        self._service = service
        self._plain_kb: KnowledgeBase | None = None
        self._lock = threading.Lock()
        self._failed_at = 0.0
        self.error: str | None = None
        self._loader: threading.Thread | None = None
        app.extensions[EXTENSION] = self
        if app.config.get("KNOWLEDGE_WARMUP"):
            self.start_loading()

    @property
    def loaded(self):
        """The service if it is loaded already, else None — without waiting."""
        return self._service

    def start_loading(self) -> None:
        """Loads the service in a background thread (once), so no request waits for it."""
        with self._lock:
            if self._service is None and (self._loader is None or not self._loader.is_alive()):
                self._loader = threading.Thread(target=self.service, daemon=True,
                                                name="knowledge-load")
                self._loader.start()

    def service(self):
        """The KnowledgeService, loading it on first use; None if it cannot load (logged)."""
        if self._service is not None:
            return self._service
        with self._lock:
            if self._service is None and time.monotonic() - self._failed_at > RETRY_SECONDS:
                try:
                    from knowledge.service import get_service

                    self._service = get_service()
                    self.error = None
                except Exception as exc:  # serve the fallback rather than crash the app
                    self._failed_at = time.monotonic()
                    self.error = f"{type(exc).__name__}: {exc}"
                    log.exception("knowledge service failed to load")
        return self._service

    def kb(self) -> KnowledgeBase | None:
        """The articles and channels, without waiting for the search index to load."""
        if self._service is not None:
            return self._service.kb
        if self._plain_kb is None:
            try:
                from knowledge.loader import load_knowledge

                self._plain_kb = load_knowledge().kb
            except Exception:
                log.exception("knowledge YAML could not be read")
        return self._plain_kb


def knowledge() -> KnowledgeExtension:
    return current_app.extensions[EXTENSION]
