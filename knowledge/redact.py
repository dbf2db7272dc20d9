"""Remove personal data from free text before it reaches Rasa, logs or storage.

Citizens type their CPR number, phone number, e-mail, name or street address into a chat box
even when asked not to. Everything that reaches storage goes through `redact()` first: the web
app before Rasa, the log and the feedback database; Rasa's own REST and socket.io channels
(bot/redacting_channels.py) before the tracker store, for clients that talk to Rasa directly.
The patterns are deliberately broad: a false positive costs a word, a false negative costs
someone's CPR number in a log.

Standard library only: the Rasa venv imports this module too (one function for both paths).
"""
from __future__ import annotations

import re

CPR_TOKEN = "[CPR-nummer]"
EMAIL_TOKEN = "[e-mail]"
PHONE_TOKEN = "[telefonnummer]"
NUMBER_TOKEN = "[nummer]"
NAME_TOKEN = "[navn]"
ADDRESS_TOKEN = "[adresse]"

# ddmmyy-xxxx, ddmmyy xxxx, ddmmyyxxxx and dd mm yy xxxx with a plausible day (01-31) and
# month (01-12). Not glued to other digits, so an account number is not cut in half.
_CPR = re.compile(
    r"(?<![\d])"
    r"(?:0[1-9]|[12]\d|3[01])[ \t]?(?:0[1-9]|1[0-2])[ \t]?\d{2}"
    r"[ \t]?[-‐‑–]?[ \t]?"
    r"\d{4}"
    r"(?![\d])"
)

_EMAIL = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+"          # local part (unicode letters too: æøå)
    r"\s?@\s?"
    r"[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}",
    re.UNICODE,
)

# Danish numbers have 8 digits, optionally after +45 / 0045, written as 12345678,
# 12 34 56 78, 1234 5678, 70 201 201 or 12-34-56-78. Dots are not separators: 12.03.2024
# is a date (and a date matters for a complaint deadline).
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?45[ \t-]?)?"
    r"(?:"
    r"\d{2}-\d{2}-\d{2}-\d{2}"            # 12-34-56-78
    r"|\d(?:[ \t]?\d){7}"                 # 12345678, 12 34 56 78, 1234 5678, 70 201 201
    r")"
    r"(?![\d])"
)

# Whatever long digit run is left (account, case or card numbers) identifies a person too.
_LONG_NUMBER = re.compile(r"(?<!\d)\d{9,}(?!\d)")

_WORD = r"[^\W\d_][\w'’-]*"
# Words that end a name typed in lower case ("jeg hedder peter og bor ..."). The first word
# after an introduction is always taken: a false positive costs one word.
_NOT_NAME = frozenset(["og", "eller", "men", "i", "på", "paa", "fra", "til", "med", "er", "og", "har", "bor", "jeg", "du", "han", "hun", "de", "vi", "min", "mit", "mine", "sin", "som", "der", "det", "den", "en", "et", "ikke", "kan", "vil", "skal", "må", "maa", "bare", "også", "ogsaa", "så", "saa", "tak", "hej", "hvad", "hvor", "hvordan", "hvorfor", "når", "naar", "fordi", "at", "af", "for", "om", "the", "and", "is", "i'm", "im", "from"])
# Phrases after which a name follows, whatever its case.
_NAME_INTRO = re.compile(
    r"\b(?:jeg\s+hedder|jeg\s+heder|mit\s+navn\s+er|navnet\s+er|hedder|heder|navn\s*:"
    r"|my\s+name\s+is|i\s+am\s+called|call\s+me)\s+", re.IGNORECASE)
# People named by their role: only a capitalised word right after counts as a name
# ("min sagsbehandler Lone Jensen siger ..." but not "min sagsbehandler siger ...").
_ROLE_INTRO = re.compile(
    r"\b(?:sagsbehandler(?:en)?|rådgiver(?:en)?|raadgiver(?:en)?|kontaktperson(?:en)?|mentor(?:en)?"
    r"|socialrådgiver(?:en)?|socialraadgiver(?:en)?|læge(?:n)?|laege(?:n)?|jeg\s+er"
    r"|klage\s+over|klager\s+over|over|imod|mod|my\s+caseworker|i\s+am|i'm)\s+(?=[A-ZÆØÅ])",
    re.IGNORECASE)
