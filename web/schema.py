"""The web app's own tables (feedback and the question counts of the councils' report),
declared once for every database: SQLite in the embedded default, PostgreSQL in the production profile.

The tables are created and changed only by the migrations in web/migrations (web/migrate.py
runs them); tests/web/test_migrations.py checks that the migrated database matches this file
on both, so the two never drift apart. Rasa's own table (`events`) is Rasa's: not here.
"""
from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

from knowledge.search import LEVELS

metadata = MetaData()

feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Text),
    Column("helpful", Integer, CheckConstraint("helpful IN (0, 1)", name="feedback_helpful"),
           nullable=False),
    Column("query", Text),
    # ISO day ('2026-12-01'), never a time: too little to find a person by.
    Column("day", Text, nullable=False),
    # The widget's data-kommune, only when it names a known kommune; else NULL.
    Column("kommune", Text),
)
Index("feedback_article", feedback.c.article_id)

# How many questions were asked per day, kommune, answer level and article: a count per
# combination and no row id (SQLite: WITHOUT ROWID), so not even the order in which questions
# came in is kept and two turns of one conversation cannot be linked. `query` is the redacted
# question, only when the answer was not sure; '' otherwise (part of the key, so never NULL).
turns = Table(
    "turns", metadata,
    Column("day", Text, nullable=False),
    Column("kommune", Text, nullable=False, server_default=""),
    Column("level", Text, CheckConstraint(f"level IN {LEVELS!r}", name="turns_level"),
           nullable=False),
    Column("article_id", Text, nullable=False, server_default=""),
    Column("query", Text, nullable=False, server_default=""),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("day", "kommune", "level", "article_id", "query", name="turns_pkey"),
    sqlite_with_rowid=False,
)
