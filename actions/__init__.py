"""rasa-sdk custom actions for rettighedsbot. Thin: the logic lives in `knowledge/`.

Run with `python -m rasa_sdk --actions actions --port 5055`. Every action runs the crisis
safety net (knowledge.crisis) before anything else; see actions/common.py.
"""

import logging
import multiprocessing
import threading

log = logging.getLogger("rettighedsbot.actions")


def _warm_up() -> None:
    """Load the knowledge service (embedder + index) and run one search before the first
    question arrives, so the first citizen does not wait for it."""
    from .common import service

    try:
        service().search("hvordan klager jeg over en afgørelse", k=1)
    except Exception:
        log.exception("could not load the knowledge service at start-up")


# rasa-sdk serves from a spawned Sanic worker, which imports this package again: warm up
# there (not in the supervising process, which never answers a request).
if multiprocessing.parent_process() is not None:
    threading.Thread(target=_warm_up, name="knowledge-warm-up", daemon=True).start()
