"""Complaint deadlines and the Danish dates citizens write, with an injected 'today'."""
from __future__ import annotations

from datetime import date

import pytest

from knowledge.complaint import (
    DEADLINE_DAYS,
    authority_for,
    deadline_for,
    is_dont_know,
    parse_date,
)
from knowledge.dates import danish_date_with_weekday as format_date_da
from knowledge.municipalities import channels_with_role
from knowledge.municipalities import official_name as official_kommune_name

TODAY = date(2026, 11, 23)          # a Monday


@pytest.mark.parametrize("text, expected", [
    ("i dag", date(2026, 11, 23)),
    ("idag", date(2026, 11, 23)),
    ("i går", date(2026, 11, 22)),
    ("igår", date(2026, 11, 22)),
    ("i gaar", date(2026, 11, 22)),
    ("i forgårs", date(2026, 11, 21)),
    ("3. november", date(2026, 11, 3)),
    ("den 3. nov", date(2026, 11, 3)),
    ("3 november 2025", date(2025, 11, 3)),
    ("tredje november", date(2026, 11, 3)),
    ("3/11", date(2026, 11, 3)),
    ("3/11-2026", date(2026, 11, 3)),
    ("3/11/26", date(2026, 11, 3)),
    ("den 3.11.2026", date(2026, 11, 3)),
    ("03-11-2026", date(2026, 11, 3)),
    ("2026-11-03", date(2026, 11, 3)),
    ("den 3.", date(2026, 11, 3)),
    ("den 30.", date(2026, 10, 30)),             # not yet the 30th this month: last month
    ("for to uger siden", date(2026, 11, 9)),
    ("for 2 uger siden", date(2026, 11, 9)),
    ("for 5 dage siden", date(2026, 11, 18)),
    ("for fem dage siden", date(2026, 11, 18)),
    ("for en uge siden", date(2026, 11, 16)),
    ("for en uges tid siden", date(2026, 11, 16)),
    ("for et par dage siden", date(2026, 11, 21)),
    ("for tre uger siden", date(2026, 11, 2)),
    ("for ti dage siden", date(2026, 11, 13)),
    ("for en måned siden", date(2026, 10, 23)),
    ("sidste mandag", date(2026, 11, 16)),     # today is Monday: a week ago, never today
    ("i mandags", date(2026, 11, 16)),
    ("i fredags", date(2026, 11, 20)),
    ("sidste fredag", date(2026, 11, 20)),
    ("i lørdags", date(2026, 11, 21)),
    ("i lordags", date(2026, 11, 21)),
    ("mandag", date(2026, 11, 23)),
    ("Jeg fik brevet i går i min e-boks", date(2026, 11, 22)),
    ("brevet kom den 3.11.2026 med posten", date(2026, 11, 3)),
    ("jeg fik det i forgårs kl. 14.30", date(2026, 11, 21)),
    ("24/12", date(2025, 12, 24)),             # no year, would be future: last year
    ("yesterday", date(2026, 11, 22)),
    ("2 weeks ago", date(2026, 11, 9)),
    ("last friday", date(2026, 11, 20)),
    ("the 2nd of november", date(2026, 11, 2)),
    ("november 2", date(2026, 11, 2)),
])
def test_parse_date(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["ved ikke", "kontanthjælp", "", "31/2", "kl. 14.30",
                                  "jeg husker det ikke", "for nogle dage siden"])
def test_parse_date_says_none_rather_than_guess(text):
    assert parse_date(text, today=TODAY) is None


def test_an_explicit_future_date_is_returned_for_the_caller_to_refuse():
    assert parse_date("3/12-2026", today=TODAY) == date(2026, 12, 3)


def test_deadline_is_same_weekday_four_weeks_later():
    d = deadline_for(date(2026, 11, 23), today=TODAY)
    assert d.deadline == date(2026, 12, 21)
    assert d.deadline.weekday() == d.received.weekday()
    assert (d.deadline - d.received).days == DEADLINE_DAYS == 28
    assert format_date_da(d.deadline) == "mandag den 21. december 2026"


@pytest.mark.parametrize("days_ago, status", [
    (0, "ok"), (20, "ok"), (21, "close"), (26, "close"), (27, "tomorrow"), (28, "today"),
    (29, "passed"),
    (60, "passed"),
])
def test_status_by_age_of_decision(days_ago, status):
    from datetime import timedelta
    d = deadline_for(TODAY - timedelta(days=days_ago), today=TODAY)
    assert d.status == status
    assert d.days_left == 28 - days_ago


