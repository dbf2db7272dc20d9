"""The Makefile's dependencies are true to what each generated file reads: editing an article's
questions, a kommune or the hand-written NLU regenerates the lookup and retrains the model
(`make -n -W FILE` asks make what it would do if FILE had just changed, without doing it)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TRAIN = ".venv-rasa/bin/rasa train"
LOOKUP = "knowledge.cli rasa-lookup"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(changed: str | None, target: str = "train") -> str:
    """What `make TARGET` would run, had `changed` just been edited (None: as things are)."""
    edited = ["-W", changed] if changed else []
    result = subprocess.run(["make", "-n", *edited, target], cwd=REPO,
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


@pytest.mark.parametrize("changed", [
    "knowledge/articles/klage/klagefrist.yml",      # its questions feed the NLU lookup
    "knowledge/municipalities.yml",
    "knowledge/rasa_lookup.py",
    "bot/data/nlu/rights.yml",                      # the hand-written NLU, one file per family
    "bot/data/nlu/crisis.yml",
])
def test_an_input_of_the_generated_nlu_regenerates_it_and_retrains(changed):
    plan = planned(changed)
    assert LOOKUP in plan and TRAIN in plan, plan


@pytest.mark.parametrize("changed", ["config.yml", "bot/domain.yml", "bot/e5_featurizer.py"])
def test_the_model_s_own_inputs_retrain_it(changed):
    assert TRAIN in planned(changed)


def test_an_edit_outside_the_model_s_inputs_changes_nothing():
    # compared with the plan as things are: a checkout may have a stale model already
    assert planned("README.md") == planned(None)
