"""Bot replies made by the real custom actions' code, as Rasa's REST channel would send them.

The fake Rasa (conftest.py) answers a few trigger words with these, so the browser tests check
what the widget renders from the payload the actions really build (crisis lines, "Din kommune"
for a topic without an article), not from a hand-written copy of it that could drift.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from unittest import mock

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.answer
import actions.common
from knowledge import crisis
from knowledge.loader import load_knowledge

REPO = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((REPO / "bot" / "domain.yml").read_text(encoding="utf-8"))
BASE_URL = "http://127.0.0.1:8000"
_KB: dict = {}


def kb(public_url: str = BASE_URL):
    """The real knowledge YAML (loaded once, ~2 s: warm it before a timed request; no index,
    no embedder), with article URLs on `public_url`."""
    if BASE_URL not in _KB:
        _KB[BASE_URL] = load_knowledge(REPO / "knowledge", public_url=BASE_URL).kb
    if public_url not in _KB:
        base = _KB[BASE_URL]
        articles = {i: replace(a, url=a.url.replace(BASE_URL, public_url.rstrip("/"), 1))
                    for i, a in base.articles.items()}
        _KB[public_url] = replace(base, articles=articles)
    return _KB[public_url]


def _tracker(text: str, metadata: dict | None) -> Tracker:
    latest = {"text": text, "intent": {"name": "ask_rights", "confidence": 0.9},
              "entities": [], "metadata": metadata or {}}
    return Tracker("widget-test", {}, latest, [{"event": "user", "text": text,
                                                "parse_data": latest}],
                   False, None, None, "action_listen")


def to_rest(messages: list[dict]) -> list[dict]:
    """Rasa's REST output for what a CollectingDispatcher collected: each response rendered
    with its variables, then its buttons; a json_message as {"custom": …}."""
    out = []
    for m in messages:
        item: dict = {"recipient_id": "widget-test"}
        if m.get("response"):
            variant = DOMAIN["responses"][m["response"]][0]
            item["text"] = variant["text"].format(**m)
            buttons = m.get("buttons") or variant.get("buttons")
        else:
            item["text"] = m.get("text")
            buttons = m.get("buttons")
        if m.get("custom"):
            item = {"recipient_id": "widget-test", "custom": m["custom"]}
        elif buttons:
            item["buttons"] = buttons
        if item.get("text") is None:
            item.pop("text", None)
        out.append(item)
    return out


class _Service:
    """What send_crisis_lines asks of the knowledge service: the real channels."""

    @property
    def kb(self):
        return kb()


def crisis_reply(text: str = "jeg vil ikke leve mere") -> list[dict]:
    """The crisis lines exactly as every action sends them (actions.common.send_crisis_lines)."""
    dispatcher = CollectingDispatcher()
    with mock.patch.object(actions.common, "SERVICE_OVERRIDE", _Service()):
        actions.common.send_crisis_lines(dispatcher, _tracker(text, None), DOMAIN,
                                         crisis.detect(text))
    return to_rest(dispatcher.messages)


def gap_reply(gap_id: str, metadata: dict | None) -> list[dict]:
    """"No article about … yet, ask them" for a gap whose channels include "Din kommune",
    with the kommune the widget sent (actions.answer.no_article)."""
    knowledge = kb()
    gap = next(g for g in knowledge.gaps if g.id == gap_id)
    tracker = _tracker(gap.name, metadata)
    dispatcher = CollectingDispatcher()
    actions.answer.no_article(dispatcher, tracker, DOMAIN, knowledge, gap,
                              actions.common.municipality(tracker, knowledge))
    return to_rest(dispatcher.messages)


def article_reply(article_id: str, metadata: dict | None, public_url: str) -> list[dict]:
    """An article's answer with its related articles as buttons (actions.answer.answer);
    "Læs mere" on `public_url`."""
    knowledge = kb(public_url)
    article = knowledge.article(article_id)
    related = [knowledge.article(a) for a in article.related if knowledge.article(a)][:2]
    tracker = _tracker(article.title, metadata)
    dispatcher = CollectingDispatcher()
    actions.answer.answer(dispatcher, tracker, DOMAIN, knowledge, article,
                          actions.common.municipality(tracker, knowledge), related)
    return to_rest(dispatcher.messages)
