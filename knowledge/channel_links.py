"""How a channel (a phone number, a web address) becomes a link: the one place for it.

The actions use it for Rasa's messages and the web app for its own fallback answers (neither
imports the other; both import `knowledge`). Each link exists in two forms:
- `{"title", "url"}` for our widget, which shows them as a list under the message;
- Markdown in the message text (`[70 201 201](tel:+4570201201)`), for standard Rasa clients
  (rasa-webchat and the like), which show only the text and buttons of a message.
The words (titles, list lines) come from the caller: bot/domain.yml or web/messages.py.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .models import Channel

# A Markdown link as written by `markdown()`: the label may hold escaped brackets.
MARKDOWN_LINK = re.compile(r"\[((?:\\.|[^\\\]])*)\]\(([^()\s]+)\)")


@dataclass(frozen=True)
class LinkWords:
    """Templates with {name}, {phone}, {url}: a link's title and a channel's line in a list."""

    call: str = "{name}: {phone}"        # a tel: link ("Ring til Livslinien: 70 201 201")
    call_name: str = "{name}"            # ... when the name says the number ("Alarm 112")
    web: str = "{name}"                  # a web link ("Livslinien (hjemmeside)")
    line_phone: str = "- {name}: {phone}"
    line_name: str = "- {name}"
    line_web: str = "- {name}: {url}"


def says_its_number(channel: Channel) -> bool:
    """A channel named by its number ("Alarm 112") is not written "Alarm 112: 112"."""
    digits = re.sub(r"\D", "", channel.phone or "")
    return bool(digits) and digits in re.sub(r"\D", "", channel.name)


def markdown(title: str, url: str) -> str:
    """`[title](url)`, with brackets in the title escaped and the URL kept in one piece."""
    label = re.sub(r"([\\\[\]])", r"\\\1", title)
    target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({target})"


def plain(text: str) -> str:
    """The text with every Markdown link written by `markdown()` replaced by its title."""
    return MARKDOWN_LINK.sub(lambda m: re.sub(r"\\(.)", r"\1", m.group(1)), text)


def short_url(url: str) -> str:
    """What a web link is called in running text: its host, without "www." ("ast.dk")."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def page_name(url: str) -> str:
    """A page named by its host and last path part ("ast.dk/klagefrister"), so that three
    sources on one site do not read the same."""
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{short_url(url)}/{last}" if last else short_url(url)


def phone_link(channel: Channel, words: LinkWords = LinkWords()) -> dict | None:
    if not (channel.phone and channel.tel_url):
        return None
    template = words.call_name if says_its_number(channel) else words.call
    return {"title": template.format(name=channel.name, phone=channel.phone),
            "url": channel.tel_url}


def web_link(channel: Channel, words: LinkWords = LinkWords()) -> dict | None:
    if not channel.url:
        return None
    return {"title": words.web.format(name=channel.name), "url": channel.url}


def links(channels: Iterable[Channel], words: LinkWords = LinkWords()) -> list[dict]:
    """A tel: link per phone and a web link per address, in the channels' order."""
    out = []
    for channel in channels:
        out += [link for link in (phone_link(channel, words), web_link(channel, words)) if link]
    return out


def line(channel: Channel, words: LinkWords = LinkWords()) -> str | None:
    """One list line: the phone as a tel: link if it has one, else its web address."""
    if channel.phone and channel.tel_url and says_its_number(channel):
        return words.line_name.format(name=markdown(channel.name, channel.tel_url))
    if channel.phone and channel.tel_url:
        return words.line_phone.format(name=channel.name,
                                       phone=markdown(channel.phone, channel.tel_url))
    if channel.url:
        return words.line_web.format(name=channel.name,
                                     url=markdown(short_url(channel.url), channel.url))
    return None


def lines(channels: Iterable[Channel], words: LinkWords = LinkWords()) -> str:
    """The channels as a Markdown list, one line each (no blank lines: one list)."""
    return "\n".join(text for text in (line(c, words) for c in channels) if text)


def markdown_list(items: Iterable[dict]) -> str:
    """`{"title", "url"}` links as a Markdown list: what standard clients show of them."""
    return "\n".join(f"- {markdown(item['title'], item['url'])}" for item in items)
