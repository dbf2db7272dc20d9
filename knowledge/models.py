"""The knowledge base as immutable values: what the YAML means once it has been validated."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .text import fold

__all__ = ["fold"]  # re-exported: lexical search and older callers import it from here

TOPICS: dict[str, str] = {
    "klage": "Klage",
    "sagsbehandling": "Sagsbehandling",
    "bolig": "Bolig og hjemløshed",
    "penge": "Penge og ydelser",
    "sundhed": "Sundhed og behandling",
    "ung": "Unge og efterværn",
    "arbejde": "Arbejde, sygdom og jobcenter",
    "handicap": "Handicap, ældre og hjælp i hverdagen",
    "uddannelse": "Uddannelse",
    "familie": "Familie og børn",
    "raadgivning": "Rådgivning og hjælp",
    "hverdag": "Hverdag",
}
CHANNEL_KINDS: dict[str, str] = {
    "klage": "Klage",
    "raad": "Rådgivning",
    "krise": "Akut hjælp",
    "myndighed": "Myndighed",
}
# What a kommune's own channel is, so the bot can pick "the borgerrådgiver in Odense".
LOCAL_ROLES: dict[str, str] = {
    "borgerraadgiver": "Borgerrådgiver",
    "udsatteraad": "Udsatteråd",
    "rusmiddelcenter": "Rusmiddelcenter",
    "jobcenter": "Jobcenter",
    "akut": "Akut- og krisetilbud",
    "herberg": "Herberg og forsorgshjem",
    "borgerservice": "Borgerservice",
}
# The national "Din kommune" channel: replaced by the kommune's own when the kommune is known.
KOMMUNE_CHANNEL = "kommunen"
REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
LANGUAGES = ("da", "en")


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    kind: str
    for_whom: str
    phone: str | None = None
    url: str | None = None
    hours: str | None = None
    description: str | None = None
    # Only a kommune's own channels have these (see LOCAL_ROLES).
    role: str | None = None
    email: str | None = None
    sources: tuple[str, ...] = ()
    reviewed: date | None = None

    @property
    def tel_url(self) -> str | None:
        """A `tel:` link; Danish 8-digit numbers get +45 so they dial from foreign phones too."""
        if not self.phone:
            return None
        digits = re.sub(r"\D", "", self.phone)
        return f"tel:+45{digits}" if len(digits) == 8 else f"tel:{digits}"


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    summary: str
    body: str
    topic: str
    questions: tuple[str, ...]
    legal_basis: tuple[str, ...]
    sources: tuple[str, ...]
    channels: tuple[str, ...]
    reviewed: date
    lang: str
    url: str
    source_file: str
    valid_from: date | None = None
    valid_until: date | None = None
    related: tuple[str, ...] = ()
    related_lines: tuple[int, ...] = field(default=(), compare=False, repr=False)
    question_lines: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @property
    def topic_label(self) -> str:
        return TOPICS.get(self.topic, self.topic)

    def paragraphs(self) -> list[str]:
        """Body split on blank lines: the unit councils write in and pages render."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    region: str
    aliases: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()
    website: str | None = None
    phone: str | None = None  # Borgerservice / the main number
    sources: tuple[str, ...] = ()
    reviewed: date | None = None





@dataclass(frozen=True)
class KnowledgeBase:
    articles: dict[str, Article]
    channels: dict[str, Channel]
    municipalities: dict[str, Municipality]
    # Example messages the bot must not answer from an article (weather, sport, shopping …).
    out_of_scope: tuple[str, ...] = ()
    gaps: tuple = ()  # knowledge.gaps.Gap: topics without an article, and who answers them
    # Crisis messages (the NLU's crisis examples): a question closer to one of them than to any
    # article question is treated as a possible crisis (knowledge.search).
    crisis_examples: tuple[str, ...] = ()
    resolver: object = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from .municipalities import MunicipalityResolver  # it reads these models

        object.__setattr__(self, "resolver", MunicipalityResolver(self.municipalities.values()))

    def article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def article_titled(self, text: str | None) -> Article | None:
        """The article whose title this is (a tapped "Mente du …?" button sends the title)."""
        key = fold(text or "")
        return next((a for a in self.articles.values() if fold(a.title) == key), None) if key else None

    def municipality(self, text: str | None) -> Municipality | None:
        """A kommune by name, alias or id (knowledge.municipalities, the one resolver)."""
        return self.resolver.exact(text)

    def channels_of_kind(self, kind: str) -> list[Channel]:
        return [c for c in self.channels.values() if c.kind == kind]

    def crisis_channels(self) -> list[Channel]:
        return self.channels_of_kind("krise")

    def channels_for(self, article: Article, kommune: str | None = None) -> list[Channel]:
        """The article's national channels, then the kommune's own (borgerrådgiver, udsatteråd,
        the kommune's website and number)."""
        from .municipalities import local_channels

        found = self.channels_named(article.channels, kommune)
        return found + [c for c in local_channels(self.municipality(kommune)) if c not in found]

    def channels_named(self, ids, kommune: str | None = None) -> list[Channel]:
        """Channels by id (unknown ids skipped), with the kommune's own website and number in
        place of the national "Din kommune" (borger.dk) when the kommune is known: a citizen
        on Aarhus's site is sent to aarhus.dk, not to a page where they must find it."""
        from .municipalities import kommune_channel

        town_hall = kommune_channel(self.municipality(kommune))
        return [town_hall if c == KOMMUNE_CHANNEL and town_hall else self.channels[c]
                for c in ids if c in self.channels]
