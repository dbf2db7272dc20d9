"""A seeded generator of hostile chat messages, shared by the fuzz tests in both venvs.

Plain standard library (the Rasa venv imports it too). Each family is a way real text has
broken chat bots: characters that grow under NFKC (U+FDFA becomes 18 letters, ligatures),
lone surrogates, control and bidi characters, combining marks, long non-ASCII runs, odd digits.
"""
from __future__ import annotations

import random

EXPANDING = "\ufdfa\ufdfb\u3250\u32ff\u33ff\ufb03\ufb04\u2474\u249c\u1e9b\u0390\u2fd5\u3300"
CONTROL = "".join(map(chr, [*range(32), 127, *range(0x80, 0xA0)]))
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
ODD_DIGITS = "²³¹¼½١٢٣۴৫௬๗໘߉᠐０１２"
SCRIPTS = ("ÆØÅæøå", "абвгдеёжзий", "أبتثجحخدذرز", "ąćęłńóśźż", "一二三四五六七八九", "😀🙏🏽👨‍👩‍👧‍👦🇩🇰")
WORDS = ("jeg", "vil", "klage", "kontanthjælp", "hjælp", "kommunen", "hej", "stop", "nej",
         "ja", "hvad", "CPR", "112", "selvmord", "bolig")


def hostile_messages(count: int, seed: int = 14) -> list[str]:
    """`count` messages, the same ones for the same seed; the first ones are the worst known."""
    rng = random.Random(seed)
    fixed = ["\ufdfa" * 300, "\ufdfa" * 1000, "\ufb03" * 1000, "\ud800", "\udfff hej \ud800",
             "\u202ejeg vil klage", "\x00" * 50, "a\u0301" * 500, "²" * 30, "",
             " " * 1000, "\n\t\r" * 100, "ﷺ" * 10 + "jeg vil klage", "🙏" * 1000]
    makers = (
        lambda: "".join(rng.choice(EXPANDING) for _ in range(rng.randint(1, 1000))),
        lambda: "".join(chr(rng.randint(0xD800, 0xDFFF)) + rng.choice(WORDS)
                        for _ in range(rng.randint(1, 20))),
        lambda: "".join(rng.choice(CONTROL + BIDI) + rng.choice(WORDS)
                        for _ in range(rng.randint(1, 50))),
        lambda: "".join(rng.choice(rng.choice(SCRIPTS)) for _ in range(1000)),
        lambda: " ".join(rng.choice(WORDS) + rng.choice(ODD_DIGITS) for _ in range(20)),
        lambda: "".join(chr(rng.randint(0x20, 0x10FFFF)) for _ in range(rng.randint(1, 300))),
        lambda: rng.choice(WORDS) + "\u0301\u0308\u20dd" * rng.randint(1, 300),
    )
    out = fixed[:count]
    while len(out) < count:
        out.append(rng.choice(makers)())
    return out
