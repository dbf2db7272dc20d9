"""The widget's files (/static/…, CORS-enabled for council sites) and the demo host page at /.

The widget is plain files: static/widget.js and static/widget.css, no build step. A council
embeds it with one tag; the demo page does exactly what a council page would.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("widget", __name__, static_folder="static", static_url_path="/static")


@bp.get("/")
def demo():
    return render_template("demo.html", kommune=current_app.config["DEMO_KOMMUNE"])
