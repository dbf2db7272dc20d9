"""POST /api/chat: the widget's one endpoint. Checks, redacts, asks Rasa, never fails bare.

Order matters: validate -> rate-limit -> redact -> (crisis check) -> Rasa -> fold. Only the
redacted text goes to Rasa, to the log and to the database.
"""
from __future__ import annotations

import logging
import re
import time

from flask import Blueprint, current_app, jsonify

from knowledge.redact import redact
from knowledge.search import ANSWER, LEVELS, MAX_QUERY_CHARS

from . import messages
from .api import KOMMUNE, ApiError, client_ip, json_body, rate_limit, text_field
from .fallback import (
    crisis_message,
    detect_crisis,
    empty_answer,
    fallback_messages,
    has_crisis_lines,
)
from .knowledge_ext import knowledge
from .rasa import EXTENSION as RASA
from .rasa import BotMessage, RasaUnavailable, SenderBusy, fold
from .retention import EXTENSION as RETENTION
from .store import EXTENSION as STORE

bp = Blueprint("chat", __name__)
log = logging.getLogger("rettighedsbot.web")

MAX_MESSAGE_CHARS = MAX_QUERY_CHARS
SENDER = re.compile(r"[A-Za-z0-9_-]{1,64}")   # the widget sends "w" + 32 random hex digits


@bp.post("/api/conversation/delete")
def delete_conversation():
    """"Slet min samtale": the conversation is deleted on the server now (the widget clears
    the browser's copy). Only the sender id is needed: it is random and known only to the
    browser that holds the conversation."""
    ip = client_ip()
    rate_limit(f"ip:{ip}:burst")
    data = json_body()
    sender = text_field(data, "sender", limit=64, pattern=SENDER,
                        pattern_error=messages.ERR_SENDER, empty_error=messages.ERR_SENDER)
    deleted = current_app.extensions[RETENTION].delete_conversation(sender)
    log.info("conversation deleted on request: %d events", deleted)
    response = jsonify({"deleted": True})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/chat")
def chat():
    started = time.monotonic()
    ip = client_ip()
    rate_limit(f"ip:{ip}:burst")          # a looser per-IP bucket: rotating sender ids won't help
    data = json_body()
    sender = text_field(data, "sender", limit=64, pattern=SENDER,
                        pattern_error=messages.ERR_SENDER, empty_error=messages.ERR_SENDER)
    message = text_field(data, "message", limit=MAX_MESSAGE_CHARS)
    kommune = text_field(data, "kommune", required=False, limit=60, pattern=KOMMUNE,
                         pattern_error=messages.ERR_KOMMUNE)
    rate_limit(f"chat:{ip}:{sender}")

    text = redact(message.strip())
    match = detect_crisis(message)           # on the citizen's own words, before redaction
    crisis = match is not None
    kb = knowledge().kb()
    metadata = {"kommune": kommune} if kommune else None
    fallback = False
    try:
        answer = current_app.extensions[RASA].send(sender, text, metadata)
        folded = fold(answer)
        if not folded:                   # e.g. the action server is down: no real answer
            folded = empty_answer(kb, kommune, match)
            fallback = True
    except SenderBusy:
        raise ApiError(429, messages.ERR_BUSY, headers={"Retry-After": "1"}) from None
    except RasaUnavailable as exc:
        log.warning("rasa unavailable, answering with the fallback: %s", exc)
        folded = fallback_messages(kb, kommune, match)
        fallback = True
    if crisis and not fallback and not has_crisis_lines(folded, kb, match):
        folded.insert(0, crisis_message(kb, match))

    record_turn(folded, text, kb, kommune)

    log.info("chat turn: %d chars, crisis=%s, fallback=%s, article=%s, %.0f ms",
             len(text), crisis, fallback,
             next((m.article_id for m in folded if m.article_id), None),
             (time.monotonic() - started) * 1000)
    response = jsonify({"messages": [m.to_json() for m in folded]})
    response.headers["Cache-Control"] = "no-store"
    return response


def record_turn(folded: list[BotMessage], text: str, kb, kommune: str | None) -> None:
    """Counts the turn for the councils' report, at the best level any of its messages had
    (small talk has none and is not counted). The kommune is kept only as the name of a
    known kommune: whatever else a page put in data-kommune is not stored."""
    levels = {m.level for m in folded if m.level}
    level = next((lv for lv in LEVELS if lv in levels), None)
    if level is None:
        return
    article = next((m.article_id for m in folded if m.level == ANSWER and m.article_id), None)
    place = kb.municipality(kommune) if kb is not None and kommune else None
    current_app.extensions[STORE].record_turn(level, article, text,
                                              place.name if place else None)
