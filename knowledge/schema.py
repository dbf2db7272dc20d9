"""The rules a council's YAML must follow, checked field by field with the line of each problem.

Each `check_*` function turns one parsed file into a model plus a list of problems; it never
raises, so one run of `validate` reports every problem in every file at once.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlparse

from .models import (
    CHANNEL_KINDS,
    LANGUAGES,
    LOCAL_ROLES,
    REGIONS,
    TOPICS,
    Article,
    Channel,
    Municipality,
)
from .readability import LIX_LIMIT, lix
from .text import fold
from .yamlfile import Problem, YamlDoc, dotted

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHONE = re.compile(r"^\+?[0-9][0-9 ]{1,16}[0-9]$")
SUMMARY_MAX = 300
REVIEW_MAX_AGE = timedelta(days=365)

ARTICLE_REQUIRED = ("id", "title", "summary", "body", "topic", "questions", "legal_basis",
                    "sources", "channels", "reviewed", "lang")
ARTICLE_OPTIONAL = ("valid_from", "valid_until", "related")
CHANNEL_REQUIRED = ("id", "name", "kind", "for_whom")
CHANNEL_OPTIONAL = ("phone", "url", "hours", "description")
# A kommune's own channels also say what they are (role) and where each fact was read.
LOCAL_CHANNEL_REQUIRED = (*CHANNEL_REQUIRED, "role", "sources", "reviewed")
LOCAL_CHANNEL_OPTIONAL = (*CHANNEL_OPTIONAL, "email")
MUNICIPALITY_REQUIRED = ("id", "name", "region")
MUNICIPALITY_OPTIONAL = ("aliases", "channels", "website", "phone", "sources", "reviewed")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


@dataclass
class Checker:
    """Collects problems for one YAML document, each tied to the line of the field at fault."""

    doc: YamlDoc
    base: tuple[str | int, ...] = ()

    @property
    def problems(self) -> list[Problem]:
        return self.doc.problems

    def add(self, path: tuple[str | int, ...], message: str, severity: str = "error") -> None:
        full = (*self.base, *path)
        self.doc.problems.append(
            Problem(self.doc.file, self.doc.line(*full), dotted(full), message, severity)
        )

    def fields(self, data: Any, required: tuple[str, ...], optional: tuple[str, ...]) -> bool:
        if not isinstance(data, dict):
            self.add((), "skal være en samling af felter (navn: værdi)")
            return False
        for name in required:
            if data.get(name) is None or data.get(name) == "":
                self.add((name,), "mangler — feltet skal udfyldes")
        for name in data:
            if name not in required and name not in optional:
                guess = difflib.get_close_matches(str(name), required + optional, n=1)
                hint = f" (mente du '{guess[0]}'?)" if guess else ""
                self.add((str(name),), f"ukendt felt{hint}")
        return True

    def text(self, data: dict, name: str, max_len: int | None = None) -> str:
        value = data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.add((name,), f"skal være tekst, ikke {_kind(value)}")
            return ""
        value = value.strip()
        if max_len and len(value) > max_len:
            self.add((name,), f"er {len(value)} tegn; højst {max_len}")
        return value

    def slug(self, data: dict, name: str) -> str:
        value = self.text(data, name)
        if value and not SLUG.match(value):
            self.add((name,), f"'{value}' skal være små bogstaver a-z, tal og bindestreg "
                              "(æ→ae, ø→oe, å→aa)")
        return value

    def choice(self, data: dict, name: str, allowed: tuple[str, ...] | dict) -> str:
        value = self.text(data, name)
        if value and value not in allowed:
            self.add((name,), f"'{value}' er ukendt; brug en af: {', '.join(allowed)}")
        return value

    def text_list(self, data: dict, name: str, minimum: int = 0,
                  item_check: Callable[[tuple, str], None] | None = None) -> tuple[str, ...]:
        value = data.get(name)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.add((name,), f"skal være en liste (linjer der starter med '- '), ikke {_kind(value)}")
            return ()
        items: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.add((name, i), "skal være en ikke-tom tekst")
                continue
            items.append(item.strip())
            if item_check:
                item_check((name, i), item.strip())
        if len(value) < minimum:
            self.add((name,), f"har {len(value)}; mindst {minimum}")
        return tuple(items)

    def url(self, path: tuple, value: str) -> None:
        parsed = urlparse(value)
        if parsed.scheme != "https" or not parsed.netloc or " " in value:
            self.add(path, f"'{value}' er ikke en gyldig https-adresse")

    def date(self, data: dict, name: str) -> date | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        self.add((name,), f"'{value}' er ikke en dato; skriv ÅÅÅÅ-MM-DD, fx 2026-11-23")
        return None


def check_article(doc: YamlDoc, expected_id: str, channel_ids: set[str], today: date,
                  public_url: str, folder: str | None = None) -> Article | None:
    check = Checker(doc)
    data = doc.data
    if not check.fields(data, ARTICLE_REQUIRED, ARTICLE_OPTIONAL):
        return None
    article_id = check.slug(data, "id")
    if article_id and article_id != expected_id:
        check.add(("id",), f"'{article_id}' skal være det samme som filnavnet ({expected_id}.yml)")
    title = check.text(data, "title", max_len=120)
    summary = check.text(data, "summary", max_len=SUMMARY_MAX)
    body = check.text(data, "body")
    topic = check.choice(data, "topic", TOPICS)
    if folder and topic in TOPICS and folder != topic:
        check.add(("topic",), f"artiklen ligger i mappen '{folder}/', men topic er '{topic}': "
                              f"flyt filen til articles/{topic}/ eller ret topic")
    questions = check.text_list(data, "questions", minimum=3)
    legal_basis = check.text_list(data, "legal_basis", minimum=1)
    sources = check.text_list(data, "sources", minimum=1, item_check=check.url)

    def known_channel(path: tuple, value: str) -> None:
        if value not in channel_ids:
            guess = difflib.get_close_matches(value, sorted(channel_ids), n=1)
            hint = f" (mente du '{guess[0]}'?)" if guess else ""
            check.add(path, f"kanalen '{value}' findes ikke i channels.yml{hint}")

    channels = check.text_list(data, "channels", minimum=1, item_check=known_channel)
    reviewed = check.date(data, "reviewed")
    valid_from = check.date(data, "valid_from")
    valid_until = check.date(data, "valid_until")
    lang = check.choice(data, "lang", LANGUAGES)
    related = check.text_list(data, "related")

    if reviewed and reviewed > today:
        check.add(("reviewed",), f"{reviewed} ligger i fremtiden")
    elif reviewed and today - reviewed > REVIEW_MAX_AGE:
        check.add(("reviewed",), f"sidst tjekket {reviewed}: over 12 måneder siden — tjek "
                                 "artiklen mod kilderne igen", "warning")
    if valid_until and valid_until < today:
        check.add(("valid_until",), f"{valid_until} er passeret: opdatér beløb/regler og datoen")
    if valid_from and valid_until and valid_from > valid_until:
        check.add(("valid_from",), "valid_from ligger efter valid_until")
    for name, text in (("summary", summary), ("body", body)):
        score = lix(text)
        if text and score > LIX_LIMIT:
            check.add((name,), f"LIX {score:.0f} er over {LIX_LIMIT}: brug kortere sætninger "
                               "og kortere ord", "warning")

    if any(p.severity == "error" for p in doc.problems):
        return None
    return Article(
        id=article_id, title=title, summary=summary, body=body, topic=topic,
        questions=questions, legal_basis=legal_basis, sources=sources, channels=channels,
        reviewed=reviewed, lang=lang, url=f"{public_url}/artikel/{article_id}",
        source_file=doc.file, valid_from=valid_from, valid_until=valid_until,
        related=related, related_lines=tuple(doc.line("related", i) for i in range(len(related))),
        question_lines=tuple(doc.line("questions", i) for i in range(len(questions))),
    )


def check_related(articles: dict[str, Article]) -> list[Problem]:
    """`related` names other articles by id; checked once every article is known."""
    problems = []
    for article in articles.values():
        for value, line in zip(article.related, article.related_lines):
            if value == article.id:
                problems.append(Problem(article.source_file, line, "related",
                                        "en artikel kan ikke henvise til sig selv"))
            elif value not in articles:
                guess = difflib.get_close_matches(value, sorted(articles), n=1)
                hint = f" (mente du '{guess[0]}'?)" if guess else ""
                problems.append(Problem(article.source_file, line, "related",
                                        f"artiklen '{value}' findes ikke{hint}"))
    return problems


def check_shared_questions(articles: dict[str, Article]) -> list[Problem]:
    """An example question that stands in two articles (as the same words) pulls the search
    to both, so the bot can answer neither with confidence: a warning at the second."""
    seen: dict[str, tuple[Article, int]] = {}
    problems = []
    for article in articles.values():
        for question, line in zip(article.questions, article.question_lines):
            key = fold(question)
            first = seen.setdefault(key, (article, line))
            if first[0].id != article.id:
                problems.append(Problem(
                    article.source_file, line, "questions",
                    f"'{question}' står også i {first[0].source_file}:{first[1]}; et "
                    "eksempelspørgsmål skal høre til én artikel", "warning"))
    return problems


def check_channel(doc: YamlDoc, base: tuple[str | int, ...], data: Any,
                  kommune: str | None = None) -> Channel | None:
    """A national channel, or with `kommune` one of that kommune's own (role, sources, date)."""
    check = Checker(doc, base)
    required, optional = ((LOCAL_CHANNEL_REQUIRED, LOCAL_CHANNEL_OPTIONAL) if kommune
                          else (CHANNEL_REQUIRED, CHANNEL_OPTIONAL))
    if not check.fields(data, required, optional):
        return None
    errors_before = _errors(doc)
    channel_id = check.slug(data, "id")
    name = check.text(data, "name", max_len=120)
    kind = check.choice(data, "kind", CHANNEL_KINDS)
    for_whom = check.text(data, "for_whom")
    phone = check.text(data, "phone") or None
    if phone and not PHONE.match(phone):
        check.add(("phone",), f"'{phone}' er ikke et telefonnummer (kun cifre, mellemrum og +)")
    url = check.text(data, "url") or None
    if url:
        check.url(("url",), url)
    if not phone and not url:
        check.add(("phone",), "en kanal skal have et telefonnummer eller en url")
    hours = check.text(data, "hours") or None
    description = check.text(data, "description") or None
    role = email = None
    sources: tuple[str, ...] = ()
    reviewed = None
    if kommune:
        role = check.choice(data, "role", LOCAL_ROLES)
        email = check.text(data, "email") or None
        if email and not EMAIL.match(email):
            check.add(("email",), f"'{email}' er ikke en e-mailadresse")
        sources = check.text_list(data, "sources", minimum=1, item_check=check.url)
        reviewed = check.date(data, "reviewed")
        if channel_id and not channel_id.startswith(f"{kommune}-"):
            check.add(("id",), f"'{channel_id}' skal starte med kommunens id: {kommune}-…")
    if _errors(doc) > errors_before:
        return None
    return Channel(channel_id, name, kind, for_whom, phone, url, hours, description,
                   role=role, email=email, sources=sources, reviewed=reviewed)


