"""Rasa's REST and socket.io channels, with every user message redacted before Rasa sees it.

The web app redacts before it calls Rasa, but a standard widget (rasa-webchat) or any client
may talk to Rasa's channels directly, and Rasa stores the text in the tracker as received.
These subclasses are registered in bot/credentials.yml under Rasa's own channel names, so the
URLs stay /webhooks/rest/webhook and /socket.io: the only change is that the text (and any
string in the metadata) goes through `knowledge.redact.redact` — the same function as the web
app's — before the tracker store, the NLU, the slots, the actions or any log line meet it.

They also send each bot text whole. Rasa's own channels cut a text into one message per
paragraph (at every blank line); our texts are Markdown, where a blank line must stand before
and after a list, so the cut would leave a list in a bubble of its own, away from its
sentence and, over socket.io, with the buttons on the last piece only.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic.request import Request

from bot import action_schema
from knowledge.limits import MAX_QUERY_CHARS
from knowledge.redact import redact, without_surrogates

# Every `rasa run` of this project loads this module (bot/credentials.yml): the place to give
# Rasa its response check with the schema checked once (bot/action_schema.py).
action_schema.install()


def clean(text: Any) -> Text:
    """What a message may hold once it is inside Rasa: text, whole characters, no PII."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return redact(without_surrogates(text)[:MAX_QUERY_CHARS])


def clean_metadata(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k): clean_metadata(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_metadata(v) for v in value]
    return value


class WholeTextCollector(CollectingOutputChannel):
    """The REST channel's collector, one message per text (it fills the list REST returns)."""

    def __init__(self, collector: CollectingOutputChannel) -> None:
        self.messages = collector.messages

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class WholeTextSocketIOOutput(SocketIOOutput):
    """socket.io output with one bot_uttered per text, its quick replies on it."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]}
                   for b in buttons]
        await self._send_message(recipient_id, {"text": text.strip(), "quick_replies": replies})


def whole_texts(channel: OutputChannel) -> OutputChannel:
    """The same channel, sending each text whole (exact types only: REST's streaming queue
    and anything else are left as they are)."""
    if type(channel) is CollectingOutputChannel:
        return WholeTextCollector(channel)
    if type(channel) is SocketIOOutput:
        return WholeTextSocketIOOutput(channel.sio, channel.bot_message_evt)
    return channel


def redacting(on_new_message: Callable[[UserMessage], Awaitable[Any]]
              ) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handler(message: UserMessage) -> Any:
        message.text = clean(message.text)
        message.metadata = clean_metadata(message.metadata)
        message.output_channel = whole_texts(message.output_channel)
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
