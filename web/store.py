"""Feedback and unanswered questions in SQLite — without personal data.

What is kept: which article, helpful yes/no, the day (not the time), and — only when the bot
had no confident answer — the question after `knowledge.redact.redact()`. Never a sender id,
an IP address or a timestamp finer than a day. That is enough for a council's unmet-need
report and too little to find a person.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from knowledge.redact import redact

EXTENSION = "rettighedsbot.store"
MAX_QUERY_CHARS = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    article_id TEXT,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    query TEXT,
    day TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_article ON feedback (article_id);
CREATE TABLE IF NOT EXISTS unanswered (
    query TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL
);
"""


def clean_query(text: str) -> str:
    """Redacted, one line, lower case: so the same question asked twice counts twice."""
    return re.sub(r"\s+", " ", redact(text)).strip().lower()[:MAX_QUERY_CHARS]


class FeedbackStore:
    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # One short connection per call: safe across waitress threads, no shared state.
        db = sqlite3.connect(self.path, timeout=5)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def add_feedback(self, article_id: str | None, helpful: bool, query: str | None) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO feedback (article_id, helpful, query, day) VALUES (?, ?, ?, ?)",
                       (article_id, int(helpful), clean_query(query) if query else None,
                        date.today().isoformat()))

    def add_unanswered(self, query: str) -> None:
        query = clean_query(query)
        if not query:
            return
        today = date.today().isoformat()
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO unanswered (query, count, first_day, last_day) VALUES (?, 1, ?, ?) "
                "ON CONFLICT (query) DO UPDATE SET count = count + 1, last_day = excluded.last_day",
                (query, today, today))

    def purge(self, before: date) -> dict:
        """Deletes feedback from before `before` and questions not asked since then."""
        day = before.isoformat()
        with closing(self._connect()) as db, db:
            feedback = db.execute("DELETE FROM feedback WHERE day < ?", (day,)).rowcount
            unanswered = db.execute("DELETE FROM unanswered WHERE last_day < ?", (day,)).rowcount
        return {"feedback": feedback, "unanswered": unanswered}

    def stats(self, limit: int = 200) -> dict:
        with closing(self._connect()) as db:
            articles = [
                {"article_id": a, "helpful_yes": yes, "helpful_no": no}
                for a, yes, no in db.execute(
                    "SELECT article_id, SUM(helpful), SUM(1 - helpful) FROM feedback "
                    "WHERE article_id IS NOT NULL GROUP BY article_id "
                    "ORDER BY SUM(1 - helpful) DESC, article_id")
            ]
            yes, no = db.execute("SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) "
                                 "FROM feedback WHERE article_id IS NULL").fetchone()
            # Questions without a confident answer, from the chat and from feedback, counted.
            unanswered = [
                {"query": q, "count": c, "last_day": d}
                for q, c, d in db.execute(
                    "SELECT query, SUM(count), MAX(last_day) FROM ("
                    "  SELECT query, count, last_day FROM unanswered"
                    "  UNION ALL SELECT query, 1, day FROM feedback WHERE query IS NOT NULL"
                    ") GROUP BY query ORDER BY SUM(count) DESC, query LIMIT ?", (limit,))
            ]
        return {"articles": articles,
                "without_article": {"helpful_yes": yes, "helpful_no": no},
                "unanswered": unanswered}
