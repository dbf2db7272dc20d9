"""Adapter for Rasa's REST channel: send one message, get back the bot's messages, folded.

Rasa answers a REST message with a list of bot messages. Our custom actions follow an answer
with one `{"custom": {"rettighedsbot": {...}}}` message (links, article_id, confident,
crisis; CONTRIBUTING.md). `fold()` merges each into the message before it, so the widget gets
one bubble per answer.

The texts are Markdown, written for standard Rasa clients that show nothing but the text:
links as `[title](url)`, and at the end of an answer its links once more as a list (the custom
part's `markdown`). Our widget shows `links` under the text instead, so `fold()` cuts that
list off and writes every other link as its title (the widget links phone numbers itself).
"""
from __future__ import annotations

import concurrent.futures
import logging
import re
import threading
import time
from dataclasses import dataclass, field

import requests

from knowledge.channel_links import plain
from knowledge.search import ANSWER, LEVELS, UNKNOWN

log = logging.getLogger("rettighedsbot.web")

CUSTOM_KEY = "rettighedsbot"
_ARTICLE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_SAFE_URL = re.compile(r"(https?://|tel:\+?[0-9]+$|/)", re.IGNORECASE)


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) is down, too slow or answered nonsense."""


class SenderBusy(Exception):
    """This conversation already has a message on its way to Rasa."""


class CircuitBreaker:
    """After `failures` failed calls in a row, fail at once for `cool_down` seconds, then let
    one call through to see if Rasa is back.

    Why: while Rasa or the action server hangs, every call waits the whole RASA_TIMEOUT and
    holds a web worker thread; 50 citizens at once would wait far longer than 3 s for the
    fallback. With the breaker open they get it (and the crisis lines) at once.
    """

    def __init__(self, failures: int = 3, cool_down: float = 5.0):
        self.failures, self.cool_down = failures, cool_down
        self._lock = threading.Lock()
        self._failed = 0
        self._open_until = 0.0
        self._probing = False

    def allow(self) -> bool:
        with self._lock:
            if self._failed < self.failures:
                return True
            if time.monotonic() < self._open_until or self._probing:
                return False
            self._probing = True          # half-open: this one call finds out
            return True

    def record(self, ok: bool) -> None:
        with self._lock:
            self._probing = False
            if ok:
                self._failed = 0
                return
            self._failed += 1
            if self._failed >= self.failures:
                self._open_until = time.monotonic() + self.cool_down

    @property
    def open(self) -> bool:
        with self._lock:
            return self._failed >= self.failures


@dataclass
class BotMessage:
    text: str = ""
    buttons: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    article_id: str | None = None
    # Not sent to the browser: used for the unanswered-questions report and the crisis check.
    confident: bool | None = None
    # The search's answer level (answer | suggest | unknown), for the councils' report.
    level: str | None = None
    crisis: bool = False

    def to_json(self) -> dict:
        out = {"text": self.text, "buttons": self.buttons, "links": self.links}
        if self.article_id:
            out["article_id"] = self.article_id
        return out


def safe_url(url: object) -> str | None:
    """Only http(s), tel: and site-relative links reach the widget (never javascript:)."""
    if isinstance(url, str) and _SAFE_URL.match(url.strip()) and not url.startswith("//"):
        return url.strip()
    return None


def _links(items: object) -> list[dict]:
    links = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("title"), str):
            url = safe_url(item.get("url"))
            if url:
                links.append({"title": item["title"], "url": url})
    return links


def _buttons(items: object) -> list[dict]:
    buttons = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("title"), str):
            payload = item.get("payload")
            buttons.append({"title": item["title"],
                            "payload": payload if isinstance(payload, str) else item["title"]})
    return buttons


def fold(raw: object) -> list[BotMessage]:
    """Rasa REST output -> our messages, each custom `rettighedsbot` part merged into the
    message before it. Anything else custom (images, other payloads) is dropped."""
    out: list[BotMessage] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        buttons = _buttons(item.get("buttons"))
        if isinstance(text, str) or buttons:
            out.append(BotMessage(text=text if isinstance(text, str) else "", buttons=buttons))
        custom = item.get("custom")
        extra = custom.get(CUSTOM_KEY) if isinstance(custom, dict) else None
        if isinstance(extra, dict):
            if not out:  # a custom part with nothing before it still carries its links
                out.append(BotMessage())
            target = out[-1]
            target.text = _without(target.text, extra.get("markdown"))
            target.links.extend(_links(extra.get("links")))
            article_id = extra.get("article_id")
            if isinstance(article_id, str) and _ARTICLE_ID.fullmatch(article_id):
                target.article_id = article_id
            if isinstance(extra.get("confident"), bool):
                target.confident = extra["confident"]
            if extra.get("level") in LEVELS:
                target.level = extra["level"]
            elif target.confident is not None:      # an action server from before `level`
                target.level = ANSWER if target.confident else UNKNOWN
            target.crisis = target.crisis or extra.get("crisis") is True
    for message in out:
        message.text = plain(message.text)
    return out


def _without(text: str, markdown: object) -> str:
    """The text without the Markdown list of links it ends with (only if it does end so)."""
    if not isinstance(markdown, str) or not markdown.strip():
        return text
    body = text.rstrip()
    block = markdown.strip()
    return body[: -len(block)].rstrip() if body.endswith(block) else text


# Sent before the next message of a conversation whose last turn never reached Rasa (or got
# no answer): a form that was waiting for that answer stops, rather than take the next message
# as the answer to a question the citizen never saw answered.
STOP_FORM = "/stop"


class RasaClient:
    """One call per conversation at a time, in order; a bounded wait; fail fast in an outage."""

    def __init__(self, base_url: str, timeout: float, executor: concurrent.futures.Executor,
                 breaker: CircuitBreaker | None = None):
        self.webhook = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._executor = executor
        self.breaker = breaker or CircuitBreaker()
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._interrupted: dict[str, float] = {}   # sender -> when its turn fell back

    def send(self, sender: str, message: str, metadata: dict | None = None) -> list:
        """POSTs to the REST channel; raises RasaUnavailable after at most `timeout` seconds,
        at once while the breaker is open, and SenderBusy if this conversation is already
        waiting for an answer (one citizen's 500 requests never hold every worker).

        requests' read timeout is per socket read, so a server that trickles bytes could hold
        us longer; the future's own deadline makes `timeout` a hard limit for the caller.
        """
        with self._lock:
            if sender in self._in_flight:
                raise SenderBusy(sender)
            self._in_flight.add(sender)
        try:
            if not self.breaker.allow():
                self._mark_interrupted(sender)
                raise RasaUnavailable("Rasa failed just now; not trying again yet")
            deadline = time.monotonic() + self.timeout
            try:
                if self._was_interrupted(sender):
                    self._call({"sender": sender, "message": STOP_FORM}, deadline)
                body = {"sender": sender, "message": message}
                if metadata:
                    body["metadata"] = metadata
                answer = self._call(body, deadline)
            except Exception:         # RasaUnavailable, or anything odd: never stuck half-open
                self.breaker.record(False)
                self._mark_interrupted(sender)
                raise
            self.breaker.record(True)
            with self._lock:
                self._interrupted.pop(sender, None)
            return answer
        finally:
            with self._lock:
                self._in_flight.discard(sender)

    def _call(self, body: dict, deadline: float) -> list:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RasaUnavailable(f"no answer within {self.timeout} s")
        future = self._executor.submit(self._post, body)
        try:
            return future.result(timeout=remaining)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise RasaUnavailable(f"no answer within {self.timeout} s") from None

    def _mark_interrupted(self, sender: str) -> None:
        with self._lock:
            if len(self._interrupted) > 100_000:      # bounded: forget the oldest half
                for key in sorted(self._interrupted, key=self._interrupted.get)[:50_000]:
                    del self._interrupted[key]
            self._interrupted[sender] = time.monotonic()

    def _was_interrupted(self, sender: str) -> bool:
        with self._lock:
            return sender in self._interrupted

    def _post(self, body: dict) -> list:
        try:
            # A new connection per turn (no keep-alive pool): after Rasa restarts, a pooled
            # connection would be dead and the citizen's turn lost to it.
            response = requests.post(self.webhook, json=body,
                                     timeout=(min(1.0, self.timeout), self.timeout))
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise RasaUnavailable("REST channel did not answer with a list")
        return data

    def reachable(self, timeout: float = 1.0) -> bool:
        if self.breaker.open:
            return False
        """Rasa's root answers 'Hello from Rasa: 3.6.21' once the server is up."""
        try:
            return requests.get(self.base_url + "/", timeout=timeout).ok
        except requests.RequestException:
            return False

