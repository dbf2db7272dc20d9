"""Danish dates as the bot writes them: one month table for the chat, the pages and letters."""
from __future__ import annotations

from datetime import date

WEEKDAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")


def danish_date(day: date | None) -> str:
    """'23. november 2026' ('' for no date)."""
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}" if day else ""


def danish_date_with_weekday(day: date) -> str:
    """'mandag den 21. december 2026': a deadline reads better with its weekday."""
    return f"{WEEKDAYS_DA[day.weekday()]} den {danish_date(day)}"
