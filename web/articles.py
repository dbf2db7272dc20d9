"""Public article pages, /artikel/<id>: where the chat's "Læs mere" links lead."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from .knowledge_ext import knowledge
from .render import blocks, danish_date

bp = Blueprint("articles", __name__)


@bp.get("/artikel/<article_id>")
def article(article_id: str):
    kb = knowledge().kb()
    found = kb.article(article_id) if kb else None
    if found is None:
        abort(404)
    kommune = request.args.get("kommune", "").strip() or None
    return render_template("article.html", article=found, blocks=blocks(found.body),
                           channels=kb.channels_for(found, kommune),
                           reviewed=danish_date(found.reviewed))
