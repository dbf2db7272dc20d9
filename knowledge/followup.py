"""Follow-up questions: "hvad hvis de siger nej?", "hvor lang tid må de være om det?", "kan de
det?" mean nothing on their own; after an answer about efterværn or aktindsigt they mean a lot.

A message is a follow-up when it is short and leans on what was said before: strongly when
it opens like one ("og hvis", "hvad hvis", "men") or points back ("det", "de", "dem", "så");
weakly when it is only a short question ("hvor meget?", "hvor lang tid?"). The answer then
comes from the topic's family — the last article and its siblings by id ("eftervaern" ->
"eftervaern-afslag") — ranked by the follow-up itself, the last article unless a sibling fits
clearly better. A weak follow-up that the search answers from another topic, and any message
longer than a short follow-up, is searched on its own.
"""
from __future__ import annotations

import re

from .text import fold

MAX_WORDS = 9
# Short questions that may lean on the topic ("hvor meget?"), or open a full question.
_OPENS = re.compile(
    r"^(?:og|men|saa|hvad hvis|hvad nu hvis|hvis|hvad saa|hvor meget|hvor mange|hvor lang tid"
    r"|hvor laenge|hvornaar|kan de|maa de|skal de|kan jeg|maa jeg|skal jeg|hvad goer jeg"
    r"|hvad kan jeg|hvem|hvordan|hvad med|how long|how much|can they|what about)\b")
_STRONG = re.compile(r"^(?:og|men|saa|hvad hvis|hvad nu hvis|hvis|hvad saa|what if|and if|but)\b")
_POINTS_BACK = re.compile(r"\b(?:det|de|dem|den|saa|dette|that|they|it|them)\b")
SIBLING_MARGIN = 0.01   # a sibling must beat the last article by this on the follow-up itself

STRONG, WEAK = "strong", "weak"


def follow_up_kind(text: str) -> str | None:
    """'strong', 'weak' or None (a message of its own)."""
    folded = fold(text)
    words = folded.split()
    if not words or len(words) > MAX_WORDS:
        return None
    if _STRONG.search(folded) or _POINTS_BACK.search(folded):
        return STRONG
    return WEAK if _OPENS.search(folded) else None


def family(kb, article) -> list:
    """The last article and its siblings by id ("eftervaern", "eftervaern-afslag", …). Its
    `related` articles are next steps, not the same topic: they are offered as buttons."""
    stem = article.id.split("-")[0]
    ids = [article.id] + [a for a in kb.articles if a != article.id and a.split("-")[0] == stem]
    return [kb.articles[a] for a in ids]


def pick_in_family(hits, members) -> tuple | None:
    """(article, hit) from the family for a follow-up, ranked by the follow-up's own search
    hits; the last article (members[0]) unless another member is clearly better."""
    scores = {h.article.id: h for h in hits}
    present = [m for m in members if m.id in scores]
    if not present:
        return None
    best = max(present, key=lambda m: scores[m.id].score)
    first = members[0]
    if first.id in scores and scores[best.id].score - scores[first.id].score < SIBLING_MARGIN:
        best = first
    return best, scores[best.id]
