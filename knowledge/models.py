"""The knowledge base as immutable values: what the YAML means once it has been validated."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

TOPICS: dict[str, str] = {
    "klage": "Klage",
    "sagsbehandling": "Sagsbehandling",
    "bolig": "Bolig og hjemløshed",
    "penge": "Penge og ydelser",
    "sundhed": "Sundhed og behandling",
    "ung": "Unge og efterværn",
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


def fold(text: str) -> str:
    """Case-, accent- and æøå-insensitive key, so 'Århus', 'aarhus' and 'ÅRHUS' meet."""
    text = text.casefold().strip()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_KOMMUNE_WORDS = re.compile(r"\b(kommune|kommunen|kommunes|municipality)\b")


@dataclass(frozen=True)
class KnowledgeBase:
    articles: dict[str, Article]
    channels: dict[str, Channel]
    municipalities: dict[str, Municipality]
    # Example messages the bot must not answer from an article (weather, sport, shopping …).
    out_of_scope: tuple[str, ...] = ()
    _by_name: dict[str, Municipality] = field(default_factory=dict, init=False, repr=False,
                                               compare=False)

    def __post_init__(self) -> None:
        for m in self.municipalities.values():
            for name in (m.id, m.name, *m.aliases):
                self._by_name[fold(name)] = m

    def article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def municipality(self, text: str | None) -> Municipality | None:
        """Finds a kommune by name, alias or id, ignoring case, æøå spelling and 'Kommune'."""
        if not text:
            return None
        key = re.sub(r"\s+", " ", _KOMMUNE_WORDS.sub(" ", fold(text))).strip()
        # "Københavns Kommune": the genitive s, tried only when the plain name is unknown.
        return self._by_name.get(key) or self._by_name.get(key.removesuffix("s"))

    def channels_of_kind(self, kind: str) -> list[Channel]:
        return [c for c in self.channels.values() if c.kind == kind]

    def crisis_channels(self) -> list[Channel]:
        return self.channels_of_kind("krise")

    def channels_for(self, article: Article, kommune: str | None = None) -> list[Channel]:
        """The article's national channels, then the kommune's own (borgerrådgiver, udsatteråd)."""
        found = [self.channels[c] for c in article.channels if c in self.channels]
        municipality = self.municipality(kommune)
        if municipality:
            found.extend(municipality.channels)
        return found
