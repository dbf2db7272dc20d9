"""Small facts about the knowledge models that the bot's answers depend on."""
from __future__ import annotations

from knowledge.loader import load_or_raise
from knowledge.models import Channel, fold

from .conftest import DATA


def test_tel_url_dials_danish_numbers_from_anywhere() -> None:
    def tel(phone: str) -> str | None:
        return Channel("x", "X", "krise", "alle", phone=phone).tel_url

    assert tel("70 201 201") == "tel:+4570201201"
    assert tel("112") == "tel:112"
    assert tel("116 111") == "tel:116111"
    assert Channel("x", "X", "raad", "alle", url="https://x.dk").tel_url is None


def test_municipality_lookup_ignores_case_spelling_and_the_word_kommune() -> None:
    kb = load_or_raise(DATA / "mini")
    for text in ("Aarhus", "århus", "ÅRHUS KOMMUNE", "aarhus kommune", "Århus Kommunes"):
        assert kb.municipality(text).id == "aarhus", text
    assert kb.municipality("Københavns Kommune").id == "koebenhavn"
    assert kb.municipality("Halsnæs").id == "halsnaes"  # a name that really ends in s
    assert kb.municipality("Gotham") is None and kb.municipality("") is None


def test_fold_makes_aeoeaa_spellings_meet() -> None:
    assert fold("Høje-Taastrup") == fold("hoeje taastrup") == "hoeje taastrup"


def test_crisis_channels_come_from_channels_yml() -> None:
    kb = load_or_raise(DATA / "mini")
    assert [c.id for c in kb.crisis_channels()] == ["livslinien"]


def test_body_paragraphs_split_on_blank_lines() -> None:
    article = load_or_raise(DATA / "mini").article("klagefrist")
    paragraphs = article.paragraphs()
    assert paragraphs[0].startswith("Du skal klage inden 4 uger")
    assert paragraphs[1].startswith("Sådan gør du:\n- Skriv til kommunen.")
