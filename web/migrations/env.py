"""Alembic's entry point. web/migrate.py passes an open connection (and holds the lock that
keeps several web processes from migrating at once); no alembic.ini, no logging set-up here
(the web app's own logging stays as it is)."""
from __future__ import annotations

from alembic import context

from web.schema import metadata


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    """Only our tables: Rasa's tracker table may live in the same database."""
    return type_ != "table" or name in metadata.tables


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, include_object=_ours,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()
