"""Multi-turn conversations as citizens have them (tests/data/conversations.yml), through the
real stack (web app -> Rasa -> action server -> knowledge): follow-ups keep the topic, typos
never end a chat, a crisis always gets the lines, a person in a kommune gets its own channels.

Crisis turns and honest "don't know" turns must all pass; of the rest at least 90%."""
from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from knowledge.loader import load_or_raise

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data" / "conversations.yml"
KB = load_or_raise()
LIVSLINIEN = KB.channels["livslinien"].tel_url
ADVICE = KB.channels["sociale-retshjaelp"].tel_url
MUST = ("crisis", "no_answer")
SHARE = 0.9


def _reply_facts(body: dict) -> dict:
    messages = body["messages"]
    links = [link["url"] for m in messages for link in m["links"]]
    titles = {b["title"] for m in messages for b in m.get("buttons", [])}
    answered = {m["article_id"] for m in messages if m.get("article_id")}
    offered = {a.id for a in KB.articles.values() if a.title in titles}
    return {"links": links, "answered": answered, "offered": offered,
            "text": "\n".join(m["text"] for m in messages)}


def _met(expect: dict, facts: dict) -> list[str]:
    """The expectations this reply does not meet (empty: all met)."""
    missed = []
    if "article" in expect:
        wanted = set(expect["article"])
        if not (wanted & facts["answered"] or wanted & facts["offered"]):
            missed.append(f"article {sorted(wanted)}: answered {sorted(facts['answered'])}, "
                          f"offered {sorted(facts['offered'])}")
    if expect.get("crisis") and LIVSLINIEN not in facts["links"]:
        missed.append("crisis lines")
    if expect.get("not_crisis_only") and not (facts["answered"] or facts["offered"]):
        missed.append("an answer or suggestions, not the crisis lines only")
    if expect.get("advice") and ADVICE not in facts["links"]:
        missed.append("free advice channels")
    if "kommune_channel" in expect:
        m = KB.municipalities[expect["kommune_channel"]]
        own = {c.url for c in m.channels if c.url} | {c.tel_url for c in m.channels if c.phone}
        own |= {m.website} if m.website else set()
        if not own & set(facts["links"]):
            missed.append(f"a channel of {m.name}")
    if expect.get("form") and KB is not None and "?" not in facts["text"]:
        missed.append("the complaint form's question")
    if expect.get("stopped") and (facts["answered"] or LIVSLINIEN in facts["links"]
                                  or "?" in facts["text"]):
        missed.append("a plain stop (no answer, no crisis lines, no next question)")
    if expect.get("no_answer") and facts["answered"]:
        missed.append(f"no confident article, got {sorted(facts['answered'])}")
    return missed


def test_the_conversations_follow_the_citizen(stack):
    conversations = yaml.safe_load(DATA.read_text(encoding="utf-8"))["conversations"]
    assert len(conversations) >= 40
    results = []                           # (must?, ok?, description)
    for conv in conversations:
        sender = f"conv{uuid.uuid4().hex[:10]}"
        for n, turn in enumerate(conv["turns"], 1):
            r = requests.post(f"{stack.web_url}/api/chat",
                              json={"sender": sender, "message": turn["say"]}, timeout=30)
            assert r.status_code == 200, r.text
            missed = _met(turn["expect"], _reply_facts(r.json()))
            must = any(k in turn["expect"] for k in MUST)
            results.append((must, not missed,
                            f"{conv['name']} #{n} {turn['say']!r}: missing {missed}"))
    failed_must = [d for must, ok, d in results if must and not ok]
    others = [(ok, d) for must, ok, d in results if not must]
    share = sum(ok for ok, _ in others) / len(others)
    detail = "\n".join(d for _, ok, d in results if not ok)
    assert not failed_must, detail
    assert share >= SHARE, f"{share:.2f} of turns as expected\n{detail}"


def test_a_follow_up_keeps_its_topic_over_socketio_and_after_a_reload(stack):
    socketio = pytest.importorskip("socketio", reason="python-socketio[client] (dev extra)")
    session = f"conv-sio-{uuid.uuid4().hex[:8]}"
    answers: list[dict] = []

    def ask(text: str) -> list[dict]:
        client = socketio.Client(reconnection=False)   # a new socket each time: a reload
        confirmed, got = threading.Event(), threading.Event()
        client.on("session_confirm", lambda _sid: confirmed.set())

        @client.on("bot_uttered")
        def on_bot(data):
            answers.append(data)
            got.set()

        client.connect(stack.rasa_url, transports=["websocket"], socketio_path="/socket.io",
                       wait_timeout=30)
        try:
            client.emit("session_request", {"session_id": session})
            assert confirmed.wait(30)
            answers.clear()
            client.emit("user_uttered", {"message": text, "session_id": session})
            assert got.wait(60), text
            while got.wait(2.0):
                got.clear()
            return list(answers)
        finally:
            client.disconnect()

    first = ask("jeg har været anbragt og fylder snart 18, kan jeg få hjælp")
    assert any((m.get("rettighedsbot") or {}).get("article_id", "").startswith("eftervaern")
               for m in first)
    time.sleep(0.5)
    then = ask("hvad hvis kommunen siger nej?")
    ids = {(m.get("rettighedsbot") or {}).get("article_id") for m in then}
    assert "eftervaern-afslag" in ids, then
