"""`rettighedsbot validate` on deliberately broken YAML: every problem named by file, line, field."""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from knowledge.loader import load_knowledge
from knowledge.readability import lix

MINI = Path(__file__).parent / "data" / "mini"
TODAY = date(2026, 11, 23)


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(MINI, target)
    return target


def write(kdir: Path, name: str, text: str) -> Path:
    path = kdir / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(kdir: Path) -> list[str]:
    return [str(p) for p in load_knowledge(kdir, today=TODAY).problems]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_mini_fixture_is_valid(kdir: Path) -> None:
    result = load_knowledge(kdir, today=TODAY)
    assert result.errors == []
    assert sorted(result.kb.articles) == ["hjemloeshed", "klagefrist", "socialt-frikort"]


def test_yaml_syntax_error_names_file_and_line(kdir: Path) -> None:
    article = kdir / "articles" / "klagefrist.yml"
    replace_in(article, "topic: klage\n", "topic: [klage\n")
    found = problems(kdir)
    assert any(p.startswith(f"{article}:") and ": yaml: ugyldig YAML" in p for p in found), found
    assert load_knowledge(kdir, today=TODAY).kb is None


def test_missing_field_unknown_field_and_wrong_type(kdir: Path) -> None:
    article = kdir / "articles" / "klagefrist.yml"
    replace_in(article, "topic: klage\n", "topik: klage\n")
    replace_in(article, "legal_basis:\n  - Forvaltningsloven § 25\n",
               "legal_basis: Forvaltningsloven § 25\n")
    found = problems(kdir)
    lines = article.read_text().splitlines()
    topik_line = next(i for i, l in enumerate(lines, 1) if l.startswith("topik:"))
    legal_line = next(i for i, l in enumerate(lines, 1) if l.startswith("legal_basis:"))
    assert f"{article}:{topik_line}: topik: ukendt felt (mente du 'topic'?)" in found
    assert any(p.startswith(f"{article}:1: topic: mangler") for p in found), found
    assert any(p.startswith(f"{article}:{legal_line}: legal_basis: skal være en liste")
               for p in found), found


def test_unknown_topic_channel_bad_url_and_too_few_questions(kdir: Path) -> None:
    article = kdir / "articles" / "socialt-frikort.yml"
    replace_in(article, "topic: penge", "topic: økonomi")
    replace_in(article, "channels: [sociale-retshjaelp]", "channels: [social-retshjaelp]")
    replace_in(article, "  - https://www.borger.dk", "  - www.borger.dk")
    replace_in(article, "  - må jeg arbejde lidt\n", "")
    found = "\n".join(problems(kdir))
    assert "topic: 'økonomi' er ukendt" in found
    assert "channels[0]: kanalen 'social-retshjaelp' findes ikke i channels.yml " \
           "(mente du 'sociale-retshjaelp'?)" in found
    assert "sources[0]: 'www.borger.dk' er ikke en gyldig https-adresse" in found
    assert "questions: har 2; mindst 3" in found


def test_dates_past_valid_until_future_review_and_old_review(kdir: Path) -> None:
    article = kdir / "articles" / "socialt-frikort.yml"
    replace_in(article, "reviewed: 2026-11-01", "reviewed: 2025-06-01\nvalid_until: 2025-12-31")
    found = problems(kdir)
    assert any(p.endswith("valid_until: 2025-12-31 er passeret: opdatér beløb/regler og datoen")
               for p in found), found
    assert any("reviewed: advarsel: sidst tjekket 2025-06-01" in p for p in found), found

    replace_in(article, "reviewed: 2025-06-01\nvalid_until: 2025-12-31", "reviewed: 2026-13-01")
    assert any("reviewed: '2026-13-01' er ikke en dato" in p for p in problems(kdir))


def test_id_must_be_ascii_slug_matching_file_name(kdir: Path) -> None:
    write(kdir, "articles/hjemløshed.yml",
          (kdir / "articles" / "hjemloeshed.yml").read_text().replace("id: hjemloeshed",
                                                                     "id: hjemløshed"))
    found = "\n".join(problems(kdir))
    assert "id: 'hjemløshed' skal være små bogstaver a-z" in found


