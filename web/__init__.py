"""The rettighedsbot web app: chat API for the widget, the widget itself, advisers' lookup,
article pages, feedback, the councils' report and a health check. An application factory, as
in Flask's tutorial:

    waitress-serve --call web:create_app          # production (scripts/stack.py)
    flask --app web run --debug                   # development only
"""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as web_config
from . import messages, rasa, ratelimit, retention, security, store
from .api import ApiError, error_response
from .knowledge_ext import KnowledgeExtension

log = logging.getLogger("rettighedsbot.web")

def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)        # static files come from the widget blueprint
    app.config.from_mapping(web_config.from_env())
    app.config.update(SEND_FILE_MAX_AGE_DEFAULT=300)
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False          # æøå as themselves in JSON
    app.json.sort_keys = False
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    KnowledgeExtension(app, service=app.config.get("KNOWLEDGE_SERVICE"))
    # The production profile's DATABASE_URL holds Rasa's tracker table and ours.
    if app.config.get("DATABASE_URL") and not app.config.get("RASA_TRACKER_DB"):
        app.config["RASA_TRACKER_DB"] = app.config["DATABASE_URL"]
    store.init_app(app)
    redis_client = _redis(app.config.get("REDIS_URL"))
    ratelimit.init_app(app, redis_client)
    rasa.init_app(app, redis_client)

    from . import articles, chat, feedback, health, lookup, report, widget
    for module in (widget, chat, lookup, articles, feedback, health, report):
        app.register_blueprint(module.bp)
    retention.init_app(app)
    security.init_app(app)
    _register_errors(app)
    return app


def _redis(url: str | None):
    """A Redis client for REDIS_URL (production profile), or None. Short timeouts: a slow
    Redis must not hold a chat turn (the limiter and the lost-turn marks fall back)."""
    if not url:
        return None
    # Imported only here: the embedded default never needs a Redis client.
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.error, exc.field, exc.headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            text = {404: messages.ERR_NOT_FOUND, 405: messages.ERR_METHOD,
                    413: messages.ERR_TOO_LARGE, 503: messages.ERR_KNOWLEDGE}.get(
                        exc.code, exc.name)
            response = error_response(exc.code or 500, text)
            if exc.code == 405 and exc.valid_methods:
                response.headers["Allow"] = ", ".join(exc.valid_methods)
            return response
        template = "404.html" if exc.code == 404 else "error.html"
        return render_template(template, code=exc.code), exc.code

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        if _wants_json():
            return error_response(500, messages.ERR_SERVER)
        return render_template("error.html", code=500), 500
