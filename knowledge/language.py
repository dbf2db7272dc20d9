"""Which language a citizen wrote in, roughly: enough to add one line in their language that
the answer is in Danish and that they can ask for an interpreter.

The search itself reads every language (multilingual-e5); this only picks that one line. It is
a word count, not a model: a message must have more of one language's common words than of
Danish's to count as that language. Arabic and Cyrillic letters are told by their script.
"""
from __future__ import annotations

import re
import unicodedata

DANISH = "da"
_WORDS = {
    "da": """jeg og er ikke hvad hvordan kan min mit mine har til på paa det at en et af med for om
             hvor hvornår hvornaar må maa skal vil jo få faa bor kommunen hjælp hjaelp""",
    "en": """i the my is are where can what how do does to and of for in me have get help am was
             with they from not you will would should who when why""",
    "de": """ich und der die das ist nicht wie wo kann mein meine mit bin habe hilfe ein eine was
             wann warum bekomme wohnung geld""",
    "pl": """nie jak gdzie jest mój moja moje mam się czy mogę moge pomoc dla jestem co jaki ile
             mieszkanie pieniądze pieniadze""",
}
_SETS = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """'da', 'en', 'de', 'pl', 'uk' or 'ar' ('da' when unsure: the bot's own language)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return DANISH
    scripts = [unicodedata.name(c, "").split(" ")[0] for c in letters]
    for script, lang in (("ARABIC", "ar"), ("CYRILLIC", "uk")):
        if scripts.count(script) > len(letters) / 2:
            return lang
    words = [w.casefold() for w in _TOKEN.findall(text)]
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _SETS.items()}
    best = max(counts, key=counts.get)
    if best != DANISH and counts[best] >= 2 and counts[best] > counts[DANISH]:
        return best
    return DANISH
