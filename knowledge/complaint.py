"""Complaint deadlines: when a decision was received, in the words citizens use, and the date
the complaint must be in by.

The rule (forvaltningsloven, klagevejledning; ast.dk): 4 weeks from the day the decision was
received, so the deadline falls on the same weekday four weeks later — received + 28 days.
Everything here is pure and takes `today` as an argument, so it is tested without a clock.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .text import fold_spelling

DEADLINE_DAYS = 28      # four weeks
CLOSE_DAYS = 7          # "close": a week or less left



@dataclass(frozen=True)
class Deadline:
    received: date
    deadline: date
    today: date

    @property
    def days_left(self) -> int:
        """Whole days from today to the deadline: 0 means today is the last day."""
        return (self.deadline - self.today).days

    @property
    def status(self) -> str:
        """`passed`, `today`, `tomorrow`, `close` (≤ 7 days left) or `ok`."""
        if self.days_left < 0:
            return "passed"
        if self.days_left == 0:
            return "today"
        if self.days_left == 1:
            return "tomorrow"
        if self.days_left <= CLOSE_DAYS:
            return "close"
        return "ok"

    @property
    def extended_to(self) -> date | None:
        """When the last day is a Saturday, Sunday or public holiday, the next working day
        (the usual practice, 'som regel'); None when the deadline is a working day."""
        d = self.deadline
        if is_working_day(d):
            return None
        while not is_working_day(d):
            d += timedelta(days=1)
        return d


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def public_holidays(year: int) -> set[date]:
    """Danish public holidays (helligdage). Store bededag was abolished from 2024."""
    easter = easter_sunday(year)
    offsets = [-3, -2, 0, 1, 39, 49, 50]    # skærtorsdag ... 2. pinsedag
    if year < 2024:
        offsets.append(26)                  # store bededag
    days = {easter + timedelta(days=o) for o in offsets}
    return days | {date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)}


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in public_holidays(d.year)


def deadline_for(received: date, today: date | None = None) -> Deadline:
    return Deadline(received, received + timedelta(days=DEADLINE_DAYS), today or date.today())


# -- reading a date out of what the citizen wrote -----------------------------------------------

_fold = fold_spelling


_NUMBER_WORDS = {
    "en": 1, "et": 1, "een": 1, "one": 1, "a": 1, "an": 1,
    "to": 2, "two": 2, "et par": 2, "a couple of": 2, "par": 2,
    "tre": 3, "three": 3, "fire": 4, "four": 4, "fem": 5, "five": 5,
    "seks": 6, "six": 6, "syv": 7, "seven": 7, "otte": 8, "eight": 8,
    "ni": 9, "nine": 9, "ti": 10, "ten": 10, "elleve": 11, "tolv": 12,
    "tretten": 13, "fjorten": 14, "femten": 15, "seksten": 16, "sytten": 17, "atten": 18,
    "nitten": 19, "tyve": 20,
}
_ORDINALS = {
    "foerste": 1, "anden": 2, "andet": 2, "tredje": 3, "fjerde": 4, "femte": 5, "sjette": 6,
    "syvende": 7, "ottende": 8, "niende": 9, "tiende": 10, "elvte": 11, "tolvte": 12,
    "trettende": 13, "fjortende": 14, "femtende": 15, "sekstende": 16, "syttende": 17,
    "attende": 18, "nittende": 19, "tyvende": 20, "enogtyvende": 21, "toogtyvende": 22,
    "treogtyvende": 23, "fireogtyvende": 24, "femogtyvende": 25, "seksogtyvende": 26,
    "syvogtyvende": 27, "otteogtyvende": 28, "niogtyvende": 29, "tredivte": 30,
    "tredevte": 30, "enogtredivte": 31, "enogtredevte": 31,
}
_MONTHS = {
    "januar": 1, "jan": 1, "january": 1, "februar": 2, "feb": 2, "february": 2,
    "marts": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "maj": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_WEEKDAYS = {
    "mandag": 0, "tirsdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "loerdag": 5,
    "lordag": 5, "soendag": 6, "sondag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
_UNITS = {
    "dag": 1, "dage": 1, "dags": 1, "day": 1, "days": 1, "doegn": 1,
    "uge": 7, "uger": 7, "uges": 7, "week": 7, "weeks": 7,
    "maaned": 30, "maaneder": 30, "maaneds": 30, "maned": 30, "maneder": 30,
    "month": 30, "months": 30,
}

_NUM = r"(\d{1,3}|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + ")"
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORD_RE = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
# 3/11, 3/11-2026, 3/11/26, 3.11, 3.11.2026, 03-11-2026
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s?[/.-]\s?(\d{1,2})(?:\s?[/.-]\s?(\d{4}|\d{2}))?"
                      r"(?![\d/]|\.\d)")
# 3. november, 3 nov 2026, tredje november
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}|{_ORD_RE})(?:st|nd|rd|th)?\.?\s*(?:i |of )?({_MONTH_RE})\b\.?"
                        rf"(?:,?\s*(\d{{4}}))?")
# november 3, november 3rd 2026
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(\d{{4}}))?")
_AGO = re.compile(rf"\b(?:for\s+)?{_NUM}\s+({'|'.join(_UNITS)})s?(?:\s+tid)?\s+(?:siden|ago)\b")
_LAST_WEEKDAY = re.compile(rf"\b(?:(sidste|forrige|last|i)\s+)?({_WEEKDAY_RE})(s)?\b")
_DAY_ONLY = re.compile(r"\b(?:den|d)\.?\s+(\d{1,2})\.(?!\s?\d)")    # "den 3." (this month)
_TODAY = re.compile(r"\b(?:i\s?dag|today|idag|nu i dag)\b")
_YESTERDAY = re.compile(r"\b(?:i\s?gaar|i\s?gar|igaar|yesterday)\b")
_DAY_BEFORE = re.compile(r"\b(?:i\s?forgaars|i\s?forgars|forgaars|the day before yesterday)\b")


def _year_for(day: int, month: int, today: date) -> date | None:
    """A day and month without a year: the most recent such date that is not in the future."""
    for year in (today.year, today.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d <= today:
            return d
    return None


def _make(day: int, month: int, year: str | None, today: date) -> date | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is None:
        return _year_for(day, month, today)
    y = int(year)
    if y < 100:
        y += 2000
    try:
        return date(y, month, day)
    except ValueError:
        return None


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word)


def parse_date(text: str, today: date | None = None) -> date | None:
    """The date a sentence speaks of, or None if there is none (then ask again).

    Understands 'i dag', 'i går', 'i forgårs', '3. november', '3/11', 'den 3.11.2026',
    '2026-11-03', 'for to uger siden', 'for 5 dage siden', 'sidste mandag', 'i mandags',
    'den 3.' and the same in English. A date may lie in the future; the caller decides what
    to say about that.
    """
    today = today or date.today()
    t = _fold(text)
    if not t:
        return None
    for reader in _READERS:
        found = reader(t, today)
        if found is not None:
            return found
    return None


def _read_iso(t: str, today: date) -> date | None:
    m = _ISO.search(t)
    return _make(int(m.group(3)), int(m.group(2)), m.group(1), today) if m else None


def _read_day_month(t: str, today: date) -> date | None:
    m = _DAY_MONTH.search(t)
    if m:
        day = int(m.group(1)) if m.group(1).isdigit() else _ORDINALS[m.group(1)]
        return _make(day, _MONTHS[m.group(2)], m.group(3), today)
    m = _MONTH_DAY.search(t)
    return _make(int(m.group(2)), _MONTHS[m.group(1)], m.group(3), today) if m else None


def _read_ago(t: str, today: date) -> date | None:
    m = _AGO.search(t)
    if not m:
        return None
    n = _number(m.group(1))
    if n is None:
        return None
    days = _UNITS[m.group(2)]
    if days == 30:
        return _months_back(today, n)
    return today - timedelta(days=n * days)


def _read_numeric(t: str, today: date) -> date | None:
    for m in _NUMERIC.finditer(t):
        found = _make(int(m.group(1)), int(m.group(2)), m.group(3), today)
        if found:
            return found
    return None


def _read_named_day(t: str, today: date) -> date | None:
    if _DAY_BEFORE.search(t):
        return today - timedelta(days=2)
    if _YESTERDAY.search(t):
        return today - timedelta(days=1)
    m = _LAST_WEEKDAY.search(t)
    if m:
        prefix, weekday, genitive = m.group(1), _WEEKDAYS[m.group(2)], m.group(3)
        back = (today.weekday() - weekday) % 7
        # "i mandags", "sidste mandag": a day that has passed, never today
        if back == 0 and (prefix in ("sidste", "forrige", "last") or (prefix == "i" and genitive)):
            back = 7
        return today - timedelta(days=back)
    if _TODAY.search(t):
        return today
    m = _DAY_ONLY.search(t)
    if m:
        day = int(m.group(1))
        this_month = _make(day, today.month, str(today.year), today)
        if this_month and this_month <= today:
            return this_month
        previous = today.replace(day=1) - timedelta(days=1)
        return _make(day, previous.month, str(previous.year), today)
    return None


_READERS = (_read_iso, _read_day_month, _read_ago, _read_numeric, _read_named_day)


def _months_back(today: date, n: int) -> date:
    month = today.month - n
    year = today.year
    while month < 1:
        month += 12
        year -= 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, min(day, today.day))
        except ValueError:
            continue
    return date(year, month, 28)


_DONT_KNOW = re.compile(r"\b(?:ved (?:det )?ikke|ved jeg ikke|ve ikke|aner (?:det )?ikke|"
                        r"husker (?:det )?ikke|kan (?:jeg )?ikke (?:lige )?huske|ikke sikker|"
                        r"ingen anelse|dont know|don't know|not sure|idk)\b")


def is_dont_know(text: str) -> bool:
    """'ved ikke', 'kan ikke huske': the citizen does not know (we go on without it)."""
    return bool(_DONT_KNOW.search(_fold(text).replace("’", "'")))


# -- where the complaint goes -------------------------------------------------------------------

# Benefits decided by Udbetaling Danmark (borger.dk): a complaint about them goes there first.
_UDBETALING_DANMARK = re.compile(
    r"boligstoette|boligstotte|boligydelse|boligsikring|folkepension|aeldrecheck|"
    r"boernecheck|bornecheck|boerne- og ungeydelse|boerne og ungeydelse|ungeydelse|"
    r"boernetilskud|bornetilskud|boernebidrag|barselsdagpenge|barsel|udbetaling danmark|"
    r"\budk\b|pension fra udlandet|international pension|underholdsbidrag|forskudsvis")


def authority_for(about: str | None) -> str:
    """Channel id of who decided, so who gets the complaint: `udbetaling-danmark` or `kommunen`."""
    if about and _UDBETALING_DANMARK.search(_fold(about)):
        return "udbetaling-danmark"
    return "kommunen"


# Where to get free help with a complaint, in this order, when the YAML has them.
HELP_CHANNELS = ("sociale-retshjaelp", "gadejuristen")


def help_channels(kb, article=None) -> list:
    """Free advice channels: the article's own (kind raad/klage) first, then the defaults."""
    ids = [c for c in (article.channels if article else ()) if c in kb.channels
           and kb.channels[c].kind == "raad"]
    ids += [c for c in HELP_CHANNELS if c in kb.channels and c not in ids]
    return [kb.channels[c] for c in ids]
