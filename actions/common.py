"""What every custom action shares: the crisis safety net, the knowledge service, the
citizen's kommune, and the words from domain.yml.

Every action subclasses `SafeAction` (or validates through `crisis_first`), so the crisis
check runs before anything else in every custom action — also inside the complaint form and
for messages the NLU took for small talk. The lines are sent once per user message.
"""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge import channel_links as linkfmt
from knowledge import crisis

log = logging.getLogger("rettighedsbot.actions")

MARK = "rettighedsbot"          # key of our custom message (CONTRIBUTING.md)
UNKNOWN = "ukendt"              # slot value when the citizen does not know

# Crisis response per kind (bot/domain.yml).
CRISIS_RESPONSES = {
    crisis.SUICIDE: "utter_crisis_suicide",
    crisis.VIOLENCE: "utter_crisis_violence",
    crisis.CHILD: "utter_crisis_child",
    None: "utter_crisis_any",
}


# -- the knowledge service, created on first use (loading the embedder takes a moment) -------

# The one patch point for tests: every action module imports `service` from here, and it
# reads this first, so a test sets one attribute instead of patching each module.
SERVICE_OVERRIDE = None


def service():
    if SERVICE_OVERRIDE is not None:
        return SERVICE_OVERRIDE
    from knowledge.service import get_service

    return get_service()


# -- words from domain.yml ------------------------------------------------------------------

def template(domain: dict, response: str) -> str:
    """The first text of `response` in domain.yml, unfilled."""
    variants = (domain.get("responses") or {}).get(response) or []
    if not variants or "text" not in variants[0]:
        raise KeyError(f"domain.yml has no text response {response!r}")
    return variants[0]["text"]


def phrase(domain: dict, response: str, **values: Any) -> str:
    """The first text of `response` in domain.yml, with {values} filled in.

    Used for the small pieces an action puts together (link titles, list lines), so that
    the bot's words stay in domain.yml and out of Python.
    """
    return template(domain, response).format(**values)


def link_words(domain: dict) -> linkfmt.LinkWords:
    """The titles and list lines of channel links, from domain.yml (utter_fmt_*)."""
    return linkfmt.LinkWords(
        call=template(domain, "utter_fmt_call"),
        call_name=template(domain, "utter_fmt_call_name"),
        web=template(domain, "utter_fmt_web"),
        line_phone=template(domain, "utter_fmt_line_phone"),
        line_name=template(domain, "utter_fmt_line_name"),
        line_web=template(domain, "utter_fmt_line_web"))


def channel_lines(domain: dict, channels: Iterable) -> str:
    """'- Livslinien: [70 201 201](tel:+4570201201)' per channel: a Markdown list that
    standard clients show with working links (the web app shows its titles as text)."""
    return linkfmt.lines(channels, link_words(domain))


def channel_links(domain: dict, channels: Iterable) -> list[dict]:
    """Links for the web widget: a tel: link per phone, a web link per address."""
    return linkfmt.links(channels, link_words(domain))


def article_link(domain: dict, article) -> dict:
    return {"title": phrase(domain, "utter_fmt_read_more", title=article.title),
            "url": article.url}


def source_links(domain: dict, article) -> list[dict]:
    """The article's sources, for the text that standard clients show."""
    return [{"title": phrase(domain, "utter_fmt_source", site=linkfmt.page_name(url)),
             "url": url} for url in article.sources]


def links_text(links: list[dict]) -> str:
    """Links as the Markdown list at the end of a message (what standard clients show of
    them); `send_custom(markdown=...)` tells the web app it repeats the custom links."""
    return linkfmt.markdown_list(_unique(links))


def send_custom(dispatcher: CollectingDispatcher, tracker: Tracker, links: list[dict],
                article_id: str | None = None, confident: bool = True,
                is_crisis: bool = False, level: str | None = None,
                markdown: str | None = None) -> None:
    """The custom message the web folds into the message before it (CONTRIBUTING.md).

    `level` is the search's answer level (answer | suggest | unknown); the web app counts
    turns by it for the councils' report. Left out, it follows `confident`.
    `markdown` is the Markdown the message before ends with that only repeats these links
    (`links_text`): standard clients, which ignore this message, show that; the web app cuts
    it off, since its widget shows `links` instead.

    Over REST it arrives as {"custom": {"rettighedsbot": ...}}. Rasa's socket.io channel
    passes a custom message's keys to `emit()` as arguments, so there it must be wrapped in
    "data" (RasaHQ/rasa#3823); the client then gets bot_uttered {"rettighedsbot": ...}.
    """
    payload: dict[str, Any] = {"links": _unique(links), "confident": confident,
                               "crisis": is_crisis,
                               "level": level or ("answer" if confident else "unknown")}
    if article_id:
        payload["article_id"] = article_id
    if markdown:
        payload["markdown"] = markdown
    message = {MARK: payload}
    if tracker.get_latest_input_channel() == "socketio":
        message = {"data": message}
    dispatcher.utter_message(json_message=message)


