"""Adapter for Rasa's REST channel: send one message, get back the bot's messages, folded.

Rasa answers a REST message with a list of bot messages. Our custom actions follow an answer
with one `{"custom": {"rettighedsbot": {...}}}` message (links, article_id, confident,
crisis; CONTRIBUTING.md). `fold()` merges each into the message before it, so the widget gets
one bubble per answer.

With several engines (RASA_URLS, the production profile) each conversation has a home engine,
picked by rendezvous hashing of its sender id: the same one from every web process, and only
the conversations of an engine that is added or removed move. When the home engine cannot be
reached the turn goes to the next engine in the sender's order. That is safe because the
engines share the tracker store (PostgreSQL) and order each conversation's turns with the
Redis lock store.

The texts are Markdown, written for standard Rasa clients that show nothing but the text:
links as `[title](url)`, and at the end of an answer its links once more as a list (the custom
part's `markdown`). Our widget shows `links` under the text instead, so `fold()` cuts that
list off and writes every other link as its title (the widget links phone numbers itself).
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from knowledge.channel_links import plain
from knowledge.search import ANSWER, LEVELS, UNKNOWN

log = logging.getLogger("rettighedsbot.web")

CUSTOM_KEY = "rettighedsbot"
_ARTICLE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_SAFE_URL = re.compile(r"(https?://|tel:\+?[0-9]+$|/)", re.IGNORECASE)


EXTENSION = "rettighedsbot.rasa"


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) is down, too slow or answered nonsense."""


class NotDelivered(RasaUnavailable):
    """The engine could not be reached at all (refused, no route, connect timeout): the message
    never got there, so another engine may take it without a turn being done twice."""


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


@dataclass
class Engine:
    """One Rasa engine and its own circuit breaker."""

    base_url: str
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)

    @property
    def webhook(self) -> str:
        return f"{self.base_url}/webhooks/rest/webhook"


def engine_order(sender: str, urls: Sequence[str]) -> list[str]:
    """The engines to try for this conversation, home engine first (rendezvous hashing):
    stable across processes and restarts, and removing one engine moves only its own
    conversations."""
    def weight(url: str) -> bytes:
        return hashlib.blake2b(f"{sender}\n{url}".encode(), digest_size=8).digest()
    return sorted(urls, key=weight, reverse=True)


def _not_delivered(exc: requests.RequestException) -> bool:
    """True only when the request cannot have reached the engine."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", None)
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


class LostTurns:
    """Conversations whose last turn fell back (never reached Rasa, or got no answer), in this
    process's memory. Bounded: the oldest half is forgotten past 100,000."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._senders: dict[str, float] = {}

    def mark(self, sender: str) -> None:
        with self._lock:
            if len(self._senders) > 100_000:
                for key in sorted(self._senders, key=self._senders.get)[:50_000]:
                    del self._senders[key]
            self._senders[sender] = time.monotonic()

    def marked(self, sender: str) -> bool:
        with self._lock:
            return sender in self._senders

    def clear(self, sender: str) -> None:
        with self._lock:
            self._senders.pop(sender, None)


class RedisLostTurns(LostTurns):
    """The same, shared by every web process through Redis (REDIS_URL): a citizen's next
    message may reach another process than the one whose turn fell back. Keys are hashes of
    the sender id and expire after a day; if Redis is away, this process's memory serves."""

    TTL = 86400

    def __init__(self, client, prefix: str = "rettighedsbot:lost:") -> None:
        super().__init__()
        self._client, self._prefix = client, prefix

    def _key(self, sender: str) -> str:
        return self._prefix + hashlib.blake2b(sender.encode(), digest_size=16).hexdigest()

    def mark(self, sender: str) -> None:
        super().mark(sender)
        try:
            self._client.set(self._key(sender), 1, ex=self.TTL)
        except Exception as exc:  # noqa: BLE001 - any redis error: memory only
            log.warning("lost-turn mark not shared (Redis: %s)", type(exc).__name__)

    def marked(self, sender: str) -> bool:
        try:
            return bool(self._client.exists(self._key(sender)))
        except Exception:  # noqa: BLE001
            return super().marked(sender)

    def clear(self, sender: str) -> None:
        super().clear(sender)
        try:
            self._client.delete(self._key(sender))
        except Exception as exc:  # noqa: BLE001 - it expires by itself
            log.warning("lost-turn mark not cleared (Redis: %s)", type(exc).__name__)


