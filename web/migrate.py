"""Brings the web app's tables (web/schema.py) up to date with Alembic, in SQLite or
PostgreSQL. The web app does it when it starts; operators can run it ahead of a deploy:

    .venv/bin/python -m web.migrate                      # DATABASE_URL, else FEEDBACK_DB
    .venv/bin/python -m web.migrate postgresql://rettighedsbot@db/rettighedsbot

Several web processes may start at once against one PostgreSQL database: a transaction-level
advisory lock lets one migrate while the others wait and then find nothing to do.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from .db import make_db_engine, redacted

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revision a database has when web/store.py's hand-written tables made it (before Alembic).
BASELINE = "0001"
_LOCK_KEY = 19_0001                # pg_advisory_xact_lock: any constant of our own


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def upgrade(engine: Engine) -> str:
    """Migrates to the newest revision and returns it. Cheap when already there."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head():
            return current
        config = _config()
        config.attributes["connection"] = connection
        if current is None and inspect(connection).has_table("feedback"):
            command.stamp(config, BASELINE)      # made by the code before migrations
        command.upgrade(config, "head")
    return head()


def main(argv: list[str] | None = None) -> int:
    from .config import from_env

    args = sys.argv[1:] if argv is None else argv
    settings = from_env()
    target = args[0] if args else (settings["DATABASE_URL"] or settings["FEEDBACK_DB"])
    revision = upgrade(make_db_engine(target))
    print(f"{redacted(target)}: at revision {revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