# Capitalised words after "klage over …" that name an authority, not a person: kept, so the
# draft letter still says what the complaint is about.
_INSTITUTIONS = frozenset(["kommune", "kommunen", "kommunens", "jobcenter", "jobcentret", "jobcenteret", "ankestyrelsen", "udbetaling", "danmark", "borgerservice", "skat", "skattestyrelsen", "politiet", "regionen", "region", "sygehuset", "hospitalet", "familieretshuset", "gældsstyrelsen", "gaeldsstyrelsen", "styrelsen", "ombudsmanden", "afgørelsen", "afgoerelsen", "beslutningen", "kriminalforsorgen", "boligselskabet", "forvaltningen", "socialforvaltningen", "borgerrådgiveren"])
_CAPITALISED = re.compile(r"[A-ZÆØÅ][\w'’-]*")

# A street name (one word ending in vej, gade, allé …, or a capitalised word before a separate
# Vej/Gade/Allé …) with a house number, an optional letter and floor/side ("3. tv", "st. th").
_STREET_ENDINGS = ("vej|vejen|gade|gaden|allé|alle|vænge|vænget|stræde|straede|boulevard|plads"
                   "|torv|torvet|parken|bakken|toften|stien|haven|vang|vangen|løkke|kvarter|gården"
                   "|engen|marken|skoven|huse|passagen|ager|agervej|park|road|street")
_ADDRESS = re.compile(
    r"(?:\b[^\W\d_]{2,}(?:" + _STREET_ENDINGS + r")"
    r"|\b[A-ZÆØÅ][^\W\d_]+\s+(?:Vej|Gade|Allé|Alle|Plads|Boulevard|Torv|Stræde|Vænge))"
    r"\s+\d{1,4}(?:\s?[a-zA-Z]\b)?"
    r"(?:,?\s*(?:st|kl|\d{1,2})\.?\s*(?:tv|th|mf|\d{1,3})?\.?(?=\s|$|[,;!?]))?",
    re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")


def redact(text: str) -> str:
    """Return `text` with CPR numbers, e-mail addresses, phone numbers, street addresses and
    names replaced by tokens.

    Order matters: CPR (10 digits) before phone numbers (8 digits), so a CPR number is never
    half-replaced as a phone number; addresses before the digit runs they contain.
    """
    if not text:
        return text
    text = _CPR.sub(CPR_TOKEN, text)
    text = _EMAIL.sub(EMAIL_TOKEN, text)
    text = _ADDRESS.sub(ADDRESS_TOKEN, text)
    text = _PHONE.sub(PHONE_TOKEN, text)
    text = _LONG_NUMBER.sub(NUMBER_TOKEN, text)
    text = _names(text)
    return text


def without_surrogates(text: str) -> str:
    """A lone surrogate ("\\ud800") is half a character: no database or encoder takes it."""
    return _SURROGATE.sub("\ufffd", text)


def _names(text: str) -> str:
    out: list[str] = []
    pos = 0
    for intro in sorted([*_NAME_INTRO.finditer(text), *_ROLE_INTRO.finditer(text)],
                        key=lambda m: m.start()):
        if intro.start() < pos:
            continue
        strict = intro.re is _ROLE_INTRO
        end = _name_end(text, intro.end(), strict)
        if end > intro.end():
            out.append(text[pos:intro.end()] + NAME_TOKEN)
            pos = end
    return "".join(out) + text[pos:]


def _name_end(text: str, start: int, strict: bool) -> int:
    """End of up to three name words from `start` (capitalised only, when `strict`)."""
    end = start
    for n, word in enumerate(re.finditer(r"\s*(" + _WORD + r")", text[start:])):
        if word.start() != end - start:
            break
        value = word.group(1)
        capital = bool(_CAPITALISED.fullmatch(value))
        if strict and (not capital or value.casefold() in _INSTITUTIONS):
            break
        if n > 0 and (value.casefold() in _NOT_NAME or (not capital and not strict
                                                           and n > 1)):
            break
        if n == 0 and value.casefold() in _NOT_NAME and not capital:
            break
        if value.startswith("[") or n == 3:
            break
        end = start + word.end()
    following = re.match(r"\s+(" + _WORD + r")", text[end:])
    if strict and following and following.group(1).casefold() in _INSTITUTIONS:
        return start                      # "over Københavns Kommune": a place, not a person
    return end


def contains_personal_data(text: str) -> bool:
    """True if `redact` would change `text` (used to tell the citizen we removed something)."""
    return bool(text) and redact(text) != text
