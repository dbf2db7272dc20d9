"""Adapter for Rasa's REST channel: send one message, get back the bot's messages, folded.

Rasa answers a REST message with a list of bot messages. Our custom actions follow an answer
with one `{"custom": {"rettighedsbot": {...}}}` message (links, article_id, confident,
crisis; CONTRIBUTING.md). `fold()` merges each into the message before it, so the widget gets
one bubble per answer.
"""
from __future__ import annotations

import concurrent.futures
import logging
import re
from dataclasses import dataclass, field

import requests

log = logging.getLogger("rettighedsbot.web")

CUSTOM_KEY = "rettighedsbot"
_ARTICLE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_SAFE_URL = re.compile(r"(https?://|tel:\+?[0-9]+$|/)", re.IGNORECASE)


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) is down, too slow or answered nonsense."""


@dataclass
class BotMessage:
    text: str = ""
    buttons: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    article_id: str | None = None
    # Not sent to the browser: used for the unanswered-questions report and the crisis check.
    confident: bool | None = None
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
            target.links.extend(_links(extra.get("links")))
            article_id = extra.get("article_id")
            if isinstance(article_id, str) and _ARTICLE_ID.fullmatch(article_id):
                target.article_id = article_id
            if isinstance(extra.get("confident"), bool):
                target.confident = extra["confident"]
            target.crisis = target.crisis or extra.get("crisis") is True
    return out


class RasaClient:
    def __init__(self, base_url: str, timeout: float, executor: concurrent.futures.Executor):
        self.webhook = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._executor = executor

    def send(self, sender: str, message: str, metadata: dict | None = None) -> list:
        """POSTs to the REST channel; raises RasaUnavailable after at most `timeout` seconds.

        requests' read timeout is per socket read, so a server that trickles bytes could hold
        us longer; the future's own deadline makes `timeout` a hard limit for the caller.
        """
        body = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        future = self._executor.submit(self._post, body)
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise RasaUnavailable(f"no answer within {self.timeout} s") from None

    def _post(self, body: dict) -> list:
        try:
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
        """Rasa's root answers 'Hello from Rasa: 3.6.21' once the server is up."""
        try:
            return requests.get(self.base_url + "/", timeout=timeout).ok
        except requests.RequestException:
            return False
