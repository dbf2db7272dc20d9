"""Whole conversations with the real stack: the trained Rasa model, the action server and the
real knowledge YAML, over Rasa's REST channel and its socket.io channel.

Expected words are taken from bot/domain.yml and the knowledge YAML, expected dates from
knowledge.complaint, so these tests check the behaviour, not a copy of the wording.
"""
from __future__ import annotations

import re
import threading
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
import yaml

from knowledge.channel_links import plain
from knowledge.complaint import deadline_for
from knowledge.dates import danish_date_with_weekday as format_date_da
from knowledge.loader import load_knowledge

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((REPO / "bot" / "domain.yml").read_text(encoding="utf-8"))
KB = load_knowledge(REPO / "knowledge").kb
MARK = "rettighedsbot"


def said(response: str, **values) -> str:
    """The first line of a domain response, as the bot would say it (for comparisons)."""
    text = DOMAIN["responses"][response][0]["text"]
    return text.format(**values).split("\n")[0].strip() if values else _first_line(text)


def _first_line(text: str) -> str:
    line = text.split("\n")[0].strip()
    return line.split("{")[0].strip() if "{" in line else line


class Chat:
    """One citizen talking to Rasa's REST channel."""

    def __init__(self, stack, metadata: dict | None = None):
        self.url = f"{stack.rasa_url}/webhooks/rest/webhook"
        self.sender = f"it-{uuid.uuid4().hex[:10]}"
        self.metadata = metadata

    def say(self, text: str) -> list[dict]:
        body = {"sender": self.sender, "message": text}
        if self.metadata:
            body["metadata"] = self.metadata
        r = requests.post(self.url, json=body, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()


def texts(messages: list[dict]) -> str:
    """What the messages say, their Markdown links written as their titles."""
    return plain("\n".join(m.get("text", "") for m in messages))


def customs(messages: list[dict]) -> list[dict]:
    return [m["custom"][MARK] for m in messages if MARK in (m.get("custom") or {})]


def links(messages: list[dict]) -> list[str]:
    return [link["url"] for c in customs(messages) for link in c["links"]]


def phone(channel_id: str) -> str:
    return KB.channels[channel_id].phone


# --- crisis: the lines at once, whatever the NLU thinks -----------------------------------

@pytest.mark.parametrize("message, first_line", [
    ("jeg vil ikke leve mere", "livslinien"),
    ("jeg har tænkt på selvmord", "livslinien"),
    ("jeg vil sla mig selv ihjel", "livslinien"),
    ("hej, jeg gider ikke leve længere", "livslinien"),             # looks like a greeting
    ("kan jeg få kontanthjælp? jeg vil ikke leve mere", "livslinien"),  # looks like a question
    ("I want to kill myself", "livslinien"),
    ("min kæreste slår mig", "lev-uden-vold"),
    ("jeg bliver slået derhjemme", "lev-uden-vold"),
    ("min far slår mig", "boernetelefonen"),
])
def test_crisis_messages_get_the_crisis_lines_first(stack, message, first_line):
    messages = Chat(stack).say(message)
    first = messages[0]["text"]
    assert phone(first_line) in first, texts(messages)
    assert phone("alarm-112") in first
    crisis = customs(messages)[0]
    assert crisis["crisis"] is True
    assert crisis["links"][0]["url"] == KB.channels[first_line].tel_url
    # the lines are sent once, and nothing is answered from an article
    assert texts(messages).count(phone(first_line)) == 1
    assert not any(c.get("article_id") for c in customs(messages))


# --- rights questions, out of scope -------------------------------------------------------

def test_a_rights_question_is_answered_from_the_article_with_its_source(stack):
    chat = Chat(stack, metadata={"kommune": "Aarhus"})
    messages = chat.say("hvor mange uger har jeg til at klage over en afgørelse")
    answer = next(c for c in customs(messages) if c.get("article_id"))
    article = KB.article(answer["article_id"])
    assert answer["article_id"] in {"klagefrist", "klage-over-afgoerelse"}
    assert article.summary in texts(messages)
    assert article.url in links(messages)
    buttons = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert "/complain" in buttons and "/want_human" in buttons


def test_out_of_scope_is_declined_politely(stack):
    messages = Chat(stack).say("hvad bliver vejret i morgen")
    assert said("utter_out_of_scope") in texts(messages)
    assert not customs(messages)


# --- the complaint form -------------------------------------------------------------------

def complaint(stack, about: str, when: str, kommune: str, metadata: dict | None = None):
    chat = Chat(stack, metadata=metadata)
    asked_about = chat.say("jeg vil klage over en afgørelse")
    assert said("utter_ask_complaint_about") in texts(asked_about)
    asked_date = chat.say(about)
    assert said("utter_ask_complaint_date") in texts(asked_date)
    if kommune is None:
        return chat, chat.say(when)
    asked_kommune = chat.say(when)
    assert said("utter_ask_kommune") in texts(asked_kommune)
    return chat, chat.say(kommune)


def in_the_form(stack, *said_first: str) -> Chat:
    """A chat that has started the complaint form and said `said_first` in it."""
    chat = Chat(stack)
    for text in ("jeg vil klage", *said_first):
        chat.say(text)
    return chat


def test_complaint_with_a_relative_date(stack):
    chat, summary = complaint(stack, "de har stoppet min kontanthjælp", "for to uger siden",
                              "Aarhus")
    received = date.today() - timedelta(days=14)
    d = deadline_for(received)
    text = texts(summary)
    assert format_date_da(d.deadline) in text
    assert f"{d.days_left} dage" in text
    assert "Aarhus Kommune" in text and "Ankestyrelsen" in text
    assert phone("sociale-retshjaelp") in text
    assert KB.article("klagefrist").url in links(summary)
    draft = texts(chat.say("/show_draft"))
    assert "Til Aarhus Kommune" in draft
    assert "de har stoppet min kontanthjælp" in draft
    assert format_date_da(received) in draft


@pytest.mark.parametrize("when, received", [
    ("i går", date.today() - timedelta(days=1)),
    ("for 5 dage siden", date.today() - timedelta(days=5)),
    (f"den {(date.today() - timedelta(days=3)).strftime('%d.%m.%Y')}",
     date.today() - timedelta(days=3)),
])
def test_complaint_dates_in_several_forms(stack, when, received):
    _, summary = complaint(stack, "boligstøtte", when, "Københavns Kommune")
    text = texts(summary)
    assert format_date_da(deadline_for(received).deadline) in text
    # boligstøtte is decided by Udbetaling Danmark, so the complaint goes there
    assert KB.channels["udbetaling-danmark"].name in text


def test_a_passed_deadline_says_what_can_still_be_done(stack):
    _, summary = complaint(stack, "afslag på efterværn", "for 6 uger siden", "Odense")
    text = texts(summary)
    d = deadline_for(date.today() - timedelta(days=42))
    assert d.status == "passed"
    assert format_date_da(d.deadline) in text
    assert said("utter_complaint_deadline_passed", deadline=format_date_da(d.deadline)) in text
    assert "Klag alligevel" in text


def test_a_date_that_is_not_understood_is_asked_again(stack):
    chat = in_the_form(stack, "kontanthjælp")
    again = chat.say("det står i brevet")
    assert said("utter_invalid_date") in texts(again)
    asked_kommune = chat.say("i mandags")
    assert said("utter_ask_kommune") in texts(asked_kommune)


def test_the_widget_kommune_is_not_asked_for(stack):
    _, summary = complaint(stack, "kontanthjælp", "i går", None, metadata={"kommune": "Aarhus"})
    text = texts(summary)
    assert said("utter_ask_kommune") not in text
    assert "Aarhus Kommune" in text
    assert format_date_da(deadline_for(date.today() - timedelta(days=1)).deadline) in text


def test_leaving_the_form(stack):
    chat = in_the_form(stack, "kontanthjælp")
    left = chat.say("glem det")
    assert said("utter_form_stopped") in texts(left)
    # the form is gone: a greeting is a greeting, not an answer to "when"
    assert said("utter_greet") in texts(chat.say("hej"))


def test_a_crisis_in_the_middle_of_the_form_gets_the_lines_and_ends_the_form(stack):
    chat = in_the_form(stack, "bolig")
    messages = chat.say("min kæreste truer mig")
    assert phone("lev-uden-vold") in messages[0]["text"]
    assert customs(messages)[0]["crisis"] is True
    assert said("utter_ask_kommune") not in texts(messages)
    assert said("utter_greet") in texts(chat.say("hej"))


def test_asking_for_a_person_in_the_form_then_going_on(stack):
    chat = Chat(stack)
    chat.say("jeg vil klage")
    messages = chat.say("kan jeg tale med en rigtig person")
    text = texts(messages)
    assert phone("sociale-retshjaelp") in text
    assert said("utter_ask_complaint_about") in text       # and the form asks again


# --- advice routing -----------------------------------------------------------------------

def test_want_human_and_then_a_kommune(stack):
    chat = Chat(stack)
    messages = chat.say("jeg vil tale med et menneske")
    assert phone("sociale-retshjaelp") in texts(messages)
    assert KB.channels["sociale-retshjaelp"].tel_url in links(messages)
    assert said("utter_advice_ask_kommune") in texts(messages)
    messages = chat.say("Odense")
    assert said("utter_advice_ask_kommune") not in texts(messages)
    assert phone("sociale-retshjaelp") in texts(messages)


# --- socket.io ----------------------------------------------------------------------------

def test_a_conversation_over_socketio(stack):
    socketio = pytest.importorskip("socketio", reason="python-socketio[client] (dev extra)")
    received: list[dict] = []
    got = threading.Event()
    client = socketio.Client(reconnection=False)
    session = f"it-sio-{uuid.uuid4().hex[:8]}"

    confirmed = threading.Event()

    @client.on("bot_uttered")
    def on_bot(data):
        received.append(data)
        got.set()

    @client.on("session_confirm")
    def on_confirm(_session_id):
        confirmed.set()

    def ask(text: str, settle: float = 3.0) -> list[dict]:
        received.clear()
        got.clear()
        client.emit("user_uttered", {"message": text, "session_id": session})
        assert got.wait(60), f"no answer to {text!r}"
        while got.wait(settle):          # collect until the bot has been quiet for `settle` s
            got.clear()
        return list(received)

    client.connect(stack.rasa_url, transports=["websocket"], socketio_path="/socket.io",
                   wait_timeout=30)
    try:
        # Rasa joins the socket to the session's room in its session_request handler and
        # sends bot messages to that room: a message sent before session_confirm can be
        # answered into a room the client has not joined yet.
        client.emit("session_request", {"session_id": session})
        assert confirmed.wait(30), "no session_confirm from Rasa"
        crisis = ask("hej, jeg vil ikke leve mere")
        assert phone("livslinien") in crisis[0]["text"]
        marks = [m[MARK] for m in crisis if MARK in m]
        assert marks and marks[0]["crisis"] is True
        assert marks[0]["links"][0]["url"] == KB.channels["livslinien"].tel_url
        answer = ask("hvad er aktindsigt")
        assert KB.article("aktindsigt").summary in "\n".join(m.get("text", "") for m in answer)
        assert any(m.get(MARK, {}).get("article_id") == "aktindsigt" for m in answer)
        assert re.search(r"quick_replies|buttons", repr(answer))
    finally:
        client.disconnect()
