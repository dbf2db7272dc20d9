"""The one kommune resolver: from the widget's `data-kommune`, an API parameter or what a
citizen writes ("jeg bor i Haderslev", "Kobenhavn", "Halsnas", "Hadersleb", a town of a merged
kommune) to one `Municipality`. Web, actions, search and the CLI all ask here, so they agree.

And the kommune's own channels by role (borgerrådgiver, udsatteråd …), local before national.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from .models import Channel, Municipality
from .text import fold, skeleton

_KOMMUNE_WORDS = re.compile(r"\b(kommune|kommunen|kommunes|municipality|regionskommune)\b")
# Words that are never a kommune, however close they spell one ("Lejre" ~ "lejer").
_NEVER = frozenset(fold(w) for w in ["jeg", "du", "vi", "de", "han", "hun", "bor", "i", "på", "paa", "fra", "til", "og", "det", "er", "en", "et", "min", "mit", "kan", "vil", "skal", "har", "hvad", "hvor", "hvordan", "lejer", "leje", "hjælp", "hjaelp", "klage", "kommune", "kommunen", "stop", "nej", "ja", "tak"])
TYPO_CUTOFF = 0.84      # difflib ratio: "Hadersleb" ~ "Haderslev", not "Herning" ~ "Herlev"
TYPO_MIN_LEN = 5        # short words are too easily near something


def official_name(name: str) -> str:
    """'Aarhus' -> 'Aarhus Kommune'; the two with another form are spelled as they spell it."""
    special = {"københavn": "Københavns Kommune", "bornholm": "Bornholms Regionskommune"}
    return special.get(name.casefold(), f"{name} Kommune")


class MunicipalityResolver:
    """Built once per knowledge set (KnowledgeBase holds one)."""

    def __init__(self, municipalities: Iterable[Municipality]):
        self._exact: dict[str, Municipality] = {}
        self._loose: dict[str, Municipality] = {}
        for m in municipalities:
            for name in (m.id, m.name, *m.aliases):
                self._exact.setdefault(fold(name), m)
                for form in (name, official_name(name)):
                    self._loose.setdefault(skeleton(_without_kommune(fold(form))), m)
        self._typo_keys = [k for k in self._loose if len(k) >= TYPO_MIN_LEN]

    def exact(self, text: str | None) -> Municipality | None:
        """A name, alias or id, ignoring case, æøå spelling and 'Kommune' ('Københavns Kommune',
        'aarhus', 'Kobenhavn', 'Halsnas'). For fields that should hold just a kommune."""
        if not text:
            return None
        key = re.sub(r"\s+", " ", _without_kommune(fold(text))).strip()
        if not key:
            return None
        # "Københavns Kommune": the genitive s, tried only when the plain name is unknown.
        return (self._exact.get(key) or self._exact.get(key.removesuffix("s"))
                or self._loose.get(skeleton(key)) or self._loose.get(skeleton(key).removesuffix("s")))

    def find(self, text: str | None, typos: bool = True) -> Municipality | None:
        """The kommune a free-text message names, or None: the whole text, then every window of
        1–3 words (longest first), then, with `typos`, one close misspelling of a word."""
        found = self.exact(text)
        if found or not text:
            return found
        words = re.findall(r"[^\W_][\w-]*", text)
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                window = words[i:i + size]
                if size == 1 and fold(window[0]) in _NEVER:
                    continue
                found = self.exact(" ".join(window))
                if found:
                    return found
        if typos:
            for word in words:
                key = skeleton(word)
                if len(key) < TYPO_MIN_LEN or fold(word) in _NEVER:
                    continue
                close = difflib.get_close_matches(key, self._typo_keys, n=1, cutoff=TYPO_CUTOFF)
                if close:
                    return self._loose[close[0]]
        return None


def _without_kommune(folded: str) -> str:
    return re.sub(r"\s+", " ", _KOMMUNE_WORDS.sub(" ", folded)).strip()


def channels_with_role(municipality: Municipality | None, role: str) -> list[Channel]:
    """The kommune's own channel(s) with this role ('borgerraadgiver', 'udsatteraad' …)."""
    if municipality is None:
        return []
    return [c for c in municipality.channels if c.role == role]


def local_channels(municipality: Municipality | None, roles: Iterable[str] | None = None
                   ) -> list[Channel]:
    """The kommune's own channels, in the order of `roles` (all of them when None), with a
    channel for the kommune itself (its website and Borgerservice number) last."""
    if municipality is None:
        return []
    wanted = list(roles) if roles is not None else None
    own = [c for c in municipality.channels if wanted is None or c.role in wanted]
    if wanted is not None:
        own.sort(key=lambda c: wanted.index(c.role))
    town_hall = kommune_channel(municipality)
    return own + ([town_hall] if town_hall else [])


def kommune_channel(municipality: Municipality | None) -> Channel | None:
    """The kommune itself as a channel: its own website and main number, when known."""
    if municipality is None or not (municipality.website or municipality.phone):
        return None
    return Channel(id=f"{municipality.id}-kommune", name=official_name(municipality.name),
                   kind="myndighed", for_whom=f"Borgere i {official_name(municipality.name)}.",
                   phone=municipality.phone, url=municipality.website, role="borgerservice",
                   sources=municipality.sources, reviewed=municipality.reviewed)
