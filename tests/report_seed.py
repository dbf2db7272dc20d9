"""A seeded month of traffic for the councils' report: real SQLite through the real store.

Four weeks ending TODAY in two kommuner. The questions without a sure answer form needs of
known sizes: 9 about a dog at a shelter (four wordings), 6 about the dentist (three), 4 about
debt (two), and single questions that must never be shown (the small-numbers rule), one of
them with a phone number and a name that the store must redact.
"""
from __future__ import annotations

from datetime import date, timedelta

from web.store import FeedbackStore

TODAY = date(2026, 11, 30)              # a Monday: the 28 days touch weeks 45 to 49
START = TODAY - timedelta(days=27)

DOG = [("må jeg have min hund med på herberget", 4),
       ("kan jeg tage min hund med på herberg", 2),
       ("min hund må ikke komme med på herberget hvad gør jeg", 2),
       ("hvor kan min hund bo når jeg sover på herberg", 1)]
DENTIST = [("hvordan får jeg hjælp til tandlægen", 3),
           ("kan kommunen betale min tandlæge", 2),
           ("hvordan søger jeg om tilskud til tandlæge", 1)]
DEBT = [("jeg har gæld til skat hvad gør jeg", 3), ("hvordan afdrager jeg min gæld til skat", 1)]
# Asked once or twice each, about unrelated things: groups under SMALL_NUMBERS.
SINGLES = [("hvornår åbner svømmehallen om søndagen", 1),
           ("jeg hedder Xenia Holmgaard, ring til mig på 12345678 om min sag", 1),
           ("hvad koster et busbillet til aalborg", 2)]
SECRETS = ("Xenia", "xenia", "Holmgaard", "holmgaard", "12345678")

ANSWERED = [("klagefrist", 14), ("kontanthjaelp", 9), ("hjemloeshed", 6), ("aktindsigt", 3)]


def seed(store: FeedbackStore) -> None:
    """Spreads everything over the four weeks; Aarhus gets the answered questions, Odense
    the unmet ones (so the kommune filter changes the figures), a few have no kommune."""
    day = 0

    def next_day() -> date:
        nonlocal day
        day = (day + 3) % 28
        return START + timedelta(days=day)

    for article, n in ANSWERED:
        for _ in range(n):
            store.record_turn("answer", article, "ikke gemt, for der kom et svar",
                              "Aarhus", next_day())
    for group, level in ((DOG, "unknown"), (DENTIST, "suggest"), (DEBT, "unknown"),
                         (SINGLES, "unknown")):
        for text, n in group:
            for _ in range(n):
                store.record_turn(level, None, text, "Odense", next_day())
    store.record_turn("suggest", None, "kan jeg få hjælp til min tandlæge regning", None,
                      TODAY)
    for article, yes, no in (("klagefrist", 5, 1), ("hjemloeshed", 1, 3)):
        for helpful, n in ((True, yes), (False, no)):
            for _ in range(n):
                store.add_feedback(article, helpful, None, "Aarhus")


def counts() -> dict:
    """What the report must count for all kommuner over the whole month."""
    answered = sum(n for _, n in ANSWERED)
    unknown = sum(n for group in (DOG, DEBT, SINGLES) for _, n in group)
    suggest = sum(n for _, n in DENTIST) + 1
    return {"answer": answered, "suggest": suggest, "unknown": unknown}
