"""POST /api/chat against a fake Rasa over real HTTP: folding, redaction, crisis, fallback,
input checks and rate limits."""
from __future__ import annotations

import time

import pytest

from web import messages

from .conftest import chat

LIVSLINIEN = {"title": "Livslinien: 70 201 201", "url": "tel:+4570201201"}


def test_answer_is_folded_with_links_buttons_and_article_id(client, fake_rasa):
    r = chat(client, "hvordan klager jeg", kommune="Aarhus")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    assert body == {"messages": [{
        "text": "Du har 4 uger til at klage. Ring 70 22 93 30 for hjælp.",
        "buttons": [{"title": "Hvordan klager jeg?", "payload": "/how_to_complain"}],
        # the javascript: link is dropped; the image message is not ours and is dropped
        "links": [{"title": "Læs mere", "url": "http://test.local/artikel/klagefrist"},
                  {"title": "Den Sociale Retshjælp: 70 22 93 30", "url": "tel:+4570229330"}],
        "article_id": "klagefrist",
    }]}
    sent = fake_rasa.requests[-1]
    assert sent == {"sender": "test-sender-1", "message": "hvordan klager jeg",
                    "metadata": {"kommune": "Aarhus"}}


def test_no_kommune_means_no_metadata(client, fake_rasa):
    chat(client, "hej")
    assert "metadata" not in fake_rasa.requests[-1]


def test_personal_data_is_redacted_before_rasa(client, fake_rasa):
    r = chat(client, "jeg vil klage, mit cpr er 010203-1234, ring 12 34 56 78 el. a@b.dk")
    assert r.status_code == 200
    assert fake_rasa.requests[-1]["message"] == (
        "jeg vil klage, mit cpr er [CPR-nummer], ring [telefonnummer] el. [e-mail]")


def test_plain_message_has_no_article_id(client):
    assert chat(client, "hej").get_json() == {
        "messages": [{"text": "Hej! Hvad vil du gerne vide?", "buttons": [], "links": []}]}


def test_crisis_lines_come_first_when_rasa_forgets_them(client, real_service):
    # knowledge.crisis.detect matches; the fake Rasa answers as if it were a complaint.
    body = chat(client, "jeg vil klage og jeg vil ikke leve mere").get_json()
    first = body["messages"][0]
    assert messages.CRISIS_FIRST in first["text"]
    assert first["links"][0] == LIVSLINIEN
    assert any(link["url"] == "tel:112" for link in first["links"])
    assert body["messages"][1]["article_id"] == "klagefrist"


def test_violence_gets_the_violence_line_first(client):
    first = chat(client, "min kæreste slår mig").get_json()["messages"][0]
    assert first["links"][0]["url"] == "tel:1888"           # Lev Uden Vold


def test_crisis_lines_are_not_doubled_when_rasa_gave_them(client):
    body = chat(client, "livslinien-svar jeg vil ikke leve mere").get_json()
    assert len(body["messages"]) == 1
    assert body["messages"][0]["links"] == [LIVSLINIEN]


def _assert_fallback(body, crisis_first: bool):
    texts = [m["text"] for m in body["messages"]]
    assert any(messages.FALLBACK in t for t in texts)
    all_links = [link for m in body["messages"] for link in m["links"]]
    assert LIVSLINIEN in all_links                                  # crisis lines
    assert any(link["title"].startswith("Den Sociale Retshjælp") for link in all_links)  # advice
    if crisis_first:
        assert messages.CRISIS_FIRST in texts[0]
        assert body["messages"][0]["links"][0] == LIVSLINIEN


def test_rasa_refusing_connections_gives_the_fallback(make_app, refused_url):
    client = make_app(RASA_URL=refused_url).test_client()
    started = time.monotonic()
    r = chat(client, "hvordan klager jeg")
    assert time.monotonic() - started < 1.0
    assert r.status_code == 200
    _assert_fallback(r.get_json(), crisis_first=False)


def test_fallback_puts_crisis_lines_first_for_a_crisis_message(make_app, refused_url):
    client = make_app(RASA_URL=refused_url).test_client()
    _assert_fallback(chat(client, "jeg vil slå mig selv ihjel").get_json(), crisis_first=True)


def test_fallback_lists_the_kommunes_own_advisers_first(make_app, refused_url, mini_service):
    client = make_app(RASA_URL=refused_url, KNOWLEDGE_SERVICE=mini_service).test_client()
    links = chat(client, "hej", kommune="Århus").get_json()["messages"][0]["links"]
    assert links == [
        {"title": "Borgerrådgiveren i Aarhus", "url": "https://aarhus.dk"},
        {"title": "Den Sociale Retshjælp: 70 22 93 30", "url": "tel:+4570229330"}]


def test_slow_rasa_answers_with_fallback_within_3_seconds(make_app, slow_rasa):
    client = make_app(RASA_URL=slow_rasa.url, RASA_TIMEOUT=2.5).test_client()
    started = time.monotonic()
    r = chat(client, "hvordan klager jeg")
    elapsed = time.monotonic() - started
    assert r.status_code == 200
    assert 2.0 < elapsed < 3.0
    _assert_fallback(r.get_json(), crisis_first=False)


