"""The kommune lookup table the NLU trains on, generated from municipalities.yml."""
from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.rasa_lookup import write_lookup

MINI = Path(__file__).parent / "data" / "mini" / "municipalities.yml"


def _read(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    lookup = next(e for e in doc["nlu"] if e.get("lookup") == "kommune")
    names = [line[2:] for line in lookup["examples"].splitlines()]
    synonyms = {e["synonym"]: [line[2:] for line in e["examples"].splitlines()]
                for e in doc["nlu"] if "synonym" in e}
    return {"version": doc["version"], "names": names, "synonyms": synonyms}


def test_lookup_has_names_aliases_and_kommune_forms(tmp_path):
    out = write_lookup(MINI, tmp_path / "sub" / "generated_kommuner.yml")
    got = _read(out)
    assert got["version"] == "3.1"
    for name in ("Aarhus", "Århus", "Aarhus Kommune", "København", "Københavns Kommune",
                 "Koebenhavn", "Kobenhavn", "Halsnæs", "Halsnaes"):
        assert name in got["names"], name
    assert len(got["names"]) == len(set(got["names"]))
    assert "Århus" in got["synonyms"]["Aarhus"]
    assert "Københavns Kommune" in got["synonyms"]["København"]
    assert "København" not in got["synonyms"]["København"]


def test_every_generated_name_resolves_to_its_kommune(tmp_path):
    from knowledge.loader import load_knowledge

    kb = load_knowledge(MINI.parent).kb
    got = _read(write_lookup(MINI, tmp_path / "k.yml"))
    for canonical, others in got["synonyms"].items():
        for other in others:
            assert kb.resolver.find(other).name == canonical, other
            assert kb.resolver.find(f"jeg bor i {other}").name == canonical, other


def test_real_file_when_present(tmp_path):
    real = Path(__file__).resolve().parents[1] / "knowledge" / "municipalities.yml"
    if not real.exists():
        return
    got = _read(write_lookup(real, tmp_path / "k.yml"))
    assert len(got["names"]) >= 98


def test_rights_questions_from_the_articles(tmp_path):
    from knowledge.crisis import detect

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.yml").write_text(
        "questions:\n  - kan jeg få hjælp i Aarhus\n  - jeg vil klage over det\n"
        "  - hvor lang tid har jeg til at klage\n"
        "  - jeg vil ikke leve mere\n  - hej\n" + "".join(f"  - spørgsmål {i}\n" for i in range(12)),
        encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "nlu.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n'
                                  "    - hej\n", encoding="utf-8")
    out = write_lookup(MINI, data / "generated_kommuner.yml", articles_dir=articles)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    block = next(e for e in doc["nlu"] if e.get("intent") == "ask_rights")
    examples = [line[2:] for line in block["examples"].splitlines()]
    assert examples[0] == "kan jeg få hjælp i [Aarhus](kommune)"
    assert "hej" not in examples                              # already a greeting
    assert not any(detect(e) for e in examples)               # crisis stays crisis
    assert "jeg vil klage over det" not in examples           # that starts a complaint
    assert examples[1] == "hvor lang tid har jeg til at klage"   # a question about it does not
    from knowledge.rasa_lookup import QUESTIONS_PER_ARTICLE
    assert len(examples) == QUESTIONS_PER_ARTICLE


def test_articles_of_other_intents_are_not_rights_questions(tmp_path):
    """"Min sagsbehandler er uhøflig" starts a complaint and "gratis advokat" asks for an
    adviser: those articles' questions would teach ask_rights another intent's messages."""
    from knowledge.rasa_lookup import OTHER_INTENT_ARTICLES

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "klage-over-sagsbehandling.yml").write_text(
        "questions:\n  - min sagsbehandler er uhøflig\n", encoding="utf-8")
    (articles / "retshjaelp.yml").write_text(
        "questions:\n  - hvor kan jeg få gratis advokat\n", encoding="utf-8")
    (articles / "kontanthjaelp.yml").write_text(
        "questions:\n  - kan jeg få kontanthjælp\n", encoding="utf-8")
    out = write_lookup(MINI, tmp_path / "data" / "generated_kommuner.yml", articles_dir=articles)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    block = next(e for e in doc["nlu"] if e.get("intent") == "ask_rights")
    assert [line[2:] for line in block["examples"].splitlines()] == ["kan jeg få kontanthjælp"]
    real = Path(__file__).resolve().parents[1] / "knowledge" / "articles"
    for stem in OTHER_INTENT_ARTICLES:                         # no stale names
        assert not real.is_dir() or list(real.glob(f"**/{stem}.yml")), stem


def test_examples_labelled_in_a_subfolder_of_the_nlu_are_not_generated_again(tmp_path):
    """The hand-written NLU lives in bot/data/nlu/*.yml: a question labelled there (here as a
    complaint) must not come back from the articles as ask_rights."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.yml").write_text(
        "questions:\n  - kan jeg få kontanthjælp\n  - min sag er forkert\n", encoding="utf-8")
    nlu = tmp_path / "data" / "nlu"
    nlu.mkdir(parents=True)
    (nlu / "complaint.yml").write_text('version: "3.1"\nnlu:\n- intent: complain\n'
                                       "  examples: |\n    - Min sag er forkert\n",
                                       encoding="utf-8")
    out = write_lookup(MINI, tmp_path / "data" / "generated_kommuner.yml", articles_dir=articles)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    block = next(e for e in doc["nlu"] if e.get("intent") == "ask_rights")
    assert [line[2:] for line in block["examples"].splitlines()] == ["kan jeg få kontanthjælp"]
