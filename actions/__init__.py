"""rasa-sdk custom actions for rettighedsbot. Thin: the logic lives in `knowledge/`.

Run with `python -m actions.server --port 5055` (one process; scripts/stack.py does), or as
rasa-sdk's own `python -m rasa_sdk --actions actions --port 5055` (a manager and a worker).
Every action runs the crisis safety net (knowledge.crisis) before anything else; see
actions/common.py.
"""

import logging
import multiprocessing
import threading

import knowledge  # noqa: F401 - first: it limits BLAS/OpenMP threads before numpy loads

log = logging.getLogger("rettighedsbot.actions")


def warm_up() -> None:
    """Load the knowledge service (embedder + index) and run one search before the first
    question arrives, so the first citizen does not wait for it."""
    from .common import service

    try:
        service().search("hvordan klager jeg over en afgørelse", k=1)
    except Exception:
        log.exception("could not load the knowledge service at start-up")


# `python -m rasa_sdk` serves from a spawned Sanic worker, which imports this package again:
# warm up there (not in the supervising process, which never answers a request).
# actions/server.py calls warm_up itself.
if multiprocessing.parent_process() is not None:
    threading.Thread(target=warm_up, name="knowledge-warm-up", daemon=True).start()
