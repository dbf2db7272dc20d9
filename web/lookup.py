"""The advisers' lookup: search the articles, read one, print or copy it for a citizen.

Server-rendered and usable without JavaScript (a volunteer on a shelter's old PC). The JSON
twin, /api/search, speaks the CLI's contract (SearchResult.to_json()).
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, render_template, request

from knowledge.models import TOPICS
from knowledge.search import MAX_QUERY_CHARS, UnknownMunicipality

from . import messages
from .api import ApiError, client_ip, has_control_chars, has_surrogates, rate_limit
from .articles import article_context
from .knowledge_ext import knowledge
from .render import plain_text

bp = Blueprint("lookup", __name__)

MAX_K = 20
PAGE_RESULTS = 8


def _service_or_503():
    service = knowledge().service()
    if service is None:
        abort(503)
    return service


# Results further below the best than this are cut (a score is 0–1); when nothing is sure,
# the nearest few only, to check by hand.
WEAK_BELOW_BEST = 0.06
UNSURE_WITHIN = 0.04
UNSURE_MAX = 3


@bp.get("/raadgiver")
def search_page():
    q = request.args.get("q", "").strip()
    kommune = request.args.get("kommune", "").strip()
    result, error = None, None
    if q:
        rate_limit(f"search:{client_ip()}:burst")   # advisers share an office NAT
        if len(q) > MAX_QUERY_CHARS:
            error = messages.ERR_TOO_LONG.format(limit=MAX_QUERY_CHARS)
        elif has_control_chars(q):
            error = messages.ERR_CONTROL
        else:
            try:
                result = _service_or_503().search(q, k=PAGE_RESULTS, kommune=kommune or None)
            except UnknownMunicipality:
                error = messages.ERR_UNKNOWN_KOMMUNE
    kb = knowledge().kb()
    municipalities = sorted(kb.municipalities.values(), key=lambda m: m.name) if kb else []
    status = 400 if error else 200
    gap_channels = (kb.channels_named(result.gap.channels, kommune or None)
                    if result and result.gap and kb else [])
    return render_template("lookup.html", q=q, kommune=kommune, result=result, error=error,
                           hits=visible_hits(result) if result else [], gap_channels=gap_channels,
                           municipalities=municipalities, topics=TOPICS,
                           max_chars=MAX_QUERY_CHARS), status


def visible_hits(result) -> list:
    """Only results worth a volunteer's time: those near the best, fewer when nothing is sure."""
    if not result.hits:
        return []
    floor = result.hits[0].score - (WEAK_BELOW_BEST if result.confident else UNSURE_WITHIN)
    hits = [h for h in result.hits if h.score >= floor]
    return hits if result.confident else hits[:UNSURE_MAX]


@bp.get("/raadgiver/artikel/<article_id>")
def article_page(article_id: str):
    context = article_context(article_id)
    return render_template("lookup_article.html", q=request.args.get("q", ""), **context)


@bp.get("/raadgiver/artikel/<article_id>/print")
def print_page(article_id: str):
    context = article_context(article_id)
    return render_template("print.html", q=request.args.get("q", ""),
                           plain=plain_text(context["article"], context["channels"]), **context)


@bp.get("/api/search")
def api_search():
    q = request.args.get("q", "").strip()
    if not q:
        raise ApiError(400, messages.ERR_EMPTY, "q")
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError(400, messages.ERR_TOO_LONG.format(limit=MAX_QUERY_CHARS), "q")
    if has_control_chars(q) or has_surrogates(q):
        raise ApiError(400, messages.ERR_CONTROL, "q")
    k_text = request.args.get("k", "3").strip()
    # ASCII digits only: str.isdigit() accepts "²", which int() then refuses.
    if not re.fullmatch(r"[0-9]{1,3}", k_text) or not 1 <= int(k_text) <= MAX_K:
        raise ApiError(400, messages.ERR_K.format(limit=MAX_K), "k")
    kommune = request.args.get("kommune", "").strip() or None
    rate_limit(f"search:{client_ip()}:burst")   # advisers share an office NAT
    service = knowledge().service()
    if service is None:
        raise ApiError(503, messages.ERR_KNOWLEDGE)
    try:
        result = service.search(q, k=int(k_text), kommune=kommune)
    except UnknownMunicipality:
        raise ApiError(400, messages.ERR_UNKNOWN_KOMMUNE, "kommune") from None
    return jsonify(result.to_json())
