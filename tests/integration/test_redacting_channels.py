"""What Rasa's own channels let in (bot/redacting_channels.py), in the Rasa venv: the same
length limit as the web app (knowledge.limits) and no personal data."""
from __future__ import annotations

import pytest
from rasa_venv import probe as run_probe

from knowledge.limits import MAX_QUERY_CHARS

pytestmark = pytest.mark.integration

PROBE = r"""
import json
from bot.redacting_channels import clean, clean_metadata
print(json.dumps({
    "long": len(clean("hjælp " * 400)),
    "cpr": clean("mit cpr er 010203-1234"),
    "metadata": clean_metadata({"kommune": "Aarhus", "note": "ring på 12345678"}),
    "surrogate": clean("a\ud800b"),
}))
"""


@pytest.fixture(scope="module")
def cleaned() -> dict:
    return run_probe(PROBE)


def test_a_long_message_is_cut_where_the_web_app_cuts_it(cleaned):
    assert cleaned["long"] == MAX_QUERY_CHARS


def test_personal_data_never_gets_in(cleaned):
    assert "010203" not in cleaned["cpr"] and "[CPR-nummer]" in cleaned["cpr"]
    assert cleaned["metadata"]["kommune"] == "Aarhus"
    assert "12345678" not in cleaned["metadata"]["note"]
    assert "\ud800" not in cleaned["surrogate"]
