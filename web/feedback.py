"""Feedback ("Hjalp svaret? Ja/Nej") and /api/stats (its figures as JSON; the page is /rapport)."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from knowledge.search import MAX_QUERY_CHARS

from . import messages
from .api import KOMMUNE, ApiError, client_ip, json_body, rate_limit, text_field
from .auth import require_token
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
    query = text_field(data, "query", required=False, limit=MAX_QUERY_CHARS)
    kommune = text_field(data, "kommune", required=False, limit=60, pattern=KOMMUNE,
                         pattern_error=messages.ERR_KOMMUNE)
    kb = knowledge().kb()
    if article_id and kb is not None and kb.article(article_id) is None:
        raise ApiError(400, messages.ERR_ARTICLE, "article_id")
    keep = query if query and not _answered_confidently(query, article_id) else None
    place = kb.municipality(kommune) if kb is not None and kommune else None  # known ones only
    current_app.extensions[STORE].add_feedback(article_id, data["helpful"], keep,
                                               place.name if place else None)
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
    require_token("STATS_TOKEN", realm="stats")
    report = current_app.extensions[STORE].stats()
    kb = knowledge().kb()
    for row in report["articles"]:
        article = kb.article(row["article_id"]) if kb else None
        row["title"] = article.title if article else None
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response
