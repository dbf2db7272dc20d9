"""feedback and unanswered tables, as web/store.py created them by hand before migrations.

A database made by that older code already has them: web/migrate.py stamps it at this
revision instead of creating them again.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Text),
        sa.Column("helpful", sa.Integer, nullable=False),
        sa.Column("query", sa.Text),
        sa.Column("day", sa.Text, nullable=False),
        sa.CheckConstraint("helpful IN (0, 1)", name="feedback_helpful"),
    )
    op.create_index("feedback_article", "feedback", ["article_id"])
    op.create_table(
        "unanswered",
        sa.Column("query", sa.Text, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_day", sa.Text, nullable=False),
        sa.Column("last_day", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("unanswered")
    op.drop_index("feedback_article", table_name="feedback")
    op.drop_table("feedback")
