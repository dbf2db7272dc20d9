"""GET /healthz: is the knowledge loaded, is Rasa reachable? For scripts/stack.py and probes.

200 while the app can serve (the chat falls back when Rasa is down, so Rasa being down is
"degraded", not "down"); 503 while no knowledge is loaded.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from .knowledge_ext import knowledge
from .rasa import EXTENSION as RASA

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    ext = knowledge()
    service = ext.loaded                 # never block a probe on a cold start
    if service is None:
        ext.start_loading()
    rasa_up = current_app.extensions[RASA].reachable(timeout=1.0)
    body = {
        "knowledge": {"loaded": service is not None,
                      "articles": len(service.kb.articles) if service else 0,
                      "stale": bool(service and service.stale),
                      "error": ext.error},
        "rasa": {"reachable": rasa_up},    # never the internal address
    }
    body["status"] = "ok" if service and rasa_up else ("degraded" if service else "starting")
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if service else 503
