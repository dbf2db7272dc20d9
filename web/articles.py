"""Public article pages, /artikel/<id>: where the chat's "Læs mere" links lead. Also the
article context that the advisers' article and print pages render (web/lookup.py)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from .knowledge_ext import knowledge
from .render import blocks, danish_date

bp = Blueprint("articles", __name__)


def article_context(article_id: str) -> dict:
    """An article with its body blocks and its channels (national, plus the ?kommune= one's
    local channels); 404 for an unknown id or while no knowledge is loaded."""
    kb = knowledge().kb()
    article = kb.article(article_id) if kb else None
    if article is None:
        abort(404)
    kommune = request.args.get("kommune", "").strip() or None
    return {"article": article, "blocks": blocks(article.body),
            "channels": kb.channels_for(article, kommune),
            "reviewed": danish_date(article.reviewed), "kommune": kommune or "",
            "valid_until": danish_date(article.valid_until)}


@bp.get("/artikel/<article_id>")
def article(article_id: str):
    return render_template("article.html", **article_context(article_id))