def test_format_date_da_uses_danish_names():
    assert format_date_da(date(2027, 1, 2)) == "lørdag den 2. januar 2027"
    assert format_date_da(date(2026, 5, 14)) == "torsdag den 14. maj 2026"


@pytest.mark.parametrize("text", ["ved ikke", "Det ved jeg ikke", "kan ikke huske det",
                                  "det kan jeg ikke lige huske", "jeg ved det ikke",
                                  "aner ikke", "I don't know"])
def test_dont_know(text):
    assert is_dont_know(text)


def test_dont_know_is_not_everything():
    assert not is_dont_know("i går")


@pytest.mark.parametrize("about, authority", [
    ("boligstøtte", "udbetaling-danmark"),
    ("min boligstotte blev sat ned", "udbetaling-danmark"),
    ("folkepension", "udbetaling-danmark"),
    ("børnecheck", "udbetaling-danmark"),
    ("kontanthjælp", "kommunen"),
    ("jeg fik afslag på misbrugsbehandling", "kommunen"),
    ("", "kommunen"),
    (None, "kommunen"),
])
def test_authority_for(about, authority):
    assert authority_for(about) == authority


def test_official_kommune_name():
    assert official_kommune_name("Aarhus") == "Aarhus Kommune"
    assert official_kommune_name("København") == "Københavns Kommune"
    assert official_kommune_name("Bornholm") == "Bornholms Regionskommune"


def test_easter_and_holidays():
    from knowledge.complaint import easter_sunday, is_working_day, public_holidays
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    hol = public_holidays(2026)
    assert date(2026, 4, 3) in hol            # langfredag
    assert date(2026, 5, 14) in hol           # Kristi himmelfartsdag
    assert date(2026, 5, 25) in hol           # 2. pinsedag
    assert date(2023, 5, 5) in public_holidays(2023)         # store bededag, until 2023
    assert not any(d.month == 5 and d.day == 1 for d in hol)
    assert not is_working_day(date(2026, 12, 26)) and is_working_day(date(2026, 12, 28))


def test_deadline_on_a_weekend_or_holiday_moves_to_the_next_working_day():
    saturday = deadline_for(date(2026, 11, 21), today=TODAY)     # received on a Saturday
    assert saturday.deadline == date(2026, 12, 19)
    assert saturday.extended_to == date(2026, 12, 21)
    christmas = deadline_for(date(2026, 11, 27), today=TODAY)    # deadline 2. juledag (Sat)
    assert christmas.extended_to == date(2026, 12, 28)
    assert deadline_for(date(2026, 11, 23), today=TODAY).extended_to is None


def test_tomorrow_status():
    from datetime import timedelta
    assert deadline_for(TODAY - timedelta(days=27), today=TODAY).status == "tomorrow"


def test_resolve_kommune_in_sentences_and_without_aeoeaa():
    from pathlib import Path

    from knowledge.loader import load_knowledge

    kb = load_knowledge(Path(__file__).parent / "data" / "mini").kb

    def resolve_kommune(kb, text):
        return kb.resolver.find(text)
    assert resolve_kommune(kb, "Aarhus").id == "aarhus"
    assert resolve_kommune(kb, "jeg bor i Århus").id == "aarhus"
    assert resolve_kommune(kb, "Københavns Kommune").id == "koebenhavn"
    assert resolve_kommune(kb, "kobenhavn").id == "koebenhavn"
    assert resolve_kommune(kb, "halsnas kommune").id == "halsnaes"
    assert resolve_kommune(kb, "ved ikke") is None
    assert resolve_kommune(kb, "") is None


def test_help_channels_and_borgerraadgiver_from_the_mini_set():
    from pathlib import Path

    from knowledge.complaint import help_channels
    from knowledge.loader import load_knowledge

    def borgerraadgiver(municipality):
        return channels_with_role(municipality, "borgerraadgiver")

    kb = load_knowledge(Path(__file__).parent / "data" / "mini").kb
    assert [c.id for c in help_channels(kb)] == ["sociale-retshjaelp"]   # no gadejuristen here
    assert [c.id for c in borgerraadgiver(kb.municipalities["aarhus"])] == ["aarhus-borgerraadgiver"]
    assert borgerraadgiver(kb.municipalities["halsnaes"]) == []
    assert borgerraadgiver(None) == []
