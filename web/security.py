"""Security headers on every response and CORS for the parts other sites embed.

The widget runs on council sites, so /api/chat, /api/feedback and the widget's files answer
cross-origin requests from the CORS_ORIGINS allowlist only. Everything else is same-origin,
must not be framed, and runs no inline script.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, request

from . import messages
from .api import error_response

# Paths other sites may call from their pages (the widget's API and assets).
CORS_PATHS = ("/api/chat", "/api/feedback")
WIDGET_ASSETS = ("/static/widget.js", "/static/widget.css")

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PERMISSIONS = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
               "microphone=(), payment=(), usb=(), interest-cohort=()")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_cors_path(path: str) -> bool:
    return path in CORS_PATHS or path in WIDGET_ASSETS


def origin_allowed(origin: str) -> bool:
    origin = origin.rstrip("/").lower()
    allowed = {o.lower() for o in current_app.config["CORS_ORIGINS"]}
    return (origin in allowed
            or origin == origin_of(request.host_url)
            or origin == origin_of(current_app.config["PUBLIC_URL"]))


def check_origin():
    """before_request: a browser POST from a site not on the list is refused outright (the
    JSON content type already forces a preflight; this covers simple requests too)."""
    origin = request.headers.get("Origin")
    if (origin and request.method == "POST" and is_cors_path(request.path)
            and not origin_allowed(origin)):
        return error_response(403, messages.ERR_ORIGIN)
    return None


def add_headers(response: Response) -> Response:
    path = request.path
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    if path in WIDGET_ASSETS:
        # Loaded into other sites' pages: no framing rules of ours apply to a script.
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    else:
        headers.setdefault("X-Frame-Options", "DENY")
        is_api = path.startswith("/api/") or response.mimetype == "application/json"
        headers.setdefault("Content-Security-Policy", API_CSP if is_api else PAGE_CSP)
        if not is_api:
            headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if is_cors_path(path):
        _cors(response)
    return response


def _cors(response: Response) -> None:
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin or not origin_allowed(origin):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS" \
            if path_is_api(request.path) else "GET, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"


def path_is_api(path: str) -> bool:
    return path in CORS_PATHS


def origin_status():
    """GET /api/origin: may the page this request comes from use the chat? Any page may read
    the answer (it says nothing secret): a widget on a site missing from CORS_ORIGINS sees
    only a failed fetch, and this lets it tell the citizen and the web editor why."""
    origin = request.headers.get("Origin", "")
    response = jsonify({"allowed": bool(origin) and origin_allowed(origin)})
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(check_origin)
    app.after_request(add_headers)
    app.add_url_rule("/api/origin", "origin_status", origin_status, methods=["GET"])
