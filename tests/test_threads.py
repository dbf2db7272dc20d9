"""The action server and the web app run numpy's OpenBLAS with one thread (knowledge/__init__).

On two shared cores a second BLAS thread made the crisis check 15x dearer in CPU and spun
under load. OPENBLAS_NUM_THREADS is read once, when numpy loads, so it only works if nothing
imports numpy before the `knowledge` package: checked here as each process starts.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("threadpoolctl")

PROBE = """
import sys
import rasa_sdk.endpoint  # the action server imports this first (python -m rasa_sdk)
import {module}
import numpy
from threadpoolctl import threadpool_info
# numpy's own OpenBLAS (faiss brings an OpenMP build of its own, which follows OMP threads and
# only serves batched searches, never the one-question matrix products of a turn)
print(sorted({{p["num_threads"] for p in threadpool_info()
              if p["user_api"] == "blas" and "numpy" in p["filepath"]}}))
"""


@pytest.mark.parametrize("module", ["actions", "web"])
def test_blas_runs_one_thread(module):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[1]"
