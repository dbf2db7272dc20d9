"""No personal data in storage, whichever way it comes in: known CPR numbers, e-mails, phone
numbers, names and street addresses are sent through the web app, Rasa's REST channel and
Rasa's socket.io channel directly (as a standard widget would), the complaint form (its slots
and draft letter) and feedback; then every file the stack wrote — tracker database, feedback
database, every log — is searched for them. None may be found."""
from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.integration

# value -> how it is written in a message. Each value is unusual enough that finding it in a
# file can only mean it was stored.
SECRETS = {
    "0101851234": "mit cpr er 010185-1234",
    "1102851114": "cpr 11 02 85 1114",
    "xenia.qvist@example.dk": "skriv til xenia.qvist@example.dk",
    "41527384": "ring på 41 52 73 84",
    "Xenia": "jeg hedder Xenia Qvistgaard",
    "Qvistgaard": "jeg hedder Xenia Qvistgaard",
    "Bodil": "min sagsbehandler Bodil Krumsvig siger nej",
    "Krumsvig": "min sagsbehandler Bodil Krumsvig siger nej",
    "Ulvsbjergvej": "jeg bor på Ulvsbjergvej 17, 2. tv",
    "Snogegade 5": "adressen er Snogegade 5",
}


def _variants(value: str) -> list[bytes]:
    digits = re.sub(r"\D", "", value)
    out = {value, value.lower()}
    if digits and len(digits) >= 8:
        out.add(digits)
    return [v.encode() for v in out]


def _sio_send(stack, messages: list[str]) -> None:
    socketio = pytest.importorskip("socketio", reason="python-socketio[client] (dev extra)")
    client = socketio.Client(reconnection=False)
    session = f"priv-sio-{uuid.uuid4().hex[:8]}"
    confirmed, got = threading.Event(), threading.Event()
    client.on("session_confirm", lambda _sid: confirmed.set())
    client.on("bot_uttered", lambda _data: got.set())
    client.connect(stack.rasa_url, transports=["websocket"], socketio_path="/socket.io",
                   wait_timeout=30)
    try:
        client.emit("session_request", {"session_id": session})
        assert confirmed.wait(30)
        for text in messages:
            got.clear()
            client.emit("user_uttered", {"message": text, "session_id": session,
                                         "customData": {"note": text}})
            assert got.wait(60), text
            time.sleep(0.5)
    finally:
        client.disconnect()


def test_no_personal_data_reaches_any_file(stack):
    texts = list(dict.fromkeys(SECRETS.values()))
    web_sender = f"privweb{uuid.uuid4().hex[:8]}"
    for text in texts:
        r = requests.post(f"{stack.web_url}/api/chat",
                          json={"sender": web_sender, "message": text}, timeout=30)
        assert r.status_code == 200, r.text
    # the complaint form: what the complaint is about becomes a slot and the draft letter
    form = f"privform{uuid.uuid4().hex[:8]}"
    for text in ["jeg vil klage", "over min sagsbehandler Bodil Krumsvig på Snogegade 5",
                 "i går", "Aarhus", "/draft_letter"]:
        requests.post(f"{stack.web_url}/api/chat", json={"sender": form, "message": text},
                      timeout=30)
    rest = f"privrest{uuid.uuid4().hex[:8]}"
    for text in texts:
        r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                          json={"sender": rest, "message": text,
                                "metadata": {"kommune": "Aarhus", "note": text}}, timeout=60)
        assert r.status_code == 200, r.text
    for text in ["jeg vil klage", "over Xenia Qvistgaard på Ulvsbjergvej 17", "i går", "Odense"]:
        requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                      json={"sender": rest + "f", "message": text}, timeout=60)
    _sio_send(stack, texts)
    for text in texts:
        requests.post(f"{stack.web_url}/api/feedback",
                      json={"article_id": None, "helpful": False, "query": text}, timeout=30)
    time.sleep(2)                          # let the logs and the tracker flush

    files = [p for p in stack.log_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("tracker.db") for p in files)
    assert any(p.name.startswith("feedback.db") for p in files)
    found = []
    for path in files:
        data = path.read_bytes()
        for value in SECRETS:
            for variant in _variants(value):
                if variant in data:
                    found.append((path.name, value))
    assert found == [], found
    # the check can see what was stored: the redacted tokens are there
    tracker = b"".join(p.read_bytes() for p in files if p.name.startswith("tracker.db"))
    for token in (b"[CPR-nummer]", b"[navn]", b"[adresse]", b"[telefonnummer]", b"[e-mail]"):
        assert token in tracker, token
