"""The web app's own tables (feedback and unanswered questions), declared once for every
database: SQLite in the embedded default, PostgreSQL in the production profile.

The tables are created and changed only by the migrations in web/migrations (web/migrate.py
runs them); tests/web/test_migrations.py checks that the migrated database matches this file
on both, so the two never drift apart. Rasa's own table (`events`) is Rasa's: not here.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Integer, MetaData, Table, Text

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
)
Index("feedback_article", feedback.c.article_id)

unanswered = Table(
    "unanswered", metadata,
    Column("query", Text, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("first_day", Text, nullable=False),
    Column("last_day", Text, nullable=False),
)