def _unique(links: list[dict]) -> list[dict]:
    seen, out = set(), []
    for link in links:
        if link["url"] not in seen:
            seen.add(link["url"])
            out.append(link)
    return out


# -- the citizen's message, intent and kommune --------------------------------------------

def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def metadata(tracker: Tracker) -> dict:
    return (tracker.latest_message or {}).get("metadata") or {}


def municipality(tracker: Tracker, kb):
    """The kommune slot if it names one, else the widget's data-kommune, else None."""
    for candidate in (tracker.get_slot("kommune"), metadata(tracker).get("kommune")):
        if candidate and candidate != UNKNOWN:
            found = kb.resolver.find(str(candidate))
            if found:
                return found
    return None


# -- the crisis safety net ----------------------------------------------------------------

def crisis_in(tracker: Tracker) -> tuple[bool, crisis.CrisisMatch | None, bool]:
    """(is this message a crisis?, the keyword match if any, is it certain?). Three nets, any
    one is enough: the keyword net and the NLU's crisis intent (certain), and the search's
    meaning check (closer to a crisis example than to any rights question: possible). Without a
    keyword match every line is shown."""
    text = latest_text(tracker)
    match = crisis.detect(text)
    if match is not None or latest_intent(tracker) == "crisis":
        return True, match, True
    return semantic_crisis(text), None, False


SEMANTIC_MIN_WORDS = 3   # "slut", "glem det": too short to tell by meaning (stop words)


def semantic_crisis(text: str) -> bool:
    if text.startswith("/") or len(text.split()) < SEMANTIC_MIN_WORDS:
        return False
    try:
        return service().crisis_possible(text)
    except Exception:  # the other two nets still ran; a failed search is no reason to crash
        log.exception("crisis meaning check failed")
        return False


def warned_this_turn(tracker: Tracker) -> bool:
    """Were the crisis lines already sent since the citizen's last message?"""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            custom = custom.get(MARK) or (custom.get("data") or {}).get(MARK) or {}
            if custom.get("crisis"):
                return True
    return False


def send_crisis_lines(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict,
                      match: crisis.CrisisMatch | None) -> None:
    """The crisis lines for the kind of crisis, from channels.yml, in text and as tel: links."""
    if warned_this_turn(tracker):
        return
    channels = crisis.lines_for(match, service().kb.crisis_channels())
    response = CRISIS_RESPONSES[match.kind if match else None]
    log.warning("crisis message (%s): sending %d lines", match.kind if match else "intent",
                len(channels))
    dispatcher.utter_message(response=response, lines=channel_lines(domain, channels))
    send_custom(dispatcher, tracker, channel_links(domain, channels), confident=True,
                is_crisis=True)


def answer_too(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
    """After the crisis lines, the articles the message is also about, as "Mente du …?" ("min
    søn er anbragt og jeg må ikke se ham", "jeg blev slået som barn, kan jeg få erstatning"),
    or who answers a topic without an article: the lines never go, and the citizen is not
    left with them only."""
    from .answer import answer_if_sure  # the answer action builds on this module

    try:
        return answer_if_sure(dispatcher, tracker, domain, after_crisis=True) or []
    except Exception:  # the crisis lines are out; an answer is a bonus
        log.exception("answer after the crisis lines failed")
        return []


def crisis_first(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> bool:
    """The safety net every action runs before anything else: the crisis lines go out when
    the message may be a crisis. True when it certainly is: the action then stops there."""
    is_crisis, match, certain = crisis_in(tracker)
    if is_crisis:
        send_crisis_lines(dispatcher, tracker, domain, match)
    return is_crisis and certain


class SafeAction(Action, ABC):
    """A custom action that first runs the crisis check; on a crisis it sends the lines and
    stops there. Subclasses implement `act` instead of `run`."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        if crisis_first(dispatcher, tracker, domain):
            return self.on_crisis(tracker) + answer_too(dispatcher, tracker, domain)
        # not a crisis, or a possible one by meaning only (the lines went out): act as usual
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception:  # say so rather than fall silent; the log has the details
            log.exception("%s failed", self.name())
            dispatcher.utter_message(response="utter_error")
            return []

    def on_crisis(self, tracker: Tracker) -> list[dict]:
        return []

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        """What the action does when the message is not a crisis."""
