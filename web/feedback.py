"""Feedback ("Hjalp svaret? Ja/Nej") and /api/stats, the start of an unmet-need report."""
from __future__ import annotations

import hmac
import re

from flask import Blueprint, abort, current_app, jsonify, request

from . import messages
from .api import ApiError, client_ip, json_body, rate_limit, text_field
from .knowledge_ext import knowledge
from .store import EXTENSION as STORE

bp = Blueprint("feedback", __name__)

ARTICLE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")


@bp.post("/api/feedback")
def feedback():
    rate_limit(f"feedback:{client_ip()}")
    data = json_body()
    if "helpful" not in data:
        raise ApiError(400, messages.ERR_MISSING, "helpful")
    if not isinstance(data["helpful"], bool):
        raise ApiError(400, messages.ERR_TYPE_BOOL, "helpful")
    article_id = text_field(data, "article_id", required=False, limit=100, pattern=ARTICLE_ID,
                            pattern_error=messages.ERR_ARTICLE)
    query = text_field(data, "query", required=False, limit=1000)
    kb = knowledge().kb()
    if article_id and kb is not None and kb.article(article_id) is None:
        raise ApiError(400, messages.ERR_ARTICLE, "article_id")
    keep = query if query and not _answered_confidently(query, article_id) else None
    current_app.extensions[STORE].add_feedback(article_id, data["helpful"], keep)
    return jsonify({"status": "ok"}), 201


def _answered_confidently(query: str, article_id: str | None) -> bool:
    """The question is kept only when the bot had no confident answer to it; the search
    decides, not the browser. Unsure (index not loaded) counts as answered: keep less."""
    if article_id is None:
        return False
    service = knowledge().service()
    if service is None:
        return True
    try:
        return service.search(query, k=1).confident
    except ValueError:
        return True


@bp.get("/api/stats")
def stats():
    token = current_app.config.get("STATS_TOKEN")
    if not token:
        abort(404)                     # switched off unless a token is configured
    rate_limit(f"stats:{client_ip()}")  # before the token check: no fast guessing
    auth = request.headers.get("Authorization", "")
    scheme, _, given = auth.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, messages.ERR_AUTH, headers={"WWW-Authenticate": 'Bearer realm="stats"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(403, messages.ERR_FORBIDDEN)
    report = current_app.extensions[STORE].stats()
    kb = knowledge().kb()
    for row in report["articles"]:
        article = kb.article(row["article_id"]) if kb else None
        row["title"] = article.title if article else None
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response
