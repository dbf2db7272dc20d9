"""The web app in front of the real stack: real Rasa engine, real action server, real knowledge.

Uses the session fixture `stack` from tests/integration/conftest.py (it starts Rasa, the action
server and the web app under waitress). To "stop Rasa mid-conversation" without breaking the
shared stack for other tests, a second web app talks to the same Rasa through a small TCP relay
that the test cuts: to the web app that is exactly Rasa going away (refused, or hanging).
"""
from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from web import create_app, messages

pytestmark = pytest.mark.integration

LIVSLINIEN = "tel:+4570201201"


@pytest.fixture(scope="module")
def web_url(stack) -> str:
    return stack.web_url


@pytest.fixture(scope="module")
def rasa_url(stack) -> str:
    return stack.rasa_url


def ask(base: str, message: str, sender: str, **extra) -> tuple[dict, float]:
    started = time.monotonic()
    r = requests.post(f"{base}/api/chat", json={"sender": sender, "message": message, **extra},
                      timeout=10)
    elapsed = time.monotonic() - started
    assert r.status_code == 200, r.text
    return r.json(), elapsed


def test_question_is_answered_from_an_article_through_real_rasa(web_url):
    body, _ = ask(web_url, "hvor mange uger har jeg til at klage over en afgørelse", "it-web-1",
                  kommune="Aarhus")
    answer = next(m for m in body["messages"] if m.get("article_id"))
    assert answer["article_id"] in {"klagefrist", "klage-over-afgoerelse"}
    assert answer["text"]
    assert any(link["url"].endswith(f"/artikel/{answer['article_id']}") for link in answer["links"])
    for m in body["messages"]:
        assert set(m) <= {"text", "buttons", "links", "article_id"}


def test_crisis_message_gets_the_crisis_lines_first(web_url):
    body, _ = ask(web_url, "hej jeg vil ikke leve mere", "it-web-2")
    first_links = [link["url"] for m in body["messages"][:2] for link in m["links"]]
    assert LIVSLINIEN in first_links
    all_links = [link["url"] for m in body["messages"] for link in m["links"]]
    assert all_links.count(LIVSLINIEN) == 1                   # not doubled by the web's check


class Relay:
    """TCP relay 127.0.0.1:<port> -> Rasa. `cut("refuse")` closes the port; `cut("hang")`
    accepts connections and never answers (Rasa frozen, or the action server stuck)."""

    def __init__(self, target: str):
        host, port = target.split("://", 1)[1].split(":")
        self.target = (host, int(port.split("/")[0]))
        self.mode = "pass"
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.mode == "hang":
                self.held.append(client)
                continue
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self, mode: str):
        self.mode = mode
        if mode == "refuse":
            # shutdown() first: a plain close() does not wake the thread blocked in accept(),
            # and the port would keep accepting.
            self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()

    def close(self):
        for s in self.held:
            s.close()
        try:
            self.listener.close()
        except OSError:
            pass


@pytest.mark.parametrize("mode", ["refuse", "hang"])
def test_rasa_stopping_mid_conversation_still_answers_within_3_s(rasa_url, tmp_path, mode):
    relay = Relay(rasa_url)
    try:
        app = create_app({"RASA_URL": relay.url, "KNOWLEDGE_WARMUP": False,
                          "FEEDBACK_DB": str(tmp_path / "feedback.db")})
        client = app.test_client()
        sender = f"it-web-stop-{mode}"
        r = client.post("/api/chat", json={"sender": sender, "message": "hvordan klager jeg"})
        assert r.status_code == 200
        assert not any(messages.FALLBACK in m["text"] for m in r.get_json()["messages"])

        relay.cut(mode)                                        # Rasa goes away mid-conversation
        for message in ("hvornår er fristen", "jeg vil ikke leve mere"):
            started = time.monotonic()
            r = client.post("/api/chat", json={"sender": sender, "message": message})
            elapsed = time.monotonic() - started
            assert r.status_code == 200
            assert elapsed < 3.0, f"{mode}: {elapsed:.2f} s"
            body = r.get_json()
            assert any(messages.FALLBACK in m["text"] for m in body["messages"])
            assert LIVSLINIEN in [link["url"] for m in body["messages"] for link in m["links"]]
        # the crisis message put the crisis lines first
        assert body["messages"][0]["links"][0]["url"] == LIVSLINIEN
    finally:
        relay.close()
