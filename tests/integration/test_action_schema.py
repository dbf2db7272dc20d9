"""Rasa's check of the action server's responses (bot/action_schema.py), run in the Rasa venv
as `rasa run` loads it: installed by the channel module, the same verdicts and error messages
as Rasa's own `jsonschema.validate`, and the schema itself checked once, not on every call."""
from __future__ import annotations

import pytest
from rasa_venv import probe as run_probe

pytestmark = pytest.mark.integration

PROBE = r"""
import json
import jsonschema
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
original = RemoteAction._validate_action_result
import bot.redacting_channels  # what `rasa run` loads (bot/credentials.yml)

out = {"installed": RemoteAction._validate_action_result is not original, "cases": []}
action = RemoteAction("action_answer_from_knowledge", None)
responses = [
    {"events": [{"event": "slot", "name": "last_article", "value": "klagefrist"}],
     "responses": [{"text": "hej", "buttons": [{"title": "a", "payload": "/b"}]}]},
    {"events": [], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
    {"events": [], "responses": "not a list"},
]
for response in responses:
    verdicts = []
    for check in (original, RemoteAction._validate_action_result):
        try:
            verdicts.append(["ok", check(action, response)])
        except ValidationError as e:
            verdicts.append(["error", e.message])
    out["cases"].append(verdicts)

calls = []
used = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
real = used.check_schema
used.check_schema = classmethod(lambda cls, s: calls.append(1) or real(s))
for _ in range(50):
    RemoteAction._validate_action_result(action, responses[0])
out["schema_checks"] = len(calls)
for _ in range(50):  # the control: Rasa's own check, counted the same way
    original(action, responses[0])
out["schema_checks_by_rasa"] = len(calls) - out["schema_checks"]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probe() -> dict:
    return run_probe(PROBE)


def test_the_channel_module_installs_the_check(probe):
    assert probe["installed"]


def test_same_verdicts_and_messages_as_rasa_s_own_check(probe):
    kinds = [[verdict[0] for verdict in case] for case in probe["cases"]]
    assert kinds == [["ok", "ok"], ["ok", "ok"], ["error", "error"], ["error", "error"],
                     ["error", "error"]]
    for rasa_s, ours in probe["cases"]:
        assert ours == rasa_s
    assert "Failed to validate Action server response" in probe["cases"][2][1][1]


def test_the_schema_is_not_checked_again_per_response(probe):
    assert probe["schema_checks_by_rasa"] == 50       # the count sees Rasa's checks
    assert probe["schema_checks"] == 0
