"""Small helpers shared by the JSON endpoints: errors, body parsing, field checks, rate limits."""
from __future__ import annotations

import math
import re

from flask import current_app, jsonify, make_response, request

from knowledge.search import MAX_QUERY_CHARS

from . import messages
from .ratelimit import EXTENSION as LIMITER

# Any C0/C1 control character except tab and newline (which people paste), plus the Unicode
# direction overrides used to disguise text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_SURROGATE = re.compile("[\ud800-\udfff]")
# The widget's data-kommune as sent with a chat turn or feedback (a name; resolved later).
KOMMUNE = re.compile(r"[\w .'-]{1,60}")


class ApiError(Exception):
    def __init__(self, status: int, error: str, field: str | None = None,
                 headers: dict | None = None):
        super().__init__(error)
        self.status, self.error, self.field, self.headers = status, error, field, headers or {}


def error_response(status: int, error: str, field: str | None = None, headers: dict | None = None):
    body = {"error": error}
    if field:
        body["field"] = field
    response = make_response(jsonify(body), status)
    response.headers.update(headers or {})
    return response


def json_body() -> dict:
    """The request's JSON object, or an ApiError (415 wrong type, 400 unreadable / not object)."""
    if request.mimetype != "application/json":
        raise ApiError(415, messages.ERR_JSON_TYPE)
    try:
        data = request.get_json(silent=True)
    except RecursionError:         # nested thousands deep: Python's parser gives up
        raise ApiError(400, messages.ERR_JSON) from None
    if not isinstance(data, dict):
        raise ApiError(400, messages.ERR_JSON)
    return data


def text_field(data: dict, name: str, *, required: bool = True, limit: int = MAX_QUERY_CHARS,
               pattern: re.Pattern | None = None, pattern_error: str = messages.ERR_CONTROL,
               empty_error: str = messages.ERR_EMPTY) -> str | None:
    if name not in data or data[name] is None:
        if required:
            raise ApiError(400, messages.ERR_MISSING, name)
        return None
    value = data[name]
    if not isinstance(value, str):
        raise ApiError(400, messages.ERR_TYPE_STR, name)
    if not value.strip():
        if required:
            raise ApiError(400, empty_error, name)
        return None
    if len(value) > limit:
        raise ApiError(400, messages.ERR_TOO_LONG.format(limit=limit), name)
    if _CONTROL.search(value) or has_surrogates(value):
        raise ApiError(400, messages.ERR_CONTROL, name)
    if pattern is not None and not pattern.fullmatch(value):
        raise ApiError(400, pattern_error, name)
    return value


def has_control_chars(text: str) -> bool:
    return bool(_CONTROL.search(text))


def has_surrogates(text: str) -> bool:
    """A lone surrogate ("\\ud800" in JSON) is half a character: SQLite and UTF-8 refuse it."""
    return bool(_SURROGATE.search(text))


def client_ip() -> str:
    # With TRUSTED_PROXIES > 0, ProxyFix has already put the client's address here.
    return request.remote_addr or "unknown"


def rate_limit(key: str) -> None:
    """Spends one token of `key`'s bucket; ApiError 429 with Retry-After when it is empty."""
    wait = current_app.extensions[LIMITER].hit(key)
    if wait > 0:
        raise ApiError(429, messages.ERR_RATE, headers={"Retry-After": str(max(1, math.ceil(wait)))})
