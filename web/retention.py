"""What the bot stores, and for how long: conversations, question counts and feedback are
deleted after RETENTION_DAYS (default 30), and a citizen can delete their own conversation now.

Conversations live in Rasa's tracker store (Rasa's SQL store, table `events`); the web app
shares its database — the SQLite file RASA_TRACKER_DB in the embedded default (set by
scripts/stack.py), the PostgreSQL DATABASE_URL in the production profile — and deletes from
it directly: Rasa 3.6 has no delete endpoint, and its SQL store reads each conversation from the database
on every turn, so a deleted conversation is gone for Rasa too. Question counts and
feedback are in the web app's own store (web/store.py). A background thread purges once at
start and then every RETENTION_INTERVAL seconds; several web processes may all run it.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from .db import is_url, make_db_engine
from .store import EXTENSION as STORE

log = logging.getLogger("rettighedsbot.web")
EXTENSION = "rettighedsbot.retention"


class Retention:
    def __init__(self, days: int, tracker_db: str | None, store, interval: float = 3600.0):
        """`tracker_db`: Rasa's SQLite file, or the URL of its SQL tracker store."""
        self.days, self.tracker_db, self.store, self.interval = days, tracker_db, store, interval
        self._engine: Engine | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self
        if app.config.get("RETENTION_THREAD", True) and self.days > 0:
            self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)
            self._thread.start()

    def delete_conversation(self, sender: str) -> int:
        """Every event of this conversation, now. Returns how many were deleted."""
        with self._tracker() as db:
            if db is None:
                return 0
            return db.execute(text("DELETE FROM events WHERE sender_id = :s"),
                              {"s": sender}).rowcount

    def purge(self, now: float | None = None) -> dict:
        """Deletes what is older than the retention period; returns the counts."""
        now = time.time() if now is None else now
        cutoff = now - self.days * 86400
        counts = {"conversations": 0, "events": 0}
        with self._tracker() as db:
            if db is not None:
                old = [row[0] for row in db.execute(text(
                    "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :c"),
                    {"c": cutoff})]
                for sender in old:
                    counts["events"] += db.execute(text("DELETE FROM events WHERE sender_id = :s"),
                                                   {"s": sender}).rowcount
                counts["conversations"] = len(old)
        counts.update(self.store.purge(date.fromtimestamp(now) - timedelta(days=self.days)))
        return counts

    def close(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                counts = self.purge()
                if any(counts.values()):
                    log.info("retention: deleted %s (older than %d days)", counts, self.days)
            except Exception:
                log.exception("retention: purge failed")
            self._stop.wait(self.interval)

    class _NoTracker:
        def __enter__(self):
            return None

        def __exit__(self, *exc):
            return False

    def _tracker(self):
        """A short transaction on Rasa's tracker database, or None when there is none yet
        (no SQLite file, or Rasa has not made its `events` table: it does on its first start)."""
        if not self.tracker_db or not (is_url(self.tracker_db) or Path(self.tracker_db).exists()):
            return self._NoTracker()
        if self._engine is None:
            self._engine = make_db_engine(self.tracker_db, wal=False)   # Rasa's file
        return _Transaction(self._engine)


class _Transaction:
    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Connection | None:
        self.context = self.engine.begin()
        self.db = self.context.__enter__()
        if not inspect(self.db).has_table("events"):
            self.context.__exit__(None, None, None)
            self.db = None
        return self.db

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.db is not None:
            self.context.__exit__(exc_type, exc, tb)
        return False


def init_app(app: Flask) -> Retention:
    retention = Retention(app.config["RETENTION_DAYS"], app.config.get("RASA_TRACKER_DB"),
                          app.extensions[STORE], app.config["RETENTION_INTERVAL"])
    retention.init_app(app)
    return retention
