"""The crisis safety net: every phrasing here must raise the alarm, with the right kind."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.crisis import CHILD, SUICIDE, VIOLENCE, detect, fold, line_ids, lines_for
from knowledge.loader import load_knowledge
from knowledge.models import Channel

SUICIDAL = [
    "jeg orker ikke mere", "Jeg kan ikke mere!!", "jeg kan ikke mere, jeg er så træt",
    "jeg magter ikke mere alt er sort",
    "jeg tænker på selvmord",
    "Jeg har selvmordstanker",
    "jeg vil slå mig selv ihjel",
    "jeg vil sla mig selv ihjel",                 # no å
    "jeg vil slaa mig selv ihjel",                # å as aa
    "jeg vil slå mig ihjel",
    "jeg vil ikke leve mere",
    "jeg gider ikke leve",
    "gider ikke at leve længere",
    "jeg orker ikke livet",
    "har ikke lyst til at leve mere",
    "jeg vil bare dø",
    "jeg vil gerne do",                           # no ø
    "jeg ønsker at dø",
    "gid jeg var død",
    "jeg vil ende det hele",
    "jeg vil gøre en ende på det",
    "jeg vil ikke være her mere",
    "jeg har lyst til at tage mit eget liv",
    "jeg vil tage livet af mig selv",
    "jeg skærer i mig selv",
    "jeg tænker på at hænge mig",
    "jeg vil tage en overdosis",
    "jeg vil springe ud foran toget",
    "selvmord",
    "selvmrod",                                    # transposed letters
    "selv mord",                                  # split word
    "jeg er livstræt",
    "I want to kill myself",
    "i dont want to live anymore",
    "I want to die",
    "thinking about suicide",
    "hej jeg ville bare sige at jeg ikke vil leve mere",   # hidden in a greeting
    "jeg vil klage over kontanthjælp og jeg vil ikke leve mere",
]
VIOLENT = [
    "han slår mig",
    "min kæreste slår mig",
    "min kaereste truer mig",
    "min kæreste truer mig",
    "jeg bliver slået derhjemme",
    "jeg blev slået i går",
    "jeg er blevet slaaet af min mand",
    "der er vold i mit forhold",
    "min mand er voldelig",
    "jeg er udsat for psykisk vold",
    "jeg er blevet voldtaget",
    "jeg blev voldtaget",
    "jeg er udsat for kærestevold",
    "han truer med at slå mig ihjel",
    "han vil slå mig ihjel",
    "jeg er bange for min kæreste",
    "jeg tør ikke gå hjem",
    "jeg er blevet overfaldet",
    "my boyfriend hits me",
    "domestic violence",
    "I was raped",
]
CHILDREN = [
    "min far slår mig",
    "mine forældre slår mig",
    "min stedfar rører ved mig",
    "jeg er 13 år og vil ikke leve mere",
    "jeg er 15 år og min kæreste slår mig",
    "mit barn bliver slået",
    "my dad hits me",
]
NOT_CRISIS = [
    "jeg kan ikke mere end 3000 kr om måneden", "jeg kan ikke mere betale min husleje",
    "jeg orker ikke mere bøvl med kommunen", "jeg gider ikke mere", "jeg vil ikke mere",
    "hej",
    "kan jeg få kontanthjælp",
    "hvornår er fristen for at klage",
    "jeg kan ikke leve af min kontanthjælp",
    "man kan ikke leve for 5000 kr om måneden",
    "det slår mig at kommunen er langsom",
    "jeg vil slå op hvad reglerne er",
    "det er voldsomt dyrt at bo i København",
    "kommunen truer med at stoppe min kontanthjælp",
    "jeg har brug for en bisidder",
    "hvad er aktindsigt",
    "jeg vil gerne klage over min sagsbehandler",
    "jeg er 19 år og har lige forladt min plejefamilie",
    "tak for hjælpen",
    "",
]


@pytest.mark.parametrize("text", SUICIDAL)
def test_suicidal_phrasings_are_caught(text):
    match = detect(text)
    assert match is not None, text
    assert SUICIDE in match.kinds


@pytest.mark.parametrize("text", VIOLENT)
def test_violence_phrasings_are_caught(text):
    match = detect(text)
    assert match is not None, text
    assert VIOLENCE in match.kinds


@pytest.mark.parametrize("text", CHILDREN)
def test_children_get_the_child_kind_first(text):
    match = detect(text)
    assert match is not None, text
    assert match.kind == CHILD


def test_suicide_outranks_violence_for_an_adult():
    match = detect("han slår mig og jeg vil ikke leve mere")
    assert match.kind == SUICIDE and VIOLENCE in match.kinds


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_ordinary_questions_do_not_raise_the_alarm(text):
    assert detect(text) is None


def test_enough_phrasings_are_covered():
    assert len(SUICIDAL) + len(VIOLENT) + len(CHILDREN) >= 40


def test_fold_meets_the_spellings_citizens_use():
    assert fold("Slå") == fold("slaa") == fold("sla") == "sla"
    assert fold("kæreste") == fold("kaereste") == fold("kareste")
    assert fold("DØ!") == fold("doe") == "do"


def _channel(cid: str) -> Channel:
    return Channel(id=cid, name=cid.title(), kind="krise", for_whom="x", phone="12 34 56 78")


ALL = [_channel(c) for c in ("livslinien", "alarm-112", "lev-uden-vold", "boernetelefonen")]


def test_lines_for_suicide_start_with_livslinien_and_include_112():
    ids = [c.id for c in lines_for(detect("jeg vil ikke leve mere"), ALL)]
    assert ids[0] == "livslinien" and "alarm-112" in ids
    assert "boernetelefonen" not in ids


def test_lines_for_violence_and_child():
    assert [c.id for c in lines_for(detect("han slår mig"), ALL)] == ["lev-uden-vold", "alarm-112"]
    ids = [c.id for c in lines_for(detect("min far slår mig"), ALL)]
    assert ids[0] == "boernetelefonen" and "lev-uden-vold" in ids and ids[-1] == "alarm-112"


def test_no_match_means_every_line():
    assert {c.id for c in lines_for(None, ALL)} == {c.id for c in ALL}
    assert line_ids(None)[-1] == "alarm-112"


def test_missing_channel_falls_back_to_every_crisis_channel():
    only_two = [_channel("livslinien"), _channel("headspace")]
    ids = [c.id for c in lines_for(detect("han slår mig"), only_two)]
    assert set(ids) == {"livslinien", "headspace"}


KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


def test_the_real_channels_yml_has_every_line_the_net_names():
    result = load_knowledge(KNOWLEDGE)
    assert result.kb is not None, result.errors
    crisis = {c.id: c for c in result.kb.crisis_channels()}
    for cid in line_ids(None):
        assert cid in crisis, f"{cid} missing from knowledge/channels.yml (kind: krise)"
        assert crisis[cid].phone, f"{cid} has no phone number"
