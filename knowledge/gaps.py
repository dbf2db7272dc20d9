"""Topics the knowledge does not cover yet, and who answers them (knowledge/gaps.yml).

Honesty must not depend on coverage: a question about førtidspension must never be answered
from the socialt-frikort article just because the words sit close in the embedding space.
When a question names a known gap and the best article does not itself speak of it, the bot
says it has no article on that topic and names who answers it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .models import Article
from .text import fold
from .yamlfile import YamlDoc

GAPS_FILE = "gaps.yml"


@dataclass(frozen=True)
class Gap:
    id: str
    name: str                  # "folkepension": how the bot names the topic in a sentence
    words: tuple[str, ...]     # folded words or phrases that mark the topic
    channels: tuple[str, ...]  # who answers it (ids in channels.yml)
    sources: tuple[str, ...]
    # How citizens ask about it: the article classifier learns the topic from these, so the
    # bot knows it however it is asked, not only when one of `words` is used.
    questions: tuple[str, ...] = ()

    def pattern(self) -> re.Pattern:
        return _words_pattern(self.words)


@lru_cache(maxsize=1024)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern:
    """Built once per set of words: escaping and joining them on every search cost ~4 ms a
    question (a fifth of the action server's search under load, py-spy)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


@lru_cache(maxsize=4096)
def _folded_about(title: str, summary: str, questions: tuple[str, ...]) -> str:
    """An article's title, summary and questions, folded: the same for every question."""
    return fold(" ".join((title, summary, *questions)))


def gap_in(query: str, gaps: tuple[Gap, ...], article: Article | None) -> Gap | None:
    """The first gap the question names that the best article does not itself speak of.

    An article speaks of a gap when the words the question used start a word of its title,
    summary or example questions — what the article is about; a word that only passes by in
    its body does not count. So the varmehjælp article, written for "folkepensionister",
    answers a question that says "folkepension"; the funeral-help article, which mentions
    heirs, does not answer "hvem arver hans lejlighed" (the gap's longer phrase matched)."""
    if not gaps:
        return None
    text = fold(query)
    covered = (_folded_about(article.title, article.summary, tuple(article.questions))
               if article else "")
    for gap in gaps:
        found = gap.pattern().search(text)
        if found and not re.search(r"\b" + re.escape(found.group(0)), covered):
            return gap
    return None


def check_gaps_file(doc: YamlDoc, channel_ids: set[str]) -> tuple[Gap, ...]:
    from .schema import SLUG, Checker

    check = Checker(doc)
    if not check.fields(doc.data, ("gaps",), ()):
        return ()
    items = doc.data.get("gaps") or []
    if not isinstance(items, list):
        check.add(("gaps",), "skal være en liste")
        return ()
    gaps: list[Gap] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        one = Checker(doc, ("gaps", i))
        if not one.fields(item, ("id", "name", "words", "channels", "sources"), ("questions",)):
            continue
        before = len([p for p in doc.problems if p.severity == "error"])
        gap_id = one.text(item, "id")
        if gap_id and not SLUG.match(gap_id):
            one.add(("id",), f"'{gap_id}' skal være små bogstaver a-z, tal og bindestreg")
        if gap_id in seen:
            one.add(("id",), f"'{gap_id}' står to gange")
        seen.add(gap_id)
        name = one.text(item, "name", max_len=80)
        words = one.text_list(item, "words", minimum=1)
        for j, word in enumerate(words):
            if len(fold(word)) < 4:
                one.add(("words", j), f"'{word}' er for kort: det rammer også andre spørgsmål")

        def known(path: tuple, value: str, one: Checker = one) -> None:
            if value not in channel_ids:
                one.add(path, f"kanalen '{value}' findes ikke i channels.yml")

        channels = one.text_list(item, "channels", minimum=1, item_check=known)
        sources = one.text_list(item, "sources", minimum=1, item_check=one.url)
        questions = one.text_list(item, "questions")
        if len([p for p in doc.problems if p.severity == "error"]) == before:
            gaps.append(Gap(gap_id, name, tuple(dict.fromkeys(fold(w) for w in words)),
                            channels, sources, questions))
    return tuple(gaps)


def check_gap_questions(doc: YamlDoc, gaps: tuple[Gap, ...], articles: dict[str, Article]
                        ) -> None:
    """A gap's question that is also an article's example question teaches the classifier two
    answers to one question: a warning on the gap's line, naming the article."""
    from .schema import Checker

    asked = {fold(q): a.id for a in articles.values() for q in a.questions}
    position = {item.get("id"): i for i, item in enumerate((doc.data or {}).get("gaps") or [])
                if isinstance(item, dict)}
    for gap in gaps:
        for j, question in enumerate(gap.questions):
            if fold(question) in asked:
                Checker(doc, ("gaps", position[gap.id])).add(
                    ("questions", j), f"'{question}' er også et eksempelspørgsmål i artiklen "
                    f"'{asked[fold(question)]}'; et spørgsmål skal høre til én af dem", "warning")
