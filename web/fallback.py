"""The answers the web app gives on its own: crisis lines first, and the fallback when Rasa
cannot answer. Words from web/messages.py, channels from knowledge/channels.yml (via kb)."""
from __future__ import annotations

import logging
import re

from knowledge.channel_links import LinkWords, phone_link, web_link
from knowledge.crisis import detect, lines_for
from knowledge.models import Channel, KnowledgeBase

from . import messages
from .rasa import BotMessage

log = logging.getLogger("rettighedsbot.web")

MAX_ADVICE_CHANNELS = 4


WORDS = LinkWords(call=messages.CHANNEL_LINK)


def channel_link(channel: Channel) -> dict | None:
    """One link per channel: its phone ("Livslinien: 70 201 201", but "Alarm 112" rather than
    "Alarm 112: 112"), else its web site (knowledge.channel_links, shared with the actions)."""
    return phone_link(channel, WORDS) or web_link(channel, WORDS)


def _links(channels: list[Channel]) -> list[dict]:
    return [link for link in map(channel_link, channels) if link]


def crisis_lines(kb: KnowledgeBase | None, match=None) -> list[Channel]:
    """The crisis channels for this match, most specific first (knowledge.crisis.lines_for);
    without a match, all of them."""
    if kb is None:
        return []
    return lines_for(match, kb.crisis_channels())


def crisis_message(kb: KnowledgeBase | None, match=None,
                   intro: str = messages.CRISIS_FIRST) -> BotMessage:
    links = _links(crisis_lines(kb, match))
    # 112 is said in words unless channels.yml already gives it as a line.
    if not any(link["url"] == "tel:112" for link in links):
        intro = f"{intro}\n{messages.EMERGENCY}"
    return BotMessage(text=intro, links=links, crisis=True)


def advice_channels(kb: KnowledgeBase, kommune: str | None) -> list[Channel]:
    """The kommune's own advisers first (borgerrådgiver, …), then national free advice."""
    local = list(kb.municipality(kommune).channels) if kommune and kb.municipality(kommune) else []
    local = [c for c in local if c.kind != "krise"]
    national = kb.channels_of_kind("raad")
    return (local + national)[: max(MAX_ADVICE_CHANNELS, len(local))]


def fallback_messages(kb: KnowledgeBase | None, kommune: str | None, match=None,
                      text: str = messages.FALLBACK) -> list[BotMessage]:
    """Never a bare error: advice channels and crisis lines, crisis first if it sounds like one."""
    advice = BotMessage(text=text, links=_links(advice_channels(kb, kommune)) if kb else [])
    if match is not None:
        return [crisis_message(kb, match), advice]
    return [advice, crisis_message(kb, None, messages.FALLBACK_CRISIS_TITLE)]


def empty_answer(kb: KnowledgeBase | None, kommune: str | None, match=None) -> list[BotMessage]:
    """Rasa answered nothing (an action failed): no real answer, so the crisis lines too."""
    return fallback_messages(kb, kommune, match, messages.EMPTY_ANSWER)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _number(tel_or_phone: str) -> str:
    digits = _digits(tel_or_phone)
    return digits[2:] if len(digits) == 10 and digits.startswith("45") else digits


def has_crisis_lines(answer: list[BotMessage], kb: KnowledgeBase | None, match=None) -> bool:
    """Does Rasa's answer already give this match's crisis lines? Yes if an action flagged it
    (`crisis: true`), or if every line's number is in its tel: links or text (112 aside)."""
    if any(m.crisis for m in answer):
        return True
    wanted = {_number(c.phone) for c in crisis_lines(kb, match) if c.phone} - {"112"}
    if not wanted:
        return False
    given = set()
    for m in answer:
        given.update(_number(link["url"]) for link in m.links if link["url"].startswith("tel:"))
        given.update(_number(n) for n in re.findall(r"\d[\d ]{2,}\d", m.text))
    return wanted <= given


def detect_crisis(text: str):
    """knowledge.crisis.detect, the same keyword net the actions run; a failure of the net
    must not cost the citizen the answer, so it is logged and the turn goes on."""
    try:
        return detect(text)
    except Exception:
        log.exception("knowledge.crisis.detect failed")
        return None
