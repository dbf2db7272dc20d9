"""The councils' report: a `turns` table (question counts per day, kommune, answer level and
article) replaces `unanswered`, and feedback keeps the kommune.

The old table kept unanswered questions only, with no level or kommune: each of its rows
becomes an `unknown` count on the day the question was last asked (as web/store.py's
hand-written migration on main did), and the table is dropped.

A database made by that hand-written code (main before Alembic) already has `turns` and
feedback.kommune; web/migrate.py stamps it at 0001 like any database from before migrations,
so each step here first looks at what is there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here, as a migration must not change when the code does (knowledge.search.LEVELS).
LEVELS = ("answer", "suggest", "unknown")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "kommune" not in {c["name"] for c in inspector.get_columns("feedback")}:
        op.add_column("feedback", sa.Column("kommune", sa.Text))
    if not inspector.has_table("turns"):
        op.create_table(
            "turns",
            sa.Column("day", sa.Text, nullable=False),
            sa.Column("kommune", sa.Text, nullable=False, server_default=""),
            sa.Column("level", sa.Text, nullable=False),
            sa.Column("article_id", sa.Text, nullable=False, server_default=""),
            sa.Column("query", sa.Text, nullable=False, server_default=""),
            sa.Column("count", sa.Integer, nullable=False),
            sa.CheckConstraint(f"level IN {LEVELS!r}", name="turns_level"),
            sa.PrimaryKeyConstraint("day", "kommune", "level", "article_id", "query",
                                    name="turns_pkey"),
            sqlite_with_rowid=False,
        )
    if inspector.has_table("unanswered"):
        # The WHERE also settles SQLite's parsing of INSERT ... SELECT ... ON CONFLICT.
        op.execute(
            "INSERT INTO turns (day, kommune, level, article_id, query, count) "
            "SELECT last_day, '', 'unknown', '', query, count FROM unanswered "
            "WHERE query != '' "
            "ON CONFLICT (day, kommune, level, article_id, query) "
            "DO UPDATE SET count = turns.count + excluded.count")
        op.drop_table("unanswered")


def downgrade() -> None:
    """Back to 0001: the unsure questions become `unanswered` rows again (their levels,
    kommuner and the answered counts are lost: 0001 had nowhere to keep them)."""
    op.create_table(
        "unanswered",
        sa.Column("query", sa.Text, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_day", sa.Text, nullable=False),
        sa.Column("last_day", sa.Text, nullable=False),
    )
    op.execute(
        "INSERT INTO unanswered (query, count, first_day, last_day) "
        "SELECT query, SUM(count), MIN(day), MAX(day) FROM turns "
        "WHERE query != '' GROUP BY query")
    op.drop_table("turns")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("kommune")
