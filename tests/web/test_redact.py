"""knowledge.redact: CPR numbers, e-mails and phone numbers never leave the web process."""
from __future__ import annotations

import pytest

from knowledge.redact import contains_personal_data, redact

CPR, MAIL, PHONE, NUMBER = "[CPR-nummer]", "[e-mail]", "[telefonnummer]", "[nummer]"


@pytest.mark.parametrize("text, expected", [
    ("mit cpr er 010203-1234", f"mit cpr er {CPR}"),
    ("cpr: 0102031234.", f"cpr: {CPR}."),
    ("310199 1234 er mit nummer", f"{CPR} er mit nummer"),
    ("født 241285–4321", f"født {CPR}"),                       # en dash from a phone keyboard
    ("skriv til jens.hansen@gmail.com", f"skriv til {MAIL}"),
    ("ø.ærlig@post.dk, tak", f"{MAIL}, tak"),
    ("ring 12345678", f"ring {PHONE}"),
    ("ring på 12 34 56 78 i dag", f"ring på {PHONE} i dag"),
    ("+45 1234 5678", PHONE),
    ("0045 12345678", PHONE),
    ("tlf 70 201 201", f"tlf {PHONE}"),
    ("12-34-56-78", PHONE),
    ("kontonummer 12345678901234", f"kontonummer {NUMBER}"),
    ("cpr 010203-1234 og mail a@b.dk og tlf 11223344",
     f"cpr {CPR} og mail {MAIL} og tlf {PHONE}"),
])
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected
    assert contains_personal_data(text)


@pytest.mark.parametrize("text", [
    "Jeg fik afgørelsen 12.03.2026",          # a date matters for the complaint deadline
    "afgørelse fra 12-03-2026",
    "Forvaltningsloven § 25, stk. 1",
    "jeg får 12.000 kr om måneden",
    "ring 112",
    "i 2026 fik jeg 4 uger",
])
def test_ordinary_text_is_kept(text):
    assert redact(text) == text
    assert not contains_personal_data(text)


def test_empty_and_none_pass_through():
    assert redact("") == ""
    assert redact(None) is None


NAME, ADDRESS = "[navn]", "[adresse]"


@pytest.mark.parametrize("text, expected", [
    ("11 02 85 1114", CPR),                                   # CPR in pairs, as read aloud
    ("jeg hedder Xenia Qvistgaard", f"jeg hedder {NAME}"),
    ("jeg hedder peter hansen og bor i aarhus", f"jeg hedder {NAME} og bor i aarhus"),
    ("mit navn er Anna", f"mit navn er {NAME}"),
    ("my name is John Smith", f"my name is {NAME}"),
    ("min sagsbehandler Lone Jensen siger nej", f"min sagsbehandler {NAME} siger nej"),
    ("klage over Bodil Krumsvig", f"klage over {NAME}"),
    ("jeg bor på Nørregade 12, 3. tv i aarhus", f"jeg bor på {ADDRESS} i aarhus"),
    ("adressen er Kongens Allé 5", f"adressen er {ADDRESS}"),
    ("Ulvsbjergvej 17B", ADDRESS),
])
def test_names_addresses_and_spaced_cpr_are_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "min sagsbehandler siger nej",                # no name given
    "kan kommunen stoppe min kontanthjælp",
    "jeg vil klage over Jobcenter Aarhus",         # an authority, not a person
    "klage over Københavns Kommune",
    "alle 3 børn",
    "jeg er syg",
    "hvad hedder det nu",
    "jeg er over 18",
])
def test_ordinary_words_are_kept(text):
    assert redact(text) == text