class RasaClient:
    """One call per conversation at a time, in order; a bounded wait; fail fast in an outage;
    with several engines, a home engine per conversation and failover."""

    def __init__(self, base_url: str | Sequence[str], timeout: float,
                 executor: concurrent.futures.Executor, breaker: CircuitBreaker | None = None,
                 lost_turns: LostTurns | None = None):
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        if not urls:
            raise ValueError("no Rasa engine URL")
        self.engines = {u.rstrip("/"): Engine(u.rstrip("/")) for u in urls}
        first = next(iter(self.engines.values()))
        if breaker is not None:
            first.breaker = breaker
        self.base_url, self.webhook, self.breaker = first.base_url, first.webhook, first.breaker
        self.timeout = timeout
        self._executor = executor
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self.lost_turns = lost_turns or LostTurns()

    def send(self, sender: str, message: str, metadata: dict | None = None) -> list:
        """POSTs to the REST channel of the conversation's engine; raises RasaUnavailable after
        at most `timeout` seconds, at once while every engine's breaker is open, and SenderBusy
        if this conversation is already waiting for an answer (one citizen's 500 requests never
        hold every worker).

        An engine that cannot be reached is skipped for the next one within the same deadline.
        An engine that took the message and then failed (timeout, reset, 5xx) is not: it may
        have done the turn, and doing it twice would answer a form's next question.

        requests' read timeout is per socket read, so a server that trickles bytes could hold
        us longer; the future's own deadline makes `timeout` a hard limit for the caller.
        """
        with self._lock:
            if sender in self._in_flight:
                raise SenderBusy(sender)
            self._in_flight.add(sender)
        try:
            deadline = time.monotonic() + self.timeout
            body = {"sender": sender, "message": message}
            if metadata:
                body["metadata"] = metadata
            tried = False
            interrupted = self.lost_turns.marked(sender)
            for url in engine_order(sender, list(self.engines)):
                engine = self.engines[url]
                if not engine.breaker.allow():
                    continue
                tried = True
                try:
                    if interrupted:
                        self._call(engine, {"sender": sender, "message": STOP_FORM}, deadline)
                    answer = self._call(engine, body, deadline)
                except NotDelivered as exc:
                    engine.breaker.record(False)
                    if len(self.engines) > 1:
                        log.warning("a Rasa engine is unreachable, trying the next: %s", exc)
                    continue
                except Exception:     # RasaUnavailable, or anything odd: never stuck half-open
                    engine.breaker.record(False)
                    self._mark_interrupted(sender)
                    raise
                engine.breaker.record(True)
                if interrupted:
                    self.lost_turns.clear(sender)
                return answer
            self._mark_interrupted(sender)
            if tried:
                raise RasaUnavailable("no Rasa engine could be reached")
            raise RasaUnavailable("Rasa failed just now; not trying again yet")
        finally:
            with self._lock:
                self._in_flight.discard(sender)

    def _call(self, engine: Engine, body: dict, deadline: float) -> list:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RasaUnavailable(f"no answer within {self.timeout} s")
        future = self._executor.submit(self._post, engine.webhook, body)
        try:
            return future.result(timeout=remaining)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise RasaUnavailable(f"no answer within {self.timeout} s") from None

    def _mark_interrupted(self, sender: str) -> None:
        self.lost_turns.mark(sender)

    def _post(self, webhook: str, body: dict) -> list:
        try:
            # A new connection per turn (no keep-alive pool): after Rasa restarts, a pooled
            # connection would be dead and the citizen's turn lost to it.
            response = requests.post(webhook, json=body,
                                     timeout=(min(1.0, self.timeout), self.timeout))
            response.raise_for_status()
            data = response.json()
        except requests.RequestException as exc:
            kind = NotDelivered if _not_delivered(exc) else RasaUnavailable
            raise kind(f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise RasaUnavailable("REST channel did not answer with a list")
        return data

    def reachable(self, timeout: float = 1.0) -> bool:
        """Some engine answers: Rasa's root says 'Hello from Rasa: 3.6.21' once it is up."""
        for engine in self.engines.values():
            if engine.breaker.open:
                continue
            try:
                if requests.get(engine.base_url + "/", timeout=timeout).ok:
                    return True
            except requests.RequestException:
                pass
        return False


def init_app(app, redis_client=None) -> None:
    """The app's Rasa client: RASA_URLS (several engines) or RASA_URL, with lost-turn marks
    in Redis when the production profile gives one, else in this process."""
    # More than waitress's worker threads (scripts/stack.py), so a call never queues here.
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=48, thread_name_prefix="rasa")
    app.extensions[EXTENSION] = RasaClient(
        app.config.get("RASA_URLS") or app.config["RASA_URL"], app.config["RASA_TIMEOUT"],
        executor, lost_turns=RedisLostTurns(redis_client) if redis_client else LostTurns())
