"""The web app under bad input and outages: clear 4xx errors, no 500s, crisis lines whenever it
cannot give a real answer, fast answers for many citizens while Rasa hangs, one message per
conversation at a time, a clean restart of a form after an outage, retention and deletion."""
from __future__ import annotations

import concurrent.futures
import sqlite3
import time
from datetime import date, timedelta

from web import messages
from web.rasa import STOP_FORM, CircuitBreaker
from web.retention import Retention
from web.store import FeedbackStore

from .conftest import chat

LIVSLINIEN_TEL = "tel:+4570201201"


def _links(body: dict) -> list[str]:
    return [link["url"] for m in body["messages"] for link in m["links"]]


# -- bad input: a clear 4xx JSON error, never a 500 ------------------------------------------

def test_json_nested_thousands_deep_is_a_400(client):
    deep = "[" * 5000 + "]" * 5000
    for path in ("/api/chat", "/api/feedback"):
        body = '{"sender": "s-1", "message": ' + deep + "}"
        r = client.post(path, data=body, content_type="application/json")
        assert r.status_code == 400, path
        assert r.get_json()["error"] == messages.ERR_JSON


def test_a_lone_surrogate_is_a_400_not_a_database_error(client):
    r = client.post("/api/chat", data='{"sender": "s-1", "message": "hej \\ud800"}',
                    content_type="application/json")
    assert r.status_code == 400
    assert r.get_json() == {"error": messages.ERR_CONTROL, "field": "message"}
    r = client.post("/api/feedback", data='{"helpful": false, "query": "\\udfff"}',
                    content_type="application/json")
    assert r.status_code == 400


def test_search_k_must_be_plain_digits(client):
    for k in ("²", "١", "３", "-1", "1e3"):
        r = client.get("/api/search", query_string={"q": "klage", "k": k})
        assert r.status_code == 400, k
        assert r.get_json()["field"] == "k"


def test_healthz_says_up_or_down_without_internal_addresses(make_app, refused_url):
    body = make_app(RASA_URL=refused_url).test_client().get("/healthz").get_json()
    assert body["rasa"] == {"reachable": False}
    assert "127.0.0.1" not in str(body) and "http" not in str(body)


def test_stats_is_rate_limited_before_the_token_is_checked(make_app):
    client = make_app(RATE_LIMIT="5/minute").test_client()
    codes = [client.get("/api/stats", headers={"Authorization": f"Bearer guess-{i}"}).status_code
             for i in range(8)]
    assert codes[:5] == [403] * 5
    assert codes[5:] == [429] * 3


# -- no real answer: the crisis lines, always ---------------------------------------------------

def test_an_empty_rasa_answer_lists_the_crisis_lines(client):
    body = chat(client, "tomt svar").get_json()
    assert body["messages"][0]["text"] == messages.EMPTY_ANSWER
    assert LIVSLINIEN_TEL in _links(body)


def test_fifty_citizens_during_a_hang_all_get_crisis_lines_within_3_seconds(make_app, slow_rasa):
    app = make_app(RASA_URL=slow_rasa.url, RASA_TIMEOUT=2.5)

    def one(i: int) -> tuple[float, dict]:
        started = time.monotonic()
        r = app.test_client().post("/api/chat", json={"sender": f"c-{i}", "message": "hej"})
        return time.monotonic() - started, r.get_json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    slowest = max(t for t, _ in results)
    assert slowest < 3.0, slowest
    for _, body in results:
        assert LIVSLINIEN_TEL in _links(body)


def test_the_breaker_opens_after_failures_and_lets_one_call_try_again():
    breaker = CircuitBreaker(failures=2, cool_down=0.2)
    assert breaker.allow()
    breaker.record(False)
    breaker.record(False)
    assert not breaker.allow()               # open: fail at once
    time.sleep(0.25)
    assert breaker.allow()                   # half-open: one call finds out
    assert not breaker.allow()               # ... and only one
    breaker.record(True)
    assert breaker.allow() and not breaker.open


