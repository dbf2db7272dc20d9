"""Remove personal data from free text before it reaches Rasa, logs or storage.

Citizens type their CPR number, phone number or e-mail into a chat box even when asked not
to. Everything that leaves the web process (to Rasa, to a log line, to the feedback database)
goes through `redact()` first. The patterns are deliberately broad: a false positive costs a
word, a false negative costs someone's CPR number in a log.
"""
from __future__ import annotations

import re

CPR_TOKEN = "[CPR-nummer]"
EMAIL_TOKEN = "[e-mail]"
PHONE_TOKEN = "[telefonnummer]"
NUMBER_TOKEN = "[nummer]"

# ddmmyy-xxxx, ddmmyy xxxx and ddmmyyxxxx with a plausible day (01-31) and month (01-12).
# Not glued to other digits, so an account number is not cut in half.
_CPR = re.compile(
    r"(?<![\d])"
    r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}"
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


def redact(text: str) -> str:
    """Return `text` with CPR numbers, e-mail addresses and phone numbers replaced by tokens.

    Order matters: CPR (10 digits) before phone numbers (8 digits), so a CPR number is never
    half-replaced as a phone number.
    """
    if not text:
        return text
    text = _CPR.sub(CPR_TOKEN, text)
    text = _EMAIL.sub(EMAIL_TOKEN, text)
    text = _PHONE.sub(PHONE_TOKEN, text)
    text = _LONG_NUMBER.sub(NUMBER_TOKEN, text)
    return text


def contains_personal_data(text: str) -> bool:
    """True if `redact` would change `text` (used to tell the citizen we removed something)."""
    return bool(text) and redact(text) != text
