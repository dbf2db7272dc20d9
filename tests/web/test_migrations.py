"""The feedback tables come from the migrations and match web/schema.py (no drift between
SQLite and PostgreSQL: tests/integration/test_production.py runs the same check there); a
database made by the code before migrations — before or after the councils' report — keeps
its rows."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from web.db import make_db_engine
from web.migrate import _config, head, upgrade
from web.ratelimit import RedisTokenBucketLimiter
from web.schema import metadata
from web.store import FeedbackStore

# The tables as web/store.py made them by hand until Alembic.
LEGACY = """
CREATE TABLE feedback (id INTEGER PRIMARY KEY, article_id TEXT,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)), query TEXT, day TEXT NOT NULL);
CREATE INDEX feedback_article ON feedback (article_id);
CREATE TABLE unanswered (query TEXT PRIMARY KEY, count INTEGER NOT NULL,
    first_day TEXT NOT NULL, last_day TEXT NOT NULL);
INSERT INTO feedback (article_id, helpful, query, day) VALUES ('klagefrist', 1, NULL, '2026-11-30');
INSERT INTO unanswered VALUES ('hvor kan min hund sove', 3, '2026-11-01', '2026-11-30');
"""

# The tables as web/store.py made them by hand with the councils' report (main before Alembic).
LEGACY_REPORT = """
CREATE TABLE feedback (id INTEGER PRIMARY KEY, article_id TEXT,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)), query TEXT, day TEXT NOT NULL,
    kommune TEXT);
CREATE INDEX feedback_article ON feedback (article_id);
CREATE TABLE turns (day TEXT NOT NULL, kommune TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL CHECK (level IN ('answer', 'suggest', 'unknown')),
    article_id TEXT NOT NULL DEFAULT '', query TEXT NOT NULL DEFAULT '', count INTEGER NOT NULL,
    PRIMARY KEY (day, kommune, level, article_id, query)) WITHOUT ROWID;
INSERT INTO feedback (article_id, helpful, query, day, kommune)
    VALUES ('klagefrist', 0, NULL, '2026-11-30', 'Odense');
INSERT INTO turns VALUES ('2026-11-30', 'Odense', 'unknown', '', 'hvor kan min hund sove', 2);
"""


def schema_drift(engine) -> list:
    """What differs between the migrated database and web/schema.py (empty: nothing)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": lambda obj, name, type_, *_: (
                type_ != "table" or name in metadata.tables)})
        return compare_metadata(context, metadata)


def test_a_new_sqlite_database_is_migrated_to_exactly_the_schema(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.db")
    assert schema_drift(store.engine) == []
    with store.engine.connect() as db:
        assert MigrationContext.configure(db).get_current_revision() == head()
    tables = set(inspect(store.engine).get_table_names())
    assert {"feedback", "turns", "alembic_version"} <= tables
    assert "unanswered" not in tables


def test_a_database_from_before_migrations_is_stamped_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY)
    store = FeedbackStore(path)
    report = store.stats()
    assert report["articles"] == [{"article_id": "klagefrist", "helpful_yes": 1, "helpful_no": 0}]
    assert report["unanswered"][0]["count"] == 3
    # The one difference SQLite's own quirk leaves: a primary key declared without NOT NULL
    # reads back as nullable (the code never writes NULL there). Nothing else differs.
    drift = [d for d in schema_drift(store.engine)
             if not (isinstance(d, list) and d[0][0] == "modify_nullable"
                     and d[0][3] in ("id", "query"))]
    assert drift == []
    # The old table's rows are `unknown` counts on the day last asked; the table is gone.
    assert store.usage().unmet == [("hvor kan min hund sove", "unknown", 3)]
    assert store.usage().days[0][0].isoformat() == "2026-11-30"
    assert "unanswered" not in inspect(store.engine).get_table_names()
    store.record_turn("unknown", None, "Hvor kan min hund sove", day=date(2026, 11, 30))
    assert store.stats()["unanswered"][0]["count"] == 4


def test_a_database_made_by_the_report_code_before_migrations_is_migrated(tmp_path):
    """Main's hand-written schema already had turns and feedback.kommune: 0002 keeps them."""
    path = tmp_path / "report.db"
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY_REPORT)
    store = FeedbackStore(path)
    with store.engine.connect() as db:
        assert MigrationContext.configure(db).get_current_revision() == head()
    usage = store.usage(kommune="Odense")
    assert usage.unmet == [("hvor kan min hund sove", "unknown", 2)]
    assert usage.feedback == [("klagefrist", 0, 1)]
    assert usage.kommuner == ["Odense"]


def test_0002_downgrades_to_the_unanswered_table_and_up_again(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    store.record_turn("unknown", None, "må jeg have en hund", day=date(2026, 11, 1))
    store.record_turn("suggest", None, "må jeg have en hund", day=date(2026, 11, 3))
    store.record_turn("answer", "klagefrist", "ikke gemt", day=date(2026, 11, 3))
    config = _config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    with store.engine.connect() as db:
        assert db.exec_driver_sql("SELECT * FROM unanswered").fetchall() == [
            ("må jeg have en hund", 2, "2026-11-01", "2026-11-03")]
    assert upgrade(store.engine) == head()
    assert store.usage().unmet == [("må jeg have en hund", "unknown", 2)]


def test_a_turn_asked_twice_is_one_row_with_count_two(tmp_path):
    """The upsert names its conflict target, as PostgreSQL needs (test_production runs it
    there too); a sure answer keeps no words."""
    store = FeedbackStore(tmp_path / "f.db")
    for _ in range(2):
        store.record_turn("answer", "klagefrist", "Hvornår skal jeg klage?", "Odense")
    store.record_turn("unknown", None, "Hvor kan min hund sove", "Odense")
    with store.engine.connect() as db:
        assert db.exec_driver_sql(
            "SELECT level, article_id, query, count FROM turns ORDER BY level").fetchall() == [
            ("answer", "klagefrist", "", 2), ("unknown", "", "hvor kan min hund sove", 1)]
    with pytest.raises(ValueError):
        store.record_turn("maybe", None, "x")
    assert store.purge(date(2100, 1, 1)) == {"feedback": 0, "turns": 2}


def test_migrating_twice_does_nothing_the_second_time(tmp_path):
    engine = make_db_engine(tmp_path / "f.db")
    assert upgrade(engine) == upgrade(engine) == head()


def test_helpful_is_still_checked_by_the_database(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    with pytest.raises(Exception, match="CHECK|check"), store.engine.begin() as db:
        db.exec_driver_sql("INSERT INTO feedback (helpful, day) VALUES (2, '2026-12-01')")


def test_the_redis_rate_limit_falls_back_to_this_process_when_redis_is_away():
    """No Redis at that port: the limit still holds, per process, and nothing raises."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    limiter = RedisTokenBucketLimiter(client, 3, 60.0)
    assert [limiter.hit("ip:1") == 0 for _ in range(4)] == [True, True, True, False]
