"""One SQLAlchemy engine for a database given as a file path (SQLite, the embedded default)
or as a URL (`postgresql://user:password@host:5432/rettighedsbot`, the production profile).

Why SQLAlchemy: the same queries and the same migrated schema run on both, and Rasa's SQL
tracker store takes the very same URL, so an operator sets one DATABASE_URL for everything.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool


def is_url(target: str | Path | None) -> bool:
    return target is not None and "://" in str(target)


def to_url(target: str | Path) -> URL:
    """A path or ':memory:' -> an SQLite URL; a URL as given ('postgres://' is accepted as
    the 'postgresql://' SQLAlchemy and Rasa expect)."""
    text = str(target)
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://"):]
    if is_url(text):
        return make_url(text)
    if text == ":memory:":
        return make_url("sqlite://")
    return make_url(f"sqlite:///{Path(text).resolve()}")


def make_db_engine(target: str | Path, wal: bool = True) -> Engine:
    """`wal`: switch an SQLite file to write-ahead logging (our own file; not Rasa's)."""
    url = to_url(target)
    if url.get_backend_name() != "sqlite":
        # Connections die with a database restart or failover: test each before use.
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    if url.database in (None, "", ":memory:"):
        # One shared connection, or every call would see a new, empty database.
        return create_engine(url, poolclass=StaticPool,
                             connect_args={"check_same_thread": False})
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})
    if not wal:
        return engine

    @event.listens_for(engine, "connect")
    def _wal(dbapi_connection, _record) -> None:
        # Readers do not block the writer (retention, stats and chat turns at once).
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    return engine


def redacted(url: str | Path) -> str:
    """For logs: never a password."""
    return to_url(url).render_as_string(hide_password=True)