def check_channels_file(doc: YamlDoc) -> list[Channel]:
    return _check_list_file(doc, "channels", lambda base, item: check_channel(doc, base, item))


def check_municipalities_file(doc: YamlDoc) -> list[Municipality]:
    def one(base: tuple, data: Any) -> Municipality | None:
        check = Checker(doc, base)
        if not check.fields(data, MUNICIPALITY_REQUIRED, MUNICIPALITY_OPTIONAL):
            return None
        errors_before = _errors(doc)
        municipality_id = check.slug(data, "id")
        name = check.text(data, "name")
        region = check.choice(data, "region", REGIONS)
        aliases = check.text_list(data, "aliases")
        website = check.text(data, "website") or None
        if website:
            check.url(("website",), website)
        phone = check.text(data, "phone") or None
        if phone and not PHONE.match(phone):
            check.add(("phone",), f"'{phone}' er ikke et telefonnummer (kun cifre, mellemrum og +)")
        sources = check.text_list(data, "sources", item_check=check.url)
        reviewed = check.date(data, "reviewed")
        if (website or phone) and not sources:
            check.add(("sources",), "hjemmeside og telefon skal have en kilde (sources: - https://…)")
        if (website or phone) and not reviewed:
            check.add(("reviewed",), "skriv datoen, hvor hjemmeside og telefon blev tjekket")
        local = _check_list(doc, (*base, "channels"), data.get("channels") or [],
                            lambda b, item: check_channel(doc, b, item, municipality_id))
        if _errors(doc) > errors_before:
            return None
        return Municipality(municipality_id, name, region, aliases, tuple(local),
                            website=website, phone=phone, sources=sources, reviewed=reviewed)

    return _check_list_file(doc, "municipalities", one)


