"""Feedback and question counts in SQLite — without personal data. All reads and writes of the
web app's own database go through this module (the councils' report too).

What is kept:
- `turns`: how many questions were asked per day, kommune (the widget's `data-kommune`, only
  when it names a known kommune), answer level (answer | suggest | unknown) and article;
  the question itself only when the bot had no confident answer, after
  `knowledge.redact.redact()`. A count per combination, in a table without row ids, so not
  even the order in which questions came in is stored: two turns of one conversation cannot
  be linked.
- `feedback`: which article, helpful yes/no, the day, the kommune as above, and — only when the
  bot had no confident answer — the redacted question.
Never a sender id, an IP address or a timestamp finer than a day. That is enough for a
council's report and too little to find a person.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from knowledge.redact import redact
from knowledge.report import Usage
from knowledge.search import ANSWER, LEVELS

EXTENSION = "rettighedsbot.store"
MAX_QUERY_CHARS = 500

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    article_id TEXT,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    query TEXT,
    day TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_article ON feedback (article_id);
CREATE TABLE IF NOT EXISTS turns (
    day TEXT NOT NULL,
    kommune TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL CHECK (level IN {LEVELS!r}),
    article_id TEXT NOT NULL DEFAULT '',
    query TEXT NOT NULL DEFAULT '',
    count INTEGER NOT NULL,
    PRIMARY KEY (day, kommune, level, article_id, query)
) WITHOUT ROWID;
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
            _migrate(db)

    def _connect(self) -> sqlite3.Connection:
        # One short connection per call: safe across waitress threads, no shared state.
        db = sqlite3.connect(self.path, timeout=5)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    # -- writing -------------------------------------------------------------------------------

    def add_feedback(self, article_id: str | None, helpful: bool, query: str | None,
                     kommune: str | None = None) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO feedback (article_id, helpful, query, day, kommune) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (article_id, int(helpful), clean_query(query) if query else None,
                        date.today().isoformat(), kommune))

    def record_turn(self, level: str, article_id: str | None = None, query: str | None = None,
                    kommune: str | None = None, day: date | None = None) -> None:
        """One question the bot answered at `level`. The question's words are kept only when
        the answer was not sure (they are what the council should write about next)."""
        if level not in LEVELS:
            raise ValueError(f"unknown answer level: {level!r}")
        text = clean_query(query) if query and level != ANSWER else ""
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO turns (day, kommune, level, article_id, query, count) "
                "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1",
                ((day or date.today()).isoformat(), kommune or "", level,
                 article_id or "", text))

    def purge(self, before: date) -> dict:
        """Deletes feedback and question counts from before `before`."""
        day = before.isoformat()
        with closing(self._connect()) as db, db:
            feedback = db.execute("DELETE FROM feedback WHERE day < ?", (day,)).rowcount
            turns = db.execute("DELETE FROM turns WHERE day < ?", (day,)).rowcount
        return {"feedback": feedback, "turns": turns}

    # -- reading -------------------------------------------------------------------------------

    def stats(self, limit: int = 200) -> dict:
        """/api/stats: feedback per article and the questions without a confident answer."""
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
                    "SELECT query, SUM(count), MAX(day) FROM ("
                    "  SELECT query, count, day FROM turns WHERE query != ''"
                    "  UNION ALL SELECT query, 1, day FROM feedback WHERE query IS NOT NULL"
                    ") GROUP BY query ORDER BY SUM(count) DESC, query LIMIT ?", (limit,))
            ]
        return {"articles": articles,
                "without_article": {"helpful_yes": yes, "helpful_no": no},
                "unanswered": unanswered}

    def usage(self, since: date | None = None, until: date | None = None,
              kommune: str | None = None) -> Usage:
        """Everything the councils' report counts, for days since..until (both included) and
        one kommune (None: all). Only counts and redacted questions leave this method."""
        where, args = ["1 = 1"], []
        if since:
            where.append("day >= ?")
            args.append(since.isoformat())
        if until:
            where.append("day <= ?")
            args.append(until.isoformat())
        if kommune:
            where.append("kommune = ?")
            args.append(kommune)
        cond = " AND ".join(where)
        with closing(self._connect()) as db:
            days = [(date.fromisoformat(d), level, n) for d, level, n in db.execute(
                f"SELECT day, level, SUM(count) FROM turns WHERE {cond} "
                "GROUP BY day, level ORDER BY day, level", args)]
            answers = db.execute(
                f"SELECT article_id, SUM(count) FROM turns WHERE {cond} AND level = ? "
                "AND article_id != '' GROUP BY article_id ORDER BY SUM(count) DESC, article_id",
                [*args, ANSWER]).fetchall()
            feedback = db.execute(
                f"SELECT article_id, SUM(helpful), SUM(1 - helpful) FROM feedback WHERE {cond} "
                "GROUP BY article_id ORDER BY SUM(1 - helpful) DESC, article_id", args).fetchall()
            unmet = db.execute(
                f"SELECT query, level, SUM(count) FROM turns WHERE {cond} AND query != '' "
                "GROUP BY query, level ORDER BY SUM(count) DESC, query", args).fetchall()
            kommuner = [k for (k,) in db.execute(
                "SELECT DISTINCT kommune FROM turns WHERE kommune != '' UNION "
                "SELECT DISTINCT kommune FROM feedback WHERE kommune IS NOT NULL ORDER BY 1")]
        return Usage(days=days, answers=[tuple(r) for r in answers],
                     feedback=[tuple(r) for r in feedback], unmet=[tuple(r) for r in unmet],
                     kommuner=kommuner)


def _migrate(db: sqlite3.Connection) -> None:
    """Brings a database from before the councils' report up to date, in place."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
    if "kommune" not in columns:
        db.execute("ALTER TABLE feedback ADD COLUMN kommune TEXT")
    has_old = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                         "AND name = 'unanswered'").fetchone()
    if has_old:
        # The old table kept unanswered questions only, with no level or kommune: each
        # becomes an `unknown` count on the day it was last asked.
        db.execute("INSERT INTO turns (day, kommune, level, article_id, query, count) "
                   "SELECT last_day, '', 'unknown', '', query, count FROM unanswered "
                   "WHERE query != '' ON CONFLICT DO UPDATE SET count = count + excluded.count")
        db.execute("DROP TABLE unanswered")
