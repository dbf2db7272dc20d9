"""LIX, the Scandinavian readability index: the number councils are asked to keep at 40 or below.

LIX = words / sentences + 100 * long words / words, where a long word has more than six
letters. Around 40 reads like a newspaper for most adults; many of our readers struggle above it.
"""
from __future__ import annotations

import re

LIX_LIMIT = 40

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# A sentence ends at . ! ? : or a line break (list items and headings count as sentences).
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n+")


def lix(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    long_words = sum(1 for w in words if len(w.replace("-", "")) > 6)
    return round(len(words) / sentences + 100 * long_words / len(words), 1)
