"""Writes the NLU data that comes from the knowledge YAML: the `kommune` lookup table and
synonyms from municipalities.yml, and rights questions (intent ask_rights) from the articles.

`make train` runs `rettighedsbot rasa-lookup --out bot/data/generated_kommuner.yml` first, so
the NLU knows every kommune name the councils list (and their aliases), and the ways citizens
ask each article's question, without anyone copying them into bot/data by hand. Synonyms map
"Københavns Kommune", "Århus" or "koebenhavn" to the name in municipalities.yml; the actions
still resolve whatever arrives through `knowledge.municipalities`, so a name the NLU misses costs
nothing but the entity.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .crisis import detect
from .municipalities import official_name as official_kommune_name
from .text import ascii_variants

HEADER = ("# Generated from knowledge/municipalities.yml and knowledge/articles by\n"
          "# `rettighedsbot rasa-lookup`. Do not edit: edit the YAML and run `make train`.\n")
# Questions taken per article: enough to teach "this is a rights question" without letting
# ask_rights swamp the other intents (6 beat 8 and 10 in a 3-fold CV proxy: more pulled
# out_of_scope, complain and want_human messages into ask_rights).
QUESTIONS_PER_ARTICLE = 6
# "I want to complain" starts the complaint form (complain). A question *about* complaining
# ("hvor lang tid har jeg til at klage", "koster det noget at klage") stays a rights question:
# it is answered from its article, which offers the form as a button. (Dropping every question
# with "klag" scored 0.01 higher in a CV proxy, but sent deadline questions into the form.)
_COMPLAIN = re.compile(r"\b(?:vil|skal|gerne) klage\b|\bhvordan klager\b|\bi want to complain\b|"
                       r"\buenig\b", re.IGNORECASE)
# Articles whose example questions are another intent's messages: "my caseworker is rude",
# "they said no, what now" start a complaint (complain); "where can I get a free lawyer"
# asks for a person to advise (want_human). Labelled ask_rights they contradicted the
# hand-written examples. The knowledge search still answers them after nlu_fallback.
OTHER_INTENT_ARTICLES = {"klage-over-afgoerelse": "complain",
                         "klage-over-sagsbehandling": "complain",
                         "retshjaelp": "want_human"}


def lookup_entries(municipalities: list[dict]) -> tuple[list[str], dict[str, list[str]]]:
    """(every surface form for the lookup table, {canonical name: its other forms})."""
    names: list[str] = []
    synonyms: dict[str, list[str]] = {}
    for m in municipalities:
        name = str(m["name"]).strip()
        forms = [name, official_kommune_name(name), f"{name} kommune"]
        for alias in m.get("aliases") or []:
            forms += [str(alias).strip(), f"{str(alias).strip()} Kommune"]
        for form in list(forms):
            forms += ascii_variants(form)
        unique = list(dict.fromkeys(f for f in forms if f))
        names += unique
        others = [f for f in unique if f != name]
        if others:
            synonyms[name] = others
    return list(dict.fromkeys(names)), synonyms


def _block(items: list[str]) -> str:
    return "".join(f"    - {_quote(item)}\n" for item in items)


def _quote(item: str) -> str:
    return item if item[:1].isalnum() else f'"{item}"'


def labelled_elsewhere(data_dir: Path, skip: Path) -> set[str]:
    """Every example text in the hand-written NLU files, bot/data/nlu/*.yml included (so
    generated data never gives one of them a second intent)."""
    found: set[str] = set()
    for path in sorted(data_dir.rglob("*.yml")):
        if path.resolve() == skip.resolve() or path.name.startswith("generated_"):
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                text = re.sub(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}", r"\1\2",
                              line.strip()[2:])
                found.add(text.strip().casefold())
    return found


def rights_questions(articles_dir: Path, exclude: set[str]) -> list[str]:
    """Up to QUESTIONS_PER_ARTICLE example questions per article, minus crisis messages,
    complaint starters and anything already labelled in bot/data."""
    questions: list[str] = []
    seen = set(exclude)
    for path in sorted(articles_dir.glob("**/*.yml")):
        if path.stem in OTHER_INTENT_ARTICLES:
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        taken = 0
        for q in doc.get("questions") or []:
            q = " ".join(str(q).split())
            key = q.casefold()
            if not q or key in seen or detect(q) or _COMPLAIN.search(q) or "[" in q:
                continue
            seen.add(key)
            questions.append(q)
            taken += 1
            if taken == QUESTIONS_PER_ARTICLE:
                break
    return questions


def _annotate(text: str, names: list[str]) -> str:
    """Mark kommune names in a question as entities, longest names first."""
    for name in sorted(names, key=len, reverse=True):
        pattern = rf"(?<![\w\[])({re.escape(name)})(?![\w\]])"
        if re.search(pattern, text):
            return re.sub(pattern, r"[\1](kommune)", text, count=1)
    return text


def write_lookup(municipalities_path: Path | str, out_path: Path | str,
                 articles_dir: Path | str | None = None) -> Path:
    """Write the lookup table + synonyms (and, if the knowledge folder has articles, their
    questions as ask_rights examples) as Rasa 3 NLU YAML; returns the path written."""
    municipalities_path = Path(municipalities_path)
    data = yaml.safe_load(municipalities_path.read_text(encoding="utf-8")) or {}
    municipalities = data.get("municipalities") or []
    if not municipalities:
        raise ValueError(f"{municipalities_path}: no municipalities")
    names, synonyms = lookup_entries(municipalities)
    out = Path(out_path)
    parts = [HEADER, 'version: "3.1"\n', "nlu:\n", "- lookup: kommune\n  examples: |\n",
             _block(names)]
    for canonical, others in synonyms.items():
        parts += [f"- synonym: {canonical}\n  examples: |\n", _block(others)]
    articles = Path(articles_dir) if articles_dir else municipalities_path.parent / "articles"
    if articles.is_dir():
        questions = rights_questions(articles, labelled_elsewhere(out.parent, out))
        if questions:
            plain = [str(m["name"]) for m in municipalities]
            parts += ["- intent: ask_rights\n  examples: |\n",
                      "".join(f"    - {_annotate(q, plain)}\n" for q in questions)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(parts), encoding="utf-8")
    yaml.safe_load(out.read_text(encoding="utf-8"))   # refuse to leave broken YAML behind
    return out