@pytest.mark.parametrize("message", ["server fejl", "ikke en liste"])
def test_broken_rasa_answers_give_the_fallback(client, message):
    _assert_fallback(chat(client, message).get_json(), crisis_first=False)


def test_empty_rasa_answer_gives_a_helpful_message(client):
    body = chat(client, "tomt svar").get_json()
    assert body["messages"][0]["text"] == messages.EMPTY_ANSWER
    assert body["messages"][0]["links"]


def test_unconfident_questions_are_recorded_redacted(client, app):
    chat(client, "må jeg have en hund, ring 12345678")
    chat(client, "Må jeg have en   hund, ring 12345678")
    chat(client, "hvordan klager jeg")                       # confident: not recorded
    stats = app.extensions["rettighedsbot.store"].stats()
    assert stats["unanswered"] == [{"query": "må jeg have en hund, ring [telefonnummer]",
                                    "count": 2, "last_day": stats["unanswered"][0]["last_day"]}]


# -- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("body, status, field", [
    ({"message": "hej"}, 400, "sender"),
    ({"sender": "abc"}, 400, "message"),
    ({"sender": "abc", "message": ""}, 400, "message"),
    ({"sender": "abc", "message": "   \n "}, 400, "message"),
    ({"sender": "", "message": "hej"}, 400, "sender"),
    ({"sender": 42, "message": "hej"}, 400, "sender"),
    ({"sender": "abc", "message": ["hej"]}, 400, "message"),
    ({"sender": "abc", "message": None}, 400, "message"),
    ({"sender": "abc", "message": "x" * 1001}, 400, "message"),
    ({"sender": "abc", "message": "hej\x00"}, 400, "message"),
    ({"sender": "abc", "message": "hej\x1b[31m"}, 400, "message"),
    ({"sender": "abc", "message": "hej\u202edlrow"}, 400, "message"),
    ({"sender": "../etc/passwd", "message": "hej"}, 400, "sender"),
    ({"sender": "a b", "message": "hej"}, 400, "sender"),
    ({"sender": "x" * 65, "message": "hej"}, 400, "sender"),
    ({"sender": "abc", "message": "hej", "kommune": 7}, 400, "kommune"),
    ({"sender": "abc", "message": "hej", "kommune": "<script>"}, 400, "kommune"),
    ({"sender": "abc", "message": "hej", "kommune": "x" * 61}, 400, "kommune"),
])
def test_bad_fields_are_rejected_with_the_field_named(client, fake_rasa, body, status, field):
    before = len(fake_rasa.requests)
    r = client.post("/api/chat", json=body)
    assert r.status_code == status
    assert r.get_json()["field"] == field
    assert r.get_json()["error"]
    assert len(fake_rasa.requests) == before                  # nothing reached Rasa


def test_limits_are_inclusive(client):
    assert chat(client, "x" * 1000, sender="a" * 64).status_code == 200
    assert chat(client, "linje 1\nlinje 2\ttab").status_code == 200


def test_non_json_and_wrong_content_type(client):
    r = client.post("/api/chat", data="sender=a&message=hej",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and r.get_json() == {"error": messages.ERR_JSON_TYPE}
    r = client.post("/api/chat", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json() == {"error": messages.ERR_JSON}
    r = client.post("/api/chat", json=["sender", "message"])
    assert r.status_code == 400 and r.get_json() == {"error": messages.ERR_JSON}
    r = client.post("/api/chat", data=b"\xff\xfe", content_type="application/json")
    assert r.status_code == 400


def test_get_is_not_allowed(client):
    r = client.get("/api/chat")
    assert r.status_code == 405
    assert r.get_json() == {"error": messages.ERR_METHOD}
    assert "POST" in r.headers["Allow"]


def test_body_over_the_size_limit_is_413(client):
    r = client.post("/api/chat", data='{"sender": "a", "message": "' + "x" * 20_000 + '"}',
                    content_type="application/json")
    assert r.status_code == 413
    assert r.get_json() == {"error": messages.ERR_TOO_LARGE}


def test_rate_limit_per_client_with_retry_after(make_app, fake_rasa):
    client = make_app(RATE_LIMIT="3/minute").test_client()
    assert [chat(client, "hej", sender="s1").status_code for _ in range(3)] == [200] * 3
    r = chat(client, "hej", sender="s1")
    assert r.status_code == 429
    assert r.get_json() == {"error": messages.ERR_RATE}
    assert 1 <= int(r.headers["Retry-After"]) <= 20
    # Another conversation from the same address still has its own bucket ...
    assert chat(client, "hej", sender="s2").status_code == 200
    # ... but the per-address bucket (5 × the limit) stops a flood of fresh sender ids.
    codes = [chat(client, "hej", sender=f"new{i}").status_code for i in range(15)]
    assert 429 in codes