def test_one_message_per_conversation_at_a_time(make_app, slow_rasa):
    app = make_app(RASA_URL=slow_rasa.url, RASA_TIMEOUT=1.0)

    def one(_):
        return app.test_client().post("/api/chat", json={"sender": "same", "message": "hej"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        codes = sorted(r.status_code for r in pool.map(one, range(5)))
    assert codes.count(200) == 1 and codes.count(429) == 4


def test_after_an_outage_a_waiting_form_is_stopped_before_the_next_message(make_app, fake_rasa):
    app = make_app()
    client = app.test_client()
    chat(client, "server fejl", sender="form-1")            # Rasa fails: the fallback
    before = len(fake_rasa.requests)
    chat(client, "hvordan klager jeg", sender="form-1")
    sent = [r["message"] for r in fake_rasa.requests[before:] if r["sender"] == "form-1"]
    assert sent == [STOP_FORM, "hvordan klager jeg"]
    before = len(fake_rasa.requests)
    chat(client, "tak", sender="form-1")                     # only once
    assert [r["message"] for r in fake_rasa.requests[before:]] == ["tak"]


# -- retention and "Slet min samtale" ----------------------------------------------------------

def _tracker(path, rows):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
               "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)")
    db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                   rows)
    db.commit()
    db.close()


def test_retention_deletes_conversations_questions_and_feedback_older_than_the_period(tmp_path):
    now = time.time()
    day = 86400
    tracker = tmp_path / "tracker.db"
    _tracker(tracker, [("old", "user", now - 40 * day, "gammel"),
                       ("old", "bot", now - 35 * day, "svar"),
                       ("mixed", "user", now - 40 * day, "start"),
                       ("mixed", "user", now - 1 * day, "i går"),
                       ("new", "user", now, "nu")])
    store = FeedbackStore(tmp_path / "feedback.db")
    store.add_feedback("klagefrist", True, None)
    store.record_turn("unknown", None, "hvor kan min hund sove")
    store.record_turn("answer", "klagefrist", None)
    old_day = date.today() - timedelta(days=31)
    store.record_turn("unknown", None, "gammelt spørgsmål", day=old_day)
    store.record_turn("answer", "klagefrist", None, day=old_day)
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO feedback (article_id, helpful, query, day) VALUES (?, 0, ?, ?)",
                   ("klagefrist", "gammel", old_day.isoformat()))
    counts = Retention(30, str(tracker), store).purge(now)
    assert counts == {"conversations": 1, "events": 2, "feedback": 1, "turns": 2}
    with sqlite3.connect(tracker) as db:
        left = sorted({row[0] for row in db.execute("SELECT sender_id FROM events")})
    assert left == ["mixed", "new"]          # a conversation goes when its last turn is old
    report = store.stats()
    assert [q["query"] for q in report["unanswered"]] == ["hvor kan min hund sove"]


def test_slet_min_samtale_deletes_the_conversation_on_the_server(make_app, tmp_path):
    tracker = tmp_path / "tracker.db"
    _tracker(tracker, [("w" + "a" * 32, "user", time.time(), "min samtale"),
                       ("w" + "b" * 32, "user", time.time(), "en andens")])
    client = make_app(RASA_TRACKER_DB=str(tracker)).test_client()
    r = client.post("/api/conversation/delete", json={"sender": "w" + "a" * 32})
    assert r.status_code == 200 and r.get_json() == {"deleted": True}
    with sqlite3.connect(tracker) as db:
        assert [row[0] for row in db.execute("SELECT sender_id FROM events")] == ["w" + "b" * 32]
    assert client.post("/api/conversation/delete", json={"sender": "../x"}).status_code == 400


def test_deleting_works_before_rasa_has_stored_anything(make_app, tmp_path):
    client = make_app(RASA_TRACKER_DB=str(tmp_path / "none-yet.db")).test_client()
    assert client.post("/api/conversation/delete", json={"sender": "w1"}).status_code == 200
