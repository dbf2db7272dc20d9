"""Through the real stack (Rasa engine, action server, web app): each turn reaches the
councils' report counts with the level the real actions sent and the widget's kommune."""
from __future__ import annotations

import sqlite3
import uuid

import pytest
import requests

from web import messages

pytestmark = pytest.mark.integration


def test_turns_are_counted_by_the_level_the_actions_send(stack):
    questions = {
        "hvor mange uger har jeg til at klage over en afgørelse": "answer",
        "hvornår skal jeg klage": "suggest",
        "hvornår kan jeg gå på folkepension": "unknown",
    }
    for text in questions:
        for _ in range(3):    # a first turn on a busy machine can miss RASA_TIMEOUT (fallback,
            sender = f"report{uuid.uuid4().hex[:8]}"          # which is not counted): ask again
            r = requests.post(f"{stack.web_url}/api/chat",
                              json={"sender": sender, "message": text, "kommune": "århus"},
                              timeout=30)
            assert r.status_code == 200, r.text
            if not any(messages.FALLBACK in m["text"] for m in r.json()["messages"]):
                break
    with sqlite3.connect(stack.log_dir / "feedback.db") as db:
        rows = db.execute("SELECT kommune, level, article_id, query FROM turns "
                          "WHERE kommune = 'Aarhus'").fetchall()
    assert sorted(rows) == sorted([
        ("Aarhus", "answer", "klagefrist", ""),            # no words kept for a sure answer
        ("Aarhus", "suggest", "", "hvornår skal jeg klage"),
        ("Aarhus", "unknown", "", "hvornår kan jeg gå på folkepension"),
    ]), stack.logs()
