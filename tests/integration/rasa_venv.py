"""Run a piece of Python in the Rasa venv, in the project folder, as `rasa run` imports the
project's modules there; the piece prints one JSON line as its last output."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv-rasa" / "bin" / "python"


def probe(code: str) -> dict:
    done = subprocess.run([str(PYTHON), "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
