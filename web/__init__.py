"""The rettighedsbot web app: chat API for the widget, the widget itself, advisers' lookup,
article pages, feedback, the councils' report and a health check. An application factory, as
in Flask's tutorial:

    waitress-serve --call web:create_app          # production (scripts/stack.py)
    flask --app web run --debug                   # development only
"""
from __future__ import annotations

import concurrent.futures
import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as web_config
from . import messages, retention, security
from .api import ApiError, error_response
from .chat import RASA
from .knowledge_ext import KnowledgeExtension
from .rasa import LostTurns, RasaClient, RedisLostTurns
from .ratelimit import EXTENSION as LIMITER
from .ratelimit import RedisTokenBucketLimiter, TokenBucketLimiter
from .store import EXTENSION as STORE
from .store import FeedbackStore

log = logging.getLogger("rettighedsbot.web")

# A per-IP bucket this many times looser than the per-conversation one: one shelter's shared
# PC or a school's NAT may carry several citizens.
IP_BURST_FACTOR = 5


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)        # static files come from the widget blueprint
    app.config.from_mapping(web_config.from_env())
    app.config.update(SEND_FILE_MAX_AGE_DEFAULT=300, JSON_AS_ASCII=False)
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
    app.extensions[STORE] = FeedbackStore(app.config.get("DATABASE_URL")
                                          or app.config["FEEDBACK_DB"])
    rate, per = web_config.parse_rate(app.config["RATE_LIMIT"])
    redis_client = _redis(app.config.get("REDIS_URL"))
    app.extensions[LIMITER] = _Limiters(rate, per, redis_client)
    # More than waitress's worker threads (scripts/stack.py), so a call never queues here.
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=48, thread_name_prefix="rasa")
    app.extensions[RASA] = RasaClient(
        app.config.get("RASA_URLS") or app.config["RASA_URL"], app.config["RASA_TIMEOUT"],
        executor, lost_turns=RedisLostTurns(redis_client) if redis_client else LostTurns())

    from . import articles, chat, feedback, health, lookup, report, widget
    for module in (widget, chat, lookup, articles, feedback, health, report):
        app.register_blueprint(module.bp)
    retention.init_app(app)
    security.init_app(app)
    _register_errors(app)
    return app


class _Limiters:
    """Conversation buckets at RATE_LIMIT; keys ending in ':burst' (per IP) get more room.
    In this process's memory, or in Redis when REDIS_URL is set (shared by every process)."""

    def __init__(self, rate: int, per: float, client=None):
        if client is not None:
            self.normal = RedisTokenBucketLimiter(client, rate, per, "rl")
            self.burst = RedisTokenBucketLimiter(client, rate * IP_BURST_FACTOR, per, "rl-ip")
        else:
            self.normal = TokenBucketLimiter(rate, per)
            self.burst = TokenBucketLimiter(rate * IP_BURST_FACTOR, per)

    def hit(self, key: str) -> float:
        return (self.burst if key.endswith(":burst") else self.normal).hit(key)


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
