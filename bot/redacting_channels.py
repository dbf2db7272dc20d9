"""Rasa's REST and socket.io channels, with every user message redacted before Rasa sees it.

The web app redacts before it calls Rasa, but a standard widget (rasa-webchat) or any client
may talk to Rasa's channels directly, and Rasa stores the text in the tracker as received.
These subclasses are registered in bot/credentials.yml under Rasa's own channel names, so the
URLs stay /webhooks/rest/webhook and /socket.io: the only change is that the text (and any
string in the metadata) goes through `knowledge.redact.redact` — the same function as the web
app's — before the tracker store, the NLU, the slots, the actions or any log line meet it.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic.request import Request

from knowledge.redact import redact, without_surrogates

MAX_CHARS = 1000  # as the web app's message limit: the NLU and the search read no more


def clean(text: Any) -> Text:
    """What a message may hold once it is inside Rasa: text, whole characters, no PII."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return redact(without_surrogates(text)[:MAX_CHARS])


def clean_metadata(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k): clean_metadata(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_metadata(v) for v in value]
    return value


def redacting(on_new_message: Callable[[UserMessage], Awaitable[Any]]
              ) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handler(message: UserMessage) -> Any:
        message.text = clean(message.text)
        message.metadata = clean_metadata(message.metadata)
        return await on_new_message(message)

    return handler


class RedactingRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_message(self, req: Request) -> Optional[Text]:
        # Rasa logs this text if handling the message fails: it must already be redacted.
        return clean(super()._extract_message(req))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]):
        return super().blueprint(redacting(on_new_message))


class RedactingSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]):
        return super().blueprint(redacting(on_new_message))