def check_out_of_scope_file(doc: YamlDoc) -> tuple[str, ...]:
    check = Checker(doc)
    if not check.fields(doc.data, ("examples",), ()):
        return ()
    return check.text_list(doc.data, "examples", minimum=10)


def _check_list_file(doc: YamlDoc, key: str, one: Callable[[tuple, Any], Any]) -> list:
    check = Checker(doc)
    if not check.fields(doc.data, (key,), ()):
        return []
    return _check_list(doc, (key,), doc.data.get(key), one)


def _check_list(doc: YamlDoc, path: tuple, items: Any, one: Callable[[tuple, Any], Any]) -> list:
    if items is None:
        return []
    if not isinstance(items, list):
        Checker(doc).add(path, f"skal være en liste, ikke {_kind(items)}")
        return []
    found = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        model = one((*path, i), item)
        if model is None:
            continue
        if model.id in seen:
            Checker(doc).add((*path, i, "id"), f"'{model.id}' står også på linje {seen[model.id]}")
            continue
        seen[model.id] = doc.line(*path, i, "id")
        found.append(model)
    return found


def _errors(doc: YamlDoc) -> int:
    return sum(1 for p in doc.problems if p.severity == "error")


def _kind(value: Any) -> str:
    return {dict: "en samling af felter", list: "en liste", bool: "ja/nej", int: "et tal",
            float: "et tal", date: "en dato"}.get(type(value), type(value).__name__)