def add_channel(kdir: Path, **fields: str) -> None:
    """Appends a channel to channels.yml, its fields as YAML text in the given order."""
    lines = [f"{key}: {value}" for key, value in {**fields, "for_whom": "Alle."}.items()]
    channels = kdir / "channels.yml"
    channels.write_text(channels.read_text() + "  - " + "\n    ".join(lines) + "\n")


def test_duplicate_key_and_duplicate_channel_id(kdir: Path) -> None:
    article = kdir / "articles" / "klagefrist.yml"
    replace_in(article, "lang: da\n", "lang: da\nlang: en\n")
    add_channel(kdir, id="livslinien", name="Livslinien igen", kind="krise",
                phone='"70 201 201"')
    found = "\n".join(problems(kdir))
    assert "lang: feltet står to gange" in found
    assert "channels[3].id: 'livslinien' står også på linje 7" in found


def test_channel_needs_phone_or_url_and_valid_kind(kdir: Path) -> None:
    add_channel(kdir, id="hotline", name="Hotline", kind="telefon", phone='"ring nu"')
    found = "\n".join(problems(kdir))
    assert "channels[3].kind: 'telefon' er ukendt" in found
    assert "channels[3].phone: 'ring nu' er ikke et telefonnummer" in found


def test_lix_warning_does_not_block_loading(kdir: Path) -> None:
    article = kdir / "articles" / "klagefrist.yml"
    replace_in(article, "  Du har 4 uger til at klage. Fristen tæller fra den dag, du fik afgørelsen.",
               "  Ankestyrelsens klagebehandlingsprocedurer forudsætter forvaltningsretlige "
               "afgørelsesbegrundelser og sagsbehandlingsskridt i overensstemmelse med "
               "klagevejledningsforpligtelserne")
    result = load_knowledge(kdir, today=TODAY)
    assert result.kb is not None
    assert any(p.field == "summary" and p.severity == "warning" and "LIX" in p.message
               for p in result.problems)


def test_lix_values() -> None:
    assert lix("") == 0
    # 6 words, 1 sentence, 0 long words
    assert lix("Du har fire uger til klage.") == 6.0
    # 5 words, 2 sentences, 2 long words (> 6 letters): 2.5 + 40
    assert lix("Afgørelsen kom. Kommunen sagde nej.") == 42.5


