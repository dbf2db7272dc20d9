"""Feedback and question counts — without personal data — in SQLite (the embedded default,
FEEDBACK_DB) or PostgreSQL (DATABASE_URL, the production profile). All reads and writes of the
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
from knowledge.report import Usage
from knowledge.search import ANSWER, LEVELS

from .db import is_url, make_db_engine
from .migrate import upgrade

EXTENSION = "rettighedsbot.store"
MAX_QUERY_CHARS = 500


def clean_query(text: str) -> str:
    """Redacted, one line, lower case: so the same question asked twice counts twice."""
    return re.sub(r"\s+", " ", redact(text)).strip().lower()[:MAX_QUERY_CHARS]


# Portable SQL (SQLite >= 3.24 and PostgreSQL): the upsert names its conflict target and the
# table in its SET, which PostgreSQL needs to tell the stored row from `excluded`.
_RECORD_TURN = text(
    "INSERT INTO turns (day, kommune, level, article_id, query, count) "
    "VALUES (:d, :k, :l, :a, :q, 1) "
    "ON CONFLICT (day, kommune, level, article_id, query) "
    "DO UPDATE SET count = turns.count + 1")


class FeedbackStore:
    def __init__(self, path: str | Path):
        """`path`: an SQLite file (or ':memory:') or an SQLAlchemy URL."""
        self.path = str(path)
        self.engine = make_db_engine(path)
        self.dialect = self.engine.dialect.name
        upgrade(self.engine)
        self.url = self.path if is_url(self.path) else None

    # -- writing -------------------------------------------------------------------------------

    def add_feedback(self, article_id: str | None, helpful: bool, query: str | None,
                     kommune: str | None = None) -> None:
        with self.engine.begin() as db:
            db.execute(text("INSERT INTO feedback (article_id, helpful, query, day, kommune) "
                            "VALUES (:a, :h, :q, :d, :k)"),
                       {"a": article_id, "h": int(helpful),
                        "q": clean_query(query) if query else None,
                        "d": date.today().isoformat(), "k": kommune})

    def record_turn(self, level: str, article_id: str | None = None, query: str | None = None,
                    kommune: str | None = None, day: date | None = None) -> None:
        """One question the bot answered at `level`. The question's words are kept only when
        the answer was not sure (they are what the council should write about next)."""
        if level not in LEVELS:
            raise ValueError(f"unknown answer level: {level!r}")
        words = clean_query(query) if query and level != ANSWER else ""
        with self.engine.begin() as db:
            db.execute(_RECORD_TURN, {"d": (day or date.today()).isoformat(),
                                      "k": kommune or "", "l": level,
                                      "a": article_id or "", "q": words})

    def purge(self, before: date) -> dict:
        """Deletes feedback and question counts from before `before`."""
        day = {"d": before.isoformat()}
        with self.engine.begin() as db:
            feedback = db.execute(text("DELETE FROM feedback WHERE day < :d"), day).rowcount
            turns = db.execute(text("DELETE FROM turns WHERE day < :d"), day).rowcount
        return {"feedback": feedback, "turns": turns}

    # -- reading -------------------------------------------------------------------------------

    def stats(self, limit: int = 200) -> dict:
        """/api/stats: feedback per article and the questions without a confident answer."""
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
                    "SELECT query, SUM(count), MAX(day) FROM ("
                    "  SELECT query, count, day FROM turns WHERE query != ''"
                    "  UNION ALL SELECT query, 1, day FROM feedback WHERE query IS NOT NULL"
                    ") AS asked GROUP BY query ORDER BY SUM(count) DESC, query LIMIT :n"),
                    {"n": limit})
            ]
        return {"articles": articles,
                "without_article": {"helpful_yes": int(yes), "helpful_no": int(no)},
                "unanswered": unanswered}

    def usage(self, since: date | None = None, until: date | None = None,
              kommune: str | None = None) -> Usage:
        """Everything the councils' report counts, for days since..until (both included) and
        one kommune (None: all). Only counts and redacted questions leave this method."""
        where, args = ["1 = 1"], {"answer": ANSWER}
        if since:
            where.append("day >= :since")
            args["since"] = since.isoformat()
        if until:
            where.append("day <= :until")
            args["until"] = until.isoformat()
        if kommune:
            where.append("kommune = :kommune")
            args["kommune"] = kommune
        cond = " AND ".join(where)        # only the fixed fragments above: values are bound
        with self.engine.connect() as db:
            days = [(date.fromisoformat(d), level, int(n)) for d, level, n in db.execute(text(
                f"SELECT day, level, SUM(count) FROM turns WHERE {cond} "
                "GROUP BY day, level ORDER BY day, level"), args)]
            answers = [(a, int(n)) for a, n in db.execute(text(
                f"SELECT article_id, SUM(count) FROM turns WHERE {cond} AND level = :answer "
                "AND article_id != '' GROUP BY article_id "
                "ORDER BY SUM(count) DESC, article_id"), args)]
            feedback = [(a, int(yes), int(no)) for a, yes, no in db.execute(text(
                f"SELECT article_id, SUM(helpful), SUM(1 - helpful) FROM feedback "
                f"WHERE {cond} GROUP BY article_id "
                "ORDER BY SUM(1 - helpful) DESC, article_id"), args)]
            unmet = [(q, level, int(n)) for q, level, n in db.execute(text(
                f"SELECT query, level, SUM(count) FROM turns WHERE {cond} AND query != '' "
                "GROUP BY query, level ORDER BY SUM(count) DESC, query"), args)]
            kommuner = [k for (k,) in db.execute(text(
                "SELECT DISTINCT kommune FROM turns WHERE kommune != '' UNION "
                "SELECT DISTINCT kommune FROM feedback WHERE kommune IS NOT NULL ORDER BY 1"))]
        return Usage(days=days, answers=answers, feedback=feedback, unmet=unmet,
                     kommuner=kommuner)

    def close(self) -> None:
        self.engine.dispose()


def init_app(app) -> None:
    """The app's store: DATABASE_URL (production profile) or the FEEDBACK_DB SQLite file."""
    app.extensions[EXTENSION] = FeedbackStore(app.config.get("DATABASE_URL")
                                              or app.config["FEEDBACK_DB"])
