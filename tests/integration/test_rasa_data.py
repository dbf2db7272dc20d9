"""The Rasa project data with Rasa's own tools: `rasa data validate` and the test stories in
bot/tests (`rasa test core --e2e`: the NLU must classify each message as labelled and the
policies must predict each action)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
RASA = REPO / ".venv-rasa" / "bin" / "rasa"
MODEL = REPO / "models" / "rettighedsbot.tar.gz"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def rasa(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(RASA), *args], cwd=REPO, env=ENV, capture_output=True,
                          text=True, timeout=timeout, check=False)


def responses_used_by_code() -> set[str]:
    """Responses that custom actions and forms send, which Rasa's validator cannot see."""
    used = set()
    for path in (REPO / "actions").glob("*.py"):
        used |= set(re.findall(r"[\"'](utter_\w+)[\"']", path.read_text(encoding="utf-8")))
    domain = yaml.safe_load((REPO / "bot" / "domain.yml").read_text(encoding="utf-8"))
    for form in (domain.get("forms") or {}).values():
        used |= {f"utter_ask_{slot}" for slot in form["required_slots"]}
    return used


def test_rasa_data_validate_is_clean():
    result = rasa("data", "validate", "--config", "config.yml", "--domain", "bot/domain.yml",
                  "--data", "bot/data")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "No story structure conflicts found" in output
    assert not re.search(r"\bERROR\b", output), output[-3000:]
    # The only warnings allowed: responses "not used in any story or rule" that the actions
    # or the form do use. Anything else (unknown intents, unused intents, conflicts) fails.
    unused = set(re.findall(r"The utterance '(utter_\w+)' is not used in any story or rule",
                            output))
    assert unused <= responses_used_by_code(), unused - responses_used_by_code()
    other = [line for line in output.splitlines()
             if "UserWarning" in line and "is not used in any story or rule" not in line]
    assert not other, other


def test_the_test_stories_pass(tmp_path):
    assert MODEL.exists(), "run `make train` first"
    result = rasa("test", "core", "--e2e", "--model", str(MODEL), "--stories", "bot/tests",
                  "--out", str(tmp_path), "--no-plot")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
    stories = yaml.safe_load((REPO / "bot" / "tests" / "test_stories.yml").read_text())
    total = len(stories["stories"])
    assert re.search(rf"Correct:\s+{total} / {total}", output), output[-2000:]
