"""Feedback is stored without personal data; /api/stats needs the token."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from web import messages

AUTH = {"Authorization": "Bearer test-token"}


def rows(app) -> list[tuple]:
    db = sqlite3.connect(app.config["FEEDBACK_DB"])
    try:
        return db.execute("SELECT article_id, helpful, query, day FROM feedback ORDER BY id").fetchall()
    finally:
        db.close()


def test_feedback_is_stored_in_sqlite_in_a_new_folder(app, client, tmp_path):
    assert (tmp_path / "var" / "feedback.db").exists()       # the folder was created
    r = client.post("/api/feedback", json={"article_id": "klagefrist", "helpful": True})
    assert r.status_code == 201 and r.get_json() == {"status": "ok"}
    [(article_id, helpful, query, day)] = rows(app)
    assert (article_id, helpful, query) == ("klagefrist", 1, None)
    assert len(day) == 10                                      # a day, not a time


def test_query_is_kept_only_when_the_answer_was_not_confident(app, client, real_service,
                                                               monkeypatch):
    # Confident answer: the question is not kept, even if the citizen says "no".
    client.post("/api/feedback", json={"article_id": "klagefrist", "helpful": False,
                                       "query": "hvor mange uger har jeg til at klage over en afgørelse, cpr 010203-1234"})
    # No article (nothing confident to show): kept, redacted.
    client.post("/api/feedback", json={"article_id": None, "helpful": False,
                                       "query": "Hvor får jeg en hund? a@b.dk"})
    # The search is not confident about this one: kept.
    monkeypatch.setattr(real_service._snapshot.searcher, "threshold", 0.999)
    client.post("/api/feedback", json={"article_id": "hjemloeshed", "helpful": False,
                                       "query": "hvor kan min hund sove"})
    assert [(a, q) for a, _, q, _ in rows(app)] == [
        ("klagefrist", None),
        (None, "hvor får jeg en hund? [e-mail]"),
        ("hjemloeshed", "hvor kan min hund sove"),
    ]


def test_nothing_personal_is_stored(app, client):
    client.post("/api/feedback", json={"article_id": None, "helpful": False,
                                       "query": "jeg hedder Xenia, cpr 0102031234, tlf 12345678"},
                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    db_path = Path(app.config["FEEDBACK_DB"])
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))  # + WAL
    assert b"hedder [navn]" in raw                     # the check below can see the data
    for secret in (b"Xenia", b"xenia", b"0102031234", b"12345678", b"10.1.2.3"):
        assert secret not in raw
    db = sqlite3.connect(app.config["FEEDBACK_DB"])
    columns = {row[1] for table in ("feedback", "turns")
               for row in db.execute(f"PRAGMA table_info({table})")}
    db.close()
    assert not columns & {"sender", "ip", "sender_id", "created_at", "time"}


@pytest.mark.parametrize("body, field, error", [
    ({"article_id": "klagefrist"}, "helpful", messages.ERR_MISSING),
    ({"article_id": "klagefrist", "helpful": "ja"}, "helpful", messages.ERR_TYPE_BOOL),
    ({"article_id": "klagefrist", "helpful": 1}, "helpful", messages.ERR_TYPE_BOOL),
    ({"article_id": "findes-ikke", "helpful": True}, "article_id", messages.ERR_ARTICLE),
    ({"article_id": "../x", "helpful": True}, "article_id", messages.ERR_ARTICLE),
    ({"article_id": 5, "helpful": True}, "article_id", messages.ERR_TYPE_STR),
    ({"article_id": None, "helpful": True, "query": "x" * 1001}, "query",
     messages.ERR_TOO_LONG.format(limit=1000)),
    ({"article_id": None, "helpful": True, "query": "a\x07"}, "query", messages.ERR_CONTROL),
])
def test_bad_feedback_is_rejected(app, client, body, field, error):
    r = client.post("/api/feedback", json=body)
    assert r.status_code == 400
    assert r.get_json() == {"error": error, "field": field}
    assert rows(app) == []


def test_feedback_needs_json(client):
    assert client.post("/api/feedback", data="helpful=1").status_code == 415
    assert client.post("/api/feedback", data="nej", content_type="application/json").status_code == 400


def test_feedback_is_rate_limited(make_app):
    client = make_app(RATE_LIMIT="2/minute").test_client()
    codes = [client.post("/api/feedback", json={"article_id": None, "helpful": True}).status_code
             for _ in range(3)]
    assert codes == [201, 201, 429]


# -- /api/stats ---------------------------------------------------------------------------------

def test_stats_counts_per_article_and_unanswered_questions(client):
    for helpful in (True, True, False):
        client.post("/api/feedback", json={"article_id": "klagefrist", "helpful": helpful})
    client.post("/api/feedback", json={"article_id": None, "helpful": False,
                                       "query": "må jeg have en hund"})
    client.post("/api/chat", json={"sender": "s1", "message": "må jeg have en hund"})
    client.post("/api/chat", json={"sender": "s1", "message": "hvad med vejret"})
    r = client.get("/api/stats", headers=AUTH)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    assert body["articles"] == [{"article_id": "klagefrist", "helpful_yes": 2, "helpful_no": 1,
                                 "title": "Hvor lang tid har jeg til at klage?"}]
    assert body["without_article"] == {"helpful_yes": 0, "helpful_no": 1}
    assert [(u["query"], u["count"]) for u in body["unanswered"]] == [
        ("må jeg have en hund", 2), ("hvad med vejret", 1)]


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"Authorization": "test-token"}, 401),
    ({"Authorization": "Basic dGVzdDp0ZXN0"}, 401),
    ({"Authorization": "Bearer "}, 401),
    ({"Authorization": "Bearer wrong"}, 403),
    ({"Authorization": "Bearer test-token-and-more"}, 403),
])
def test_stats_needs_the_right_token(client, headers, status):
    r = client.get("/api/stats", headers=headers)
    assert r.status_code == status
    assert "error" in r.get_json()
    if status == 401:
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_stats_is_off_without_a_configured_token(make_app):
    client = make_app(STATS_TOKEN=None).test_client()
    assert client.get("/api/stats", headers=AUTH).status_code == 404
