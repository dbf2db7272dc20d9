"""Feedback and unanswered questions — without personal data — in SQLite (the embedded
default, FEEDBACK_DB) or PostgreSQL (DATABASE_URL, the production profile).

What is kept: which article, helpful yes/no, the day (not the time), and — only when the bot
had no confident answer — the question after `knowledge.redact.redact()`. Never a sender id,
an IP address or a timestamp finer than a day. That is enough for a council's unmet-need
report and too little to find a person.

The tables are declared in web/schema.py and made by the migrations (web/migrate.py), the
same for both databases. Every web process writes through its own connection pool, so several
of them (and several hosts) can share one PostgreSQL database.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import text

from knowledge.redact import redact

from .db import is_url, make_db_engine
from .migrate import upgrade

EXTENSION = "rettighedsbot.store"
MAX_QUERY_CHARS = 500


def clean_query(text: str) -> str:
    """Redacted, one line, lower case: so the same question asked twice counts twice."""
    return re.sub(r"\s+", " ", redact(text)).strip().lower()[:MAX_QUERY_CHARS]


# Portable SQL (SQLite >= 3.24 and PostgreSQL): the upsert names the table in its SET, which
# PostgreSQL needs to tell the stored row from `excluded`.
_ADD_UNANSWERED = text(
    "INSERT INTO unanswered (query, count, first_day, last_day) VALUES (:q, 1, :d, :d) "
    "ON CONFLICT (query) DO UPDATE SET count = unanswered.count + 1, "
    "last_day = excluded.last_day")


class FeedbackStore:
    def __init__(self, path: str | Path):
        """`path`: an SQLite file (or ':memory:') or an SQLAlchemy URL."""
        self.path = str(path)
        self.engine = make_db_engine(path)
        self.dialect = self.engine.dialect.name
        upgrade(self.engine)
        self.url = self.path if is_url(self.path) else None

    def add_feedback(self, article_id: str | None, helpful: bool, query: str | None) -> None:
        with self.engine.begin() as db:
            db.execute(text("INSERT INTO feedback (article_id, helpful, query, day) "
                            "VALUES (:a, :h, :q, :d)"),
                       {"a": article_id, "h": int(helpful),
                        "q": clean_query(query) if query else None,
                        "d": date.today().isoformat()})

    def add_unanswered(self, query: str) -> None:
        query = clean_query(query)
        if not query:
            return
        with self.engine.begin() as db:
            db.execute(_ADD_UNANSWERED, {"q": query, "d": date.today().isoformat()})

    def purge(self, before: date) -> dict:
        """Deletes feedback from before `before` and questions not asked since then."""
        day = {"d": before.isoformat()}
        with self.engine.begin() as db:
            feedback = db.execute(text("DELETE FROM feedback WHERE day < :d"), day).rowcount
            unanswered = db.execute(text("DELETE FROM unanswered WHERE last_day < :d"),
                                    day).rowcount
        return {"feedback": feedback, "unanswered": unanswered}

    def stats(self, limit: int = 200) -> dict:
        with self.engine.connect() as db:
            articles = [
                {"article_id": a, "helpful_yes": int(yes), "helpful_no": int(no)}
                for a, yes, no in db.execute(text(
                    "SELECT article_id, SUM(helpful), SUM(1 - helpful) FROM feedback "
                    "WHERE article_id IS NOT NULL GROUP BY article_id "
                    "ORDER BY SUM(1 - helpful) DESC, article_id"))
            ]
            yes, no = db.execute(text(
                "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) "
                "FROM feedback WHERE article_id IS NULL")).one()
            # Questions without a confident answer, from the chat and from feedback, counted.
            unanswered = [
                {"query": q, "count": int(c), "last_day": d}
                for q, c, d in db.execute(text(
                    "SELECT query, SUM(count), MAX(last_day) FROM ("
                    "  SELECT query, count, last_day FROM unanswered"
                    "  UNION ALL SELECT query, 1, day FROM feedback WHERE query IS NOT NULL"
                    ") AS asked GROUP BY query ORDER BY SUM(count) DESC, query LIMIT :n"),
                    {"n": limit})
            ]
        return {"articles": articles,
                "without_article": {"helpful_yes": int(yes), "helpful_no": int(no)},
                "unanswered": unanswered}

    def close(self) -> None:
        self.engine.dispose()
