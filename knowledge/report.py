"""What citizens could not get answered: the figures of the councils' report.

One `Report` feeds the page at /rapport and `rettighedsbot report` (Markdown, CSV, JSON), so
the figures a council reads on screen and in an e-mail are the same. The counts come from the
web app's store (`web.store.FeedbackStore.usage()` -> `Usage`); this module only computes:
- questions per week and the share answered / suggested / not known (the search's levels);
- the articles most used, and the feedback ("Hjalp svaret?") per article;
- the top unmet needs: the questions without a sure answer, grouped by meaning with the same
  e5 embeddings the search uses, each group with its count, up to three redacted examples and
  the nearest article — what an editor should write next;
- content health: reviews older than 12 months, amounts that expire, broken links.

The small-numbers rule: a group of fewer than SMALL_NUMBERS questions shows no examples, so a
single citizen's words are never shown. Examples are redacted again when shown (they were
redacted before they were stored): the one redaction function, applied twice costs nothing.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .dates import danish_date
from .links import BROKEN, UNREACHABLE, LinkCheck
from .models import KnowledgeBase
from .redact import redact
from .search import ANSWER, LEVELS, SUGGEST, UNKNOWN, embedded_text, normalise_query

SMALL_NUMBERS = 3          # a group needs this many questions before any example is shown
MAX_EXAMPLES = 3
# Two questions belong together when their e5 query vectors are at least this close (cosine)
# to the group's centre. Measured here: rewordings of one need 0.91–0.96, different needs of
# one kind ("tandlæge" / "briller") 0.84–0.87; two questions built alike on different needs
# can still meet ("bisidder" / "tolk til mødet": 0.92). Tests: tests/test_report.py.
GROUP_SIMILARITY = 0.90
# The most frequent distinct questions are grouped; the rest are counted, not grouped.
# Embedding costs ~20 ms a question, once per process (the service's query cache keeps the
# vectors): 500 questions took 22.6 s on the first report after a start (2 shared cores),
# 0.3 s after that.
MAX_GROUPED = 500
EMBED_BATCH = 64
TOP_NEEDS = 20
TOP_ARTICLES = 10
MAX_WEEKS = 53
REVIEW_MAX_AGE = timedelta(days=365)
EXPIRY_WARNING = timedelta(days=60)

LEVEL_LABELS = {ANSWER: "Fik svar", SUGGEST: "Fik forslag", UNKNOWN: "Fik ikke svar"}
LEVEL_HELP = {
    ANSWER: "botten var sikker og svarede med en artikel",
    SUGGEST: "botten var ikke sikker og spurgte »Mente du …?«",
    UNKNOWN: "botten havde ikke et svar og henviste til en person",
}
LINK_STATUS = {BROKEN: "virker ikke", UNREACHABLE: "kunne ikke nås"}
SMALL_NUMBERS_NOTE = (f"Grupper med færre end {SMALL_NUMBERS} spørgsmål viser ingen eksempler, "
                      "så ingen enkelt borger kan genkendes. Alle eksempler er renset for "
                      "CPR-numre, telefonnumre, e-mails, adresser og navne.")


@dataclass(frozen=True)
class Usage:
    """What the store counted for one period and kommune (no personal data)."""
    days: list[tuple[date, str, int]]                 # (day, level, questions)
    answers: list[tuple[str, int]]                    # (article_id, answers given)
    feedback: list[tuple[str | None, int, int]]       # (article_id or None, yes, no)
    unmet: list[tuple[str, str, int]]                 # (redacted question, level, count)
    kommuner: list[str] = field(default_factory=list)  # kommuner that appear in the data


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    kommune: str | None = None

    def describe(self) -> str:
        period = ("hele perioden" if not (self.since or self.until) else
                  f"{danish_date(self.since) if self.since else 'start'} – "
                  f"{danish_date(self.until) if self.until else 'i dag'}")
        return f"{period}, {self.kommune or 'alle kommuner'}"


@dataclass(frozen=True)
class Week:
    start: date                                       # its Monday
    counts: dict[str, int]

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"uge {week} {year}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ArticleCount:
    article_id: str
    title: str
    count: int


@dataclass(frozen=True)
class FeedbackCount:
    article_id: str | None
    title: str
    yes: int
    no: int

    @property
    def share_yes(self) -> str:
        return percent(self.yes, self.yes + self.no)


@dataclass(frozen=True)
class NeedGroup:
    count: int                                        # questions asked in this group
    levels: dict[str, int]                            # of them: suggest / unknown
    variants: int                                     # distinct wordings
    examples: tuple[str, ...]                         # () when count < SMALL_NUMBERS
    nearest_id: str | None = None
    nearest_title: str | None = None
    nearest_score: float | None = None
    gap: str | None = None                            # a known topic without an article

    @property
    def hidden(self) -> bool:
        return self.count < SMALL_NUMBERS


@dataclass(frozen=True)
class Review:
    article_id: str
    title: str
    reviewed: date
    file: str


@dataclass(frozen=True)
class Expiry:
    article_id: str
    title: str
    valid_until: date
    passed: bool


@dataclass(frozen=True)
class Health:
    reviews: list[Review]
    expiring: list[Expiry]
    links: LinkCheck | None


@dataclass(frozen=True)
class Report:
    filters: Filters
    today: date
    weeks: list[Week]
    totals: dict[str, int]
    articles: list[ArticleCount]
    feedback: list[FeedbackCount]
    needs: list[NeedGroup]
    unmet_total: int                                  # questions without a sure answer
    ungrouped: int                                    # of them, too rare to be grouped
    health: Health
    kommuner: list[str]
    grouping_note: str = ""                           # why there are no groups, if so

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def share(self, level: str) -> str:
        return percent(self.totals.get(level, 0), self.total)

    def to_json(self) -> dict:
        f = self.filters
        links = self.health.links
        return {
            "filters": {"since": _iso(f.since), "until": _iso(f.until), "kommune": f.kommune},
            "generated": self.today.isoformat(),
            "questions": self.total,
            "levels": {level: self.totals.get(level, 0) for level in LEVELS},
            "weeks": [{"week": w.label, "start": w.start.isoformat(), **w.counts,
                       "total": w.total} for w in self.weeks],
            "articles": [{"id": a.article_id, "title": a.title, "answers": a.count}
                         for a in self.articles],
            "feedback": [{"id": r.article_id, "title": r.title, "helpful_yes": r.yes,
                          "helpful_no": r.no} for r in self.feedback],
            "unmet": {"questions": self.unmet_total, "ungrouped": self.ungrouped,
                      "small_numbers": SMALL_NUMBERS, "note": self.grouping_note or None},
            "needs": [{"count": g.count, "levels": g.levels, "variants": g.variants,
                       "examples": list(g.examples), "examples_hidden": g.hidden,
                       "nearest_article": ({"id": g.nearest_id, "title": g.nearest_title,
                                            "score": round(g.nearest_score or 0.0, 3)}
                                           if g.nearest_id else None),
                       "gap": g.gap} for g in self.needs],
            "health": {
                "reviews_older_than_12_months": [
                    {"id": r.article_id, "title": r.title, "reviewed": r.reviewed.isoformat(),
                     "file": r.file} for r in self.health.reviews],
                "valid_until": [
                    {"id": e.article_id, "title": e.title,
                     "valid_until": e.valid_until.isoformat(), "passed": e.passed}
                    for e in self.health.expiring],
                "links": ({"checked_at": links.checked_at, "checked": len(links.results),
                           "problems": [{"url": r.url, "status": r.status, "detail": r.detail,
                                         "used_by": list(r.used_by)} for r in links.problems]}
                          if links else None),
            },
        }


# -- building ----------------------------------------------------------------------------------

def build_report(usage: Usage, kb: KnowledgeBase, service=None, filters: Filters | None = None,
                 today: date | None = None, links: LinkCheck | None = None) -> Report:
    """`service` (a KnowledgeService) embeds and searches for the need groups; without one
    (the index is still loading) the report has everything but the groups."""
    filters = filters or Filters()
    today = today or date.today()
    totals = {level: 0 for level in LEVELS}
    for _, level, n in usage.days:
        totals[level] = totals.get(level, 0) + n
    unmet_total = sum(n for _, _, n in usage.unmet)
    note = ""
    if service is None and usage.unmet:
        needs, ungrouped = [], unmet_total
        note = "Søgeindekset er ved at starte; grupperne vises om lidt."
    else:
        needs, ungrouped = group_needs(usage.unmet, service) if usage.unmet else ([], 0)
    return Report(
        filters=filters, today=today, weeks=weekly(usage.days, filters, today), totals=totals,
        articles=[ArticleCount(a, _title(kb, a), n) for a, n in usage.answers[:TOP_ARTICLES]],
        feedback=[FeedbackCount(a, _title(kb, a) if a else "(uden artikel)", yes, no)
                  for a, yes, no in usage.feedback],
        needs=needs[:TOP_NEEDS], unmet_total=unmet_total, ungrouped=ungrouped,
        health=content_health(kb, today, links), kommuner=usage.kommuner, grouping_note=note)


def weekly(days: list[tuple[date, str, int]], filters: Filters, today: date) -> list[Week]:
    """Every week of the period, empty ones too (a chart with gaps would mislead)."""
    if not days and not filters.since:
        return []
    first = filters.since or min(d for d, _, _ in days)
    last = filters.until or max([today, *(d for d, _, _ in days)])
    monday = first - timedelta(days=first.weekday())
    last_monday = last - timedelta(days=last.weekday())
    monday = max(monday, last_monday - timedelta(weeks=MAX_WEEKS - 1))
    weeks: dict[date, dict[str, int]] = {}
    while monday <= last_monday:
        weeks[monday] = {level: 0 for level in LEVELS}
        monday += timedelta(weeks=1)
    for day, level, n in days:
        start = day - timedelta(days=day.weekday())
        if start in weeks:
            weeks[start][level] += n
    return [Week(start, counts) for start, counts in weeks.items()]


def group_needs(unmet: list[tuple[str, str, int]], service) -> tuple[list[NeedGroup], int]:
    """The questions without a sure answer, grouped by meaning, biggest group first.
    Returns the groups and how many questions were too rare to be grouped."""
    levels: dict[str, dict[str, int]] = {}
    for query, level, n in unmet:
        counts = levels.setdefault(query, {SUGGEST: 0, UNKNOWN: 0})
        counts[level] = counts.get(level, 0) + n
    ranked = sorted(levels, key=lambda q: (-sum(levels[q].values()), q))
    grouped, rest = ranked[:MAX_GROUPED], ranked[MAX_GROUPED:]
    weight = np.array([sum(levels[q].values()) for q in grouped], dtype=np.float32)
    vectors = _embed(service, grouped)
    members: list[list[int]] = []
    centres = np.zeros((0, vectors.shape[1] if len(vectors) else 1), dtype=np.float32)
    sums: list[np.ndarray] = []
    for i, vector in enumerate(vectors):           # most asked first: they lead their groups
        if len(members):
            sims = centres @ vector
            best = int(np.argmax(sims))
            if sims[best] >= GROUP_SIMILARITY:
                members[best].append(i)
                sums[best] = sums[best] + weight[i] * vector
                centres[best] = sums[best] / np.linalg.norm(sums[best])
                continue
        members.append([i])
        sums.append(weight[i] * vector)
        centres = np.vstack([centres, vector[None, :]])
    groups = []
    for g, ids in enumerate(members):
        count = int(sum(weight[i] for i in ids))
        by_level = {level: sum(levels[grouped[i]].get(level, 0) for i in ids)
                    for level in (SUGGEST, UNKNOWN)}
        # the wording nearest the centre stands for the group when it is searched
        typical = grouped[max(ids, key=lambda i: float(vectors[i] @ centres[g]))]
        examples = () if count < SMALL_NUMBERS else tuple(
            redact(grouped[i]) for i in ids[:MAX_EXAMPLES])
        groups.append(NeedGroup(count, by_level, len(ids), examples, *_nearest(service, typical)))
    groups.sort(key=lambda grp: -grp.count)
    return groups, sum(sum(levels[q].values()) for q in rest)


def content_health(kb: KnowledgeBase, today: date, links: LinkCheck | None = None) -> Health:
    reviews = sorted((Review(a.id, a.title, a.reviewed, a.source_file)
                      for a in kb.articles.values() if a.reviewed < today - REVIEW_MAX_AGE),
                     key=lambda r: (r.reviewed, r.article_id))
    expiring = sorted((Expiry(a.id, a.title, a.valid_until, a.valid_until < today)
                       for a in kb.articles.values()
                       if a.valid_until and a.valid_until <= today + EXPIRY_WARNING),
                      key=lambda e: (e.valid_until, e.article_id))
    return Health(reviews, expiring, links)


def _embed(service, texts: list[str]) -> np.ndarray:
    """The questions as the search embeds them (same text, same cache)."""
    prepared = [embedded_text(normalise_query(t)) for t in texts]
    parts = [service.embedder.query(prepared[i:i + EMBED_BATCH])
             for i in range(0, len(prepared), EMBED_BATCH)]
    return np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)


def _nearest(service, question: str) -> tuple:
    try:
        result = service.search(question, k=1)
    except ValueError:
        return None, None, None, None
    best = result.best
    return (best.article.id if best else None, best.article.title if best else None,
            best.score if best else None, result.gap.name if result.gap else None)


def _title(kb: KnowledgeBase, article_id: str) -> str:
    article = kb.article(article_id)
    return article.title if article else f"{article_id} (findes ikke længere)"


# -- formats for e-mail and meetings ---------------------------------------------------------

def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"


def to_markdown(report: Report) -> str:
    out = ["# Hvad borgerne spurgte om – rettighedsbot",
           "", f"Periode: {report.filters.describe()}. Lavet {danish_date(report.today)}.", "",
           f"**{report.total} spørgsmål.** " + ", ".join(
               f"{LEVEL_LABELS[level].lower()}: {report.totals.get(level, 0)} "
               f"({report.share(level)})" for level in LEVELS) + ".", "",
           "## Spørgsmål pr. uge", "",
           _md_table(["Uge", "Første dag", *LEVEL_LABELS.values(), "I alt"],
                     [[w.label, danish_date(w.start), *(w.counts[level] for level in LEVELS), w.total]
                      for w in report.weeks]),
           "", "## Det, borgerne ikke fik svar på", "", SMALL_NUMBERS_NOTE, "",
           f"{report.unmet_total} spørgsmål fik ikke et sikkert svar."
           + (f" {report.ungrouped} af dem er for sjældne til at blive grupperet."
              if report.ungrouped else "") + (f" {report.grouping_note}"
                                             if report.grouping_note else ""), ""]
    for n, group in enumerate(report.needs, 1):
        nearest = (f"nærmeste artikel: {group.nearest_title} ({group.nearest_id})"
                   if group.nearest_id else "ingen nærmeste artikel")
        if group.gap:
            nearest += f"; emne uden artikel: {group.gap}"
        wordings = "formulering" if group.variants == 1 else "formuleringer"
        out.append(f"{n}. **{group.count} spørgsmål** ({group.variants} {wordings}) – {nearest}")
        if group.hidden:
            out.append(f"   - (færre end {SMALL_NUMBERS} spørgsmål: ingen eksempler)")
        out += [f"   - »{example}«" for example in group.examples]
    out += ["", "## Mest brugte artikler", "",
            _md_table(["Artikel", "Svar"], [[f"{a.title} ({a.article_id})", a.count]
                                            for a in report.articles]),
            "", "## Hjalp svaret?", "",
            _md_table(["Artikel", "Ja", "Nej", "Andel ja"],
                      [[r.title, r.yes, r.no, r.share_yes] for r in report.feedback]),
            "", "## Artiklernes sundhed", ""]
    health = report.health
    out.append(f"Ikke gennemset i over 12 måneder: {len(health.reviews)}.")
    out += [f"- {r.title} ({r.article_id}): gennemset {danish_date(r.reviewed)}"
            for r in health.reviews]
    out.append(f"\nBeløb og regler, der udløber inden for 60 dage: {len(health.expiring)}.")
    out += [f"- {e.title} ({e.article_id}): gælder til {danish_date(e.valid_until)}"
            + (" – UDLØBET" if e.passed else "") for e in health.expiring]
    out.append("")
    out.append(_links_line(health.links))
    out += [f"- {r.url} ({_link_status(r.status)}: {r.detail}) – bruges af "
            f"{', '.join(r.used_by)}" for r in (health.links.problems if health.links else [])]
    return "\n".join(out) + "\n"


def to_csv(report: Report) -> str:
    """One long table (afsnit, navn, mål, værdi): opens in any spreadsheet, easy to filter."""
    buffer = io.StringIO()
    writer = _SafeWriter(csv.writer(buffer, lineterminator="\n"))
    writer.writerow(["afsnit", "navn", "maal", "vaerdi"])
    writer.writerow(["periode", report.filters.describe(), "lavet", report.today.isoformat()])
    for level in LEVELS:
        writer.writerow(["i alt", LEVEL_LABELS[level], "spoergsmaal", report.totals.get(level, 0)])
    for w in report.weeks:
        for level in LEVELS:
            writer.writerow(["uge", w.start.isoformat(), LEVEL_LABELS[level], w.counts[level]])
    for a in report.articles:
        writer.writerow(["mest brugt", a.article_id, "svar", a.count])
    for r in report.feedback:
        writer.writerow(["hjalp svaret", r.article_id or "", "ja", r.yes])
        writer.writerow(["hjalp svaret", r.article_id or "", "nej", r.no])
    for n, g in enumerate(report.needs, 1):
        writer.writerow(["ubesvaret behov", n, "spoergsmaal", g.count])
        writer.writerow(["ubesvaret behov", n, "naermeste artikel", g.nearest_id or ""])
        for example in g.examples:
            writer.writerow(["ubesvaret behov", n, "eksempel", example])
    for r in report.health.reviews:
        writer.writerow(["gennemset for laenge siden", r.article_id, "gennemset",
                         r.reviewed.isoformat()])
    for e in report.health.expiring:
        writer.writerow(["udloeber", e.article_id, "gaelder til", e.valid_until.isoformat()])
    for r in report.health.links.problems if report.health.links else []:
        writer.writerow(["link", r.url, r.status, r.detail])
    return buffer.getvalue()


class _SafeWriter:
    """A spreadsheet runs a cell that starts with = + - @ as a formula; a citizen's words
    must never become one ("=HYPERLINK(…)"), so such cells get a leading apostrophe."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row: list) -> None:
        self._writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in "=+-@\t\r" and c
                               else c for c in row])


def _md_table(header: list[str], rows: list[list]) -> str:
    if not rows:
        return "(ingen)"
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _links_line(links: LinkCheck | None) -> str:
    if links is None:
        return "Links: ikke tjekket endnu (kør `rettighedsbot check-links`)."
    return (f"Links tjekket {links.checked_at[:10]}: {len(links.results)} adresser, "
            f"{links.count(BROKEN)} virker ikke, {links.count(UNREACHABLE)} kunne ikke nås.")


def _link_status(status: str) -> str:
    return LINK_STATUS.get(status, status)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
