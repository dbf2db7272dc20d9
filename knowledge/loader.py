"""Reads a knowledge folder into a KnowledgeBase, or refuses it with every problem listed.

A knowledge folder holds `articles/<topic>/<id>.yml`, `channels.yml` and `municipalities.yml`. Either the
whole set is valid and becomes a KnowledgeBase, or none of it is used: a running bot keeps the
last good set rather than serve half an edit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .gaps import check_gap_questions, check_gaps_file
from .models import KnowledgeBase
from .schema import (
    check_article,
    check_channels_file,
    check_municipalities_file,
    check_out_of_scope_file,
    check_related,
    check_shared_questions,
)
from .settings import settings
from .yamlfile import Problem, load_yaml

EXPECTED_MUNICIPALITIES = 98
OUT_OF_SCOPE = "out_of_scope.yml"  # optional: without it, only the score threshold rejects
GAPS = "gaps.yml"                  # optional: known topics without an article
# The NLU's crisis examples (one place for them) also serve the search's crisis check.
NLU_FILE = Path(__file__).resolve().parent.parent / "bot" / "data" / "nlu" / "crisis.yml"


def nlu_crisis_examples(path: Path) -> tuple[str, ...]:
    """The `crisis` intent's examples in Rasa's NLU file, entity markup removed; () without it."""
    import re

    import yaml

    if not path.exists():
        return ()
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for block in doc.get("nlu") or []:
        if block.get("intent") == "crisis":
            for line in str(block.get("examples") or "").splitlines():
                text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.strip()[2:]).strip()
                if text:
                    examples.append(text)
    return tuple(examples)


class KnowledgeError(Exception):
    """The YAML has errors; `problems` lists each as FILE:LINE: field: message."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} fejl i vidensbasen:\n" + "\n".join(map(str, errors)))


@dataclass
class LoadResult:
    kb: KnowledgeBase | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def article_files(knowledge_dir: Path) -> list[Path]:
    """Articles live one folder per topic (`articles/penge/kontanthjaelp.yml`), so an editor
    finds a file among 120+; a file placed straight in `articles/` is read too."""
    root = knowledge_dir / "articles"
    return sorted(root.glob("*.y*ml")) + sorted(root.glob("*/*.y*ml"))


def knowledge_files(knowledge_dir: Path) -> list[Path]:
    """Every file that makes up a knowledge set, in a stable order (for hashing and watching)."""
    articles = article_files(knowledge_dir)
    fixed = [knowledge_dir / name
             for name in ("channels.yml", "municipalities.yml", OUT_OF_SCOPE, GAPS)]
    return [p for p in fixed if p.exists()] + articles


def load_knowledge(knowledge_dir: Path | None = None, today: date | None = None,
                   public_url: str | None = None) -> LoadResult:
    defaults = settings()
    knowledge_dir = Path(knowledge_dir or defaults.knowledge_dir)
    today = today or date.today()
    public_url = (public_url or defaults.public_url).rstrip("/")
    problems: list[Problem] = []

    def display(path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    channels = []
    municipalities = []
    for name in ("channels.yml", "municipalities.yml"):
        path = knowledge_dir / name
        if not path.exists():
            problems.append(Problem(display(path), 1, "fil", "filen mangler"))
            continue
        doc = load_yaml(path, display(path))
        if doc.data is not None:
            if name == "channels.yml":
                channels = check_channels_file(doc)
            else:
                municipalities = check_municipalities_file(doc)
        problems.extend(doc.problems)
    if municipalities and len(municipalities) != EXPECTED_MUNICIPALITIES:
        problems.append(Problem(display(knowledge_dir / "municipalities.yml"), 1, "municipalities",
                                f"{len(municipalities)} kommuner; Danmark har "
                                f"{EXPECTED_MUNICIPALITIES}", "warning"))

    crisis_examples = nlu_crisis_examples(NLU_FILE)
    out_of_scope: tuple[str, ...] = ()
    if (knowledge_dir / OUT_OF_SCOPE).exists():
        doc = load_yaml(knowledge_dir / OUT_OF_SCOPE, display(knowledge_dir / OUT_OF_SCOPE))
        if doc.data is not None:
            out_of_scope = check_out_of_scope_file(doc)
        problems.extend(doc.problems)

    channel_ids = {c.id for c in channels}
    gaps: tuple = ()
    gaps_doc = None
    if (knowledge_dir / GAPS).exists():
        gaps_doc = load_yaml(knowledge_dir / GAPS, display(knowledge_dir / GAPS))
        if gaps_doc.data is not None:
            gaps = check_gaps_file(gaps_doc, channel_ids)
    articles = {}
    for path in article_files(knowledge_dir):
        if path.suffix != ".yml":
            problems.append(Problem(display(path), 1, "fil",
                                    "bliver ikke læst: filnavnet skal ende på .yml"))
            continue
        doc = load_yaml(path, display(path))
        article = None
        if doc.data is not None:
            folder = path.parent.name if path.parent.name != "articles" else None
            article = check_article(doc, path.stem, channel_ids, today, public_url, folder)
        problems.extend(doc.problems)
        if article:
            articles[article.id] = article
    problems.extend(check_related(articles))
    problems.extend(check_shared_questions(articles))
    if gaps_doc is not None:
        check_gap_questions(gaps_doc, gaps, articles)
        problems.extend(gaps_doc.problems)
    if not articles and not any(p.severity == "error" for p in problems):
        problems.append(Problem(display(knowledge_dir / "articles"), 1, "articles",
                                "der er ingen artikler"))

    if any(p.severity == "error" for p in problems):
        return LoadResult(None, problems)
    kb = KnowledgeBase(
        articles=articles,
        channels={c.id: c for c in channels},
        municipalities={m.id: m for m in municipalities},
        out_of_scope=out_of_scope,
        gaps=gaps,
        crisis_examples=crisis_examples,
    )
    return LoadResult(kb, problems)


def load_or_raise(knowledge_dir: Path | None = None, **kwargs) -> KnowledgeBase:
    result = load_knowledge(knowledge_dir, **kwargs)
    if result.kb is None:
        raise KnowledgeError(result.problems)
    return result.kb
