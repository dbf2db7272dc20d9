"""Rasa's check of every action-server response, without checking its own schema each time.

Rasa 3.6 validates each response of the action server (`RemoteAction._validate_action_result`)
with `jsonschema.validate`, which first checks the schema itself against the JSON-Schema
meta-schema and builds a new validator — on every call. For one answer that is ~1.7 ms of
Rasa's one event loop, of which the response check proper is ~0.15 ms (bench/README.md,
issue 16; RasaHQ/rasa#11717). The schema is Rasa's constant, so here it is checked once and
its validator kept: the same errors (`best_match`, as `jsonschema.validate` picks them) with
the same message as Rasa's. Installed by bot/redacting_channels.py, which every `rasa run` of
this project loads (bot/credentials.yml); Rasa itself is not changed.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = exceptions.best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