def test_cli_exits_1_and_prints_file_line_field(kdir: Path) -> None:
    replace_in(kdir / "articles" / "klagefrist.yml", "lang: da", "lang: dansk")
    run = subprocess.run([sys.executable, "-m", "knowledge.cli", "validate", str(kdir)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1
    line = next(l for l in run.stdout.splitlines() if "lang:" in l)
    file, lineno, field, message = line.split(":", 3)
    assert file.endswith("klagefrist.yml") and int(lineno) > 1 and field == " lang"
    assert "'dansk' er ukendt" in message


def test_cli_validates_the_shipped_knowledge_without_errors() -> None:
    run = subprocess.run([sys.executable, "-m", "knowledge.cli", "validate"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK:" in run.stderr


def test_gaps_file_problems_name_file_line_and_field(kdir: Path) -> None:
    write(kdir, "gaps.yml", """gaps:
  - id: folkepension
    name: folkepension
    words: [folkepension, sfo]
    channels: [udbetalingdanmark]
    sources: [http://example.org]
  - id: Barsel
    name: barsel
    words: [barsel]
    channels: [sociale-retshjaelp]
""")
    found = problems(kdir)
    assert any("gaps.yml:4: gaps[0].words[1]: 'sfo' er for kort" in p for p in found), found
    assert any("gaps.yml:5: gaps[0].channels[0]: kanalen 'udbetalingdanmark' findes ikke"
               in p for p in found), found
    assert any("gaps.yml:6: gaps[0].sources[0]" in p for p in found), found
    assert any("gaps.yml:7: gaps[1].id" in p for p in found), found
    assert any("gaps[1].sources: mangler" in p for p in found), found


def test_gap_questions_are_a_list_and_not_an_articles_question(kdir: Path) -> None:
    """A gap's example questions teach the classifier the topic: each must be text, and one
    that is also an article's example question is flagged (it would teach two answers)."""
    write(kdir, "gaps.yml", """gaps:
  - id: folkepension
    name: folkepension
    words: [folkepension]
    channels: [sociale-retshjaelp]
    sources: [https://example.org/folkepension]
    questions:
      - hvornaar kan jeg gaa paa pension
      - Hvor lang tid har jeg til at klage
  - id: barsel
    name: barsel
    words: [barsel]
    channels: [sociale-retshjaelp]
    sources: [https://example.org/barsel]
    questions: vi skal have en baby
""")
    result = load_knowledge(kdir, today=TODAY)
    found = [str(p) for p in result.problems]
    assert any("gaps.yml:15: gaps[1].questions: skal være en liste" in p for p in found), found
    shared = [p for p in result.problems if p.field == "gaps[0].questions[1]"]
    assert len(shared) == 1 and shared[0].severity == "warning" and shared[0].line == 9
    assert "artiklen 'klagefrist'" in shared[0].message
    write(kdir, "gaps.yml", (kdir / "gaps.yml").read_text("utf-8").replace(
        "    questions: vi skal have en baby\n", "    questions: [vi skal have en baby]\n"))
    kb = load_knowledge(kdir, today=TODAY).kb
    assert kb is not None
    assert [g.questions for g in kb.gaps] == [
        ("hvornaar kan jeg gaa paa pension", "Hvor lang tid har jeg til at klage"),
        ("vi skal have en baby",)]


def test_related_must_name_existing_articles_and_folder_must_match_topic(kdir: Path) -> None:
    article = kdir / "articles" / "klagefrist.yml"
    replace_in(article, "lang: da", "lang: da\nrelated: [klagefirst, klagefrist]")
    (kdir / "articles" / "bolig").mkdir()
    shutil.move(kdir / "articles" / "hjemloeshed.yml", kdir / "articles" / "bolig" / "x.yml")
    found = problems(kdir)
    assert any("related: artiklen 'klagefirst' findes ikke (mente du 'klagefrist'?)" in p
               for p in found), found
    assert any("related: en artikel kan ikke henvise til sig selv" in p for p in found), found
    assert any("bolig/x.yml" in p and "id: 'hjemloeshed' skal være det samme som filnavnet" in p
               for p in found), found


def test_local_channels_need_role_sources_and_a_valid_email(kdir: Path) -> None:
    replace_in(kdir / "municipalities.yml", "        role: borgerraadgiver\n", "")
    replace_in(kdir / "municipalities.yml", "        url: https://aarhus.dk\n",
               "        url: https://aarhus.dk\n        email: ikke-en-mail\n")
    found = problems(kdir)
    assert any("channels[0].role: mangler" in p for p in found), found
    assert any("channels[0].email: 'ikke-en-mail' er ikke en e-mailadresse" in p
               for p in found), found


def test_the_search_gets_the_nlu_s_crisis_examples() -> None:
    """knowledge/loader.py reads the crisis intent from bot/data/nlu/crisis.yml; a wrong path
    would silently give the search's crisis check no examples at all."""
    from knowledge.loader import NLU_FILE, nlu_crisis_examples

    examples = nlu_crisis_examples(NLU_FILE)
    assert len(examples) >= 100
    assert "jeg vil ikke leve mere" in examples
    assert all("[" not in e and e == e.strip() for e in examples)


def test_an_example_question_in_two_articles_is_a_warning_naming_both(kdir: Path) -> None:
    replace_in(kdir / "articles" / "socialt-frikort.yml", "  - hvad er et frikort\n",
               "  - hvad er et frikort\n  - Hvor lang tid har jeg til at klage?\n")
    result = load_knowledge(kdir, today=TODAY)
    assert result.kb is not None                      # a warning: the bot still loads
    shared = [p for p in result.problems if p.field == "questions"]
    assert len(shared) == 1 and shared[0].severity == "warning"
    assert shared[0].file.endswith("socialt-frikort.yml") and shared[0].line == 14
    assert "klagefrist.yml:14" in shared[0].message
