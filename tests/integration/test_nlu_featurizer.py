"""The e5 sentence featurizer of the NLU pipeline (bot/e5_featurizer.py), run in the Rasa venv
as Rasa runs it: the features the intent classifier reads, and a clear error for a bad config."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv-rasa" / "bin" / "python"

PROBE = r"""
import json, sys
import numpy as np
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.e5_featurizer import E5SentenceFeaturizer

config = {**E5SentenceFeaturizer.get_default_config(), "scale": 2.0}
featurizer = E5SentenceFeaturizer(config, "e5")
texts = ["jeg vil klage over min afgørelse", "I want to appeal the decision",
         "hvad får jeg i kontanthjælp", ""]
messages = [Message(data={"text": t}) for t in texts]
featurizer.process_training_data(TrainingData(training_examples=messages))
out = {"shapes": [], "norms": [], "sequence": []}
vectors = []
for m in messages:
    seq, sent = m.get_dense_features("text", ["e5"])
    out["sequence"].append(seq is not None)
    out["shapes"].append(list(sent.features.shape) if sent is not None else None)
    if sent is not None:
        vectors.append(sent.features[0])
        out["norms"].append(float(np.linalg.norm(sent.features[0])))
v = np.array(vectors)
out["same_meaning"] = float(v[0] @ v[1])
out["other_meaning"] = float(v[0] @ v[2])
errors = []
for bad in ({"scale": 0}, {"scale": "big"}, {"num_threads": 0}):
    try:
        E5SentenceFeaturizer.validate_config({**config, **bad})
    except InvalidConfigException as exc:
        errors.append(str(exc))
out["errors"] = errors
print(json.dumps(out))
"""


def test_each_message_gets_one_e5_sentence_vector_and_bad_config_is_named():
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([str(PYTHON), "-c", PROBE], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["shapes"] == [[1, 384], [1, 384], [1, 384], None]  # no text: no features
    assert out["sequence"] == [False] * 4  # sentence features only
    assert all(abs(n - 2.0) < 1e-4 for n in out["norms"])  # unit vectors times `scale`
    # Danish and English complaints meet by meaning, nearer than a Danish benefits question
    # (e5 cosines crowd together: 0.88 against 0.85 here, times scale² = 4).
    assert out["same_meaning"] > out["other_meaning"]
    assert len(out["errors"]) == 3
    assert "scale must be a positive number" in out["errors"][0]
    assert "num_threads" in out["errors"][2]
