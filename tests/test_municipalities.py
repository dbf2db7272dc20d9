"""The one kommune resolver and every kommune's own channels, on the real municipalities.yml:
each kommune from its name, aliases, a spelling without æøå, in a sentence and misspelt; the
kommune's own website; its borgerrådgiver in the advice reply, or the national routes."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from actions.advice import ActionAdvice
from knowledge.loader import load_knowledge
from knowledge.municipalities import channels_with_role, kommune_channel, official_name
from knowledge.settings import PACKAGE_DIR
from knowledge.text import ascii_variants

from .test_actions import render, responses, run, tracker


@pytest.fixture(scope="module")
def kb():
    result = load_knowledge(PACKAGE_DIR)
    assert result.kb is not None, result.errors
    return result.kb


def test_all_98_kommuner_with_their_own_website(kb):
    assert len(kb.municipalities) == 98
    for m in kb.municipalities.values():
        assert m.website and urlparse(m.website).scheme == "https", m.id
        assert m.sources and m.reviewed, m.id


def test_each_kommune_resolves_from_name_aliases_and_spellings(kb):
    for m in kb.municipalities.values():
        forms = [m.name, official_name(m.name), *m.aliases]
        forms += [v for f in forms for v in ascii_variants(f)]
        for form in forms:
            assert kb.resolver.find(form) is m, form
            assert kb.resolver.find(f"jeg bor i {form} og har brug for hjælp") is m, form
            assert kb.municipality(form) is m, form       # the same resolver for exact fields


@pytest.mark.parametrize("text, kommune", [
    ("jeg bor i Haderslev", "haderslev"), ("Hadersleb", "haderslev"), ("halsnas", "halsnaes"),
    ("Kobenhavn", "koebenhavn"), ("Københavns Kommune", "koebenhavn"), ("aarhus", "aarhus"),
    ("jeg bor i Frederiksværk", "halsnaes"), ("Esbjærg", "esbjerg"), ("i Sønderborgg", "soenderborg"),
])
def test_typos_towns_and_genitives(kb, text, kommune):
    assert kb.resolver.find(text).id == kommune


@pytest.mark.parametrize("text", ["jeg vil klage", "hjælp", "ved ikke", "lejer", "", "Herninggg x"])
def test_no_kommune_is_made_up(kb, text):
    found = kb.resolver.find(text)
    assert found is None or text == "Herninggg x" and found.id == "herning"


def test_local_channels_are_the_kommunes_own(kb):
    roles = {c.role for m in kb.municipalities.values() for c in m.channels}
    assert {"borgerraadgiver", "udsatteraad"} <= roles
    with_adviser = [m for m in kb.municipalities.values()
                    if channels_with_role(m, "borgerraadgiver")]
    assert len(with_adviser) >= 40
    for m in kb.municipalities.values():
        for c in m.channels:
            assert c.id.startswith(f"{m.id}-") and c.sources and c.reviewed, c.id
            assert c.url or c.phone, c.id


def test_din_kommune_links_to_the_kommunes_own_site(kb):
    article = kb.article("kontanthjaelp")
    odense = kb.municipalities["odense"]
    channels = kb.channels_for(article, "Odense")
    assert kommune_channel(odense) in channels
    assert kb.channels["kommunen"] not in channels            # borger.dk's page replaced
    assert kb.channels["kommunen"] in kb.channels_for(article, None)


def test_a_topic_without_an_article_sends_to_the_kommunes_own_site(kb):
    # gaps.yml names "kommunen" for e.g. plejevederlag: with a kommune, its own site and number
    gap = next(g for g in kb.gaps if g.id == "plejevederlag")
    assert "kommunen" in gap.channels
    aarhus = kb.channels_named(gap.channels, "Aarhus")
    assert [c.url for c in aarhus] == ["https://aarhus.dk"] and aarhus[0].phone == "89 40 20 00"
    assert kb.channels_named(gap.channels, None) == [kb.channels["kommunen"]]
    assert kb.channels_named(["nope", *gap.channels], "Ikke en kommune") == [kb.channels["kommunen"]]


def test_advice_gives_the_borgerraadgiver_first_where_there_is_one(kb, monkeypatch):
    import actions.advice
    import actions.common

    class Svc:
        def __init__(self, kb):
            self.kb = kb

        def search(self, *args, **kwargs):
            raise RuntimeError("no topic")          # the advice works without one

    monkeypatch.setattr(actions.common, "SERVICE_OVERRIDE", Svc(kb))
    messages, _ = run(ActionAdvice(), tracker("jeg bor i Odense", "inform"))
    assert responses(messages) == ["utter_advice", "utter_advice_more"]
    first = render(messages[0])
    assert "Odense Kommune" in first and "Borgerrådgiveren i Odense Kommune" in first
    assert "Den Sociale Retshjælp" in render(messages[2])

    billund = kb.municipalities["billund"]
    assert not channels_with_role(billund, "borgerraadgiver")
    messages, _ = run(ActionAdvice(), tracker("jeg bor i Billund", "inform"))
    text = " ".join(render(m) for m in messages if m.get("response"))
    assert "Borgerrådgiver" not in text and "Den Sociale Retshjælp" in text
    assert "Billund Kommune" in text                           # its own site and number

