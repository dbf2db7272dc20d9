"""Text folding: one place for how the bot compares what citizens type with what YAML says.

Two strengths, because the two uses differ:
- `fold` keys names and words: case, accents and æøå spelling ("Århus", "aarhus", "ÅRHUS"
  meet; æ->ae, ø->oe, å->aa as article ids are written).
- `skeleton` is looser, for typed text without æøå at all: æøå and their digraphs collapse to
  one vowel ("slå", "slaa", "sla" -> "sla"; "Halsnæs", "Halsnaes", "Halsnas" -> "halsnas").
"""
from __future__ import annotations

import re
import unicodedata

_DIGRAPHS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"))


def _strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Case-, accent- and æøå-insensitive key, so 'Århus', 'aarhus' and 'ÅRHUS' meet."""
    text = (text or "").casefold().strip()
    for a, b in _DIGRAPHS:
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", " ", _strip_accents(text)).strip()


def fold_spelling(text: str) -> str:
    """Like `fold`, but keeps punctuation and digits as typed: dates ('3/12', '3.12.26') and
    apostrophes still read. Whitespace collapses to one space."""
    text = (text or "").casefold()
    for a, b in _DIGRAPHS:
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", _strip_accents(text)).strip()


def skeleton(text: str) -> str:
    """Lower case, æøå and accents to plain letters, doubled/digraph vowels collapsed.

    'slå', 'slaa' and 'sla' all become 'sla'; 'kæreste', 'kaereste' and 'kareste' become
    'karest...'. The crisis patterns are written in this folded form.
    """
    text = (text or "").casefold()
    for a, b in (("æ", "a"), ("ø", "o"), ("å", "a")):
        text = text.replace(a, b)
    text = _strip_accents(text).replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for a, b in (("aa", "a"), ("ae", "a"), ("oe", "o")):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip()


def ascii_variants(name: str) -> list[str]:
    """'København' -> 'Koebenhavn', 'Kobenhavn': how names are typed without æøå."""
    variants = []
    for table in ((("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")),
                  (("æ", "a"), ("ø", "o"), ("å", "a"), ("Æ", "A"), ("Ø", "O"), ("Å", "A"))):
        v = name
        for a, b in table:
            v = v.replace(a, b)
        if v != name:
            variants.append(v)
    return variants


_ENGLISH_WITH_DIGRAPHS = frozenset({"does", "goes", "shoes", "toe", "toes", "canoe", "poem",
                                    "poet", "aerial", "israel", "michael", "bazaar"})


def restore_danish_letters(text: str) -> str:
    """"hjaelp" -> "hjælp": citizens on foreign keyboards write æøå as ae/oe/aa, and the
    embedding model reads the two spellings as different words. Lexical search folds instead."""
    if re.search(r"[æøåÆØÅ]", text):
        return text

    def word(match: re.Match) -> str:
        w = match.group(0)
        if w.lower() in _ENGLISH_WITH_DIGRAPHS:
            return w
        return w.replace("aa", "å").replace("oe", "ø").replace("ae", "æ")

    return re.sub(r"[A-Za-z]+", word, text)
