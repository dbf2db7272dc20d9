"""The token in front of what only a council may see: /api/stats and the report at /rapport.

No token configured means the page is switched off (404), never open. The token comes as
`Authorization: Bearer <token>` (scripts) or, for the report page, as the password of HTTP
Basic authentication: the browser asks for it itself, so the page needs no login form, no
cookie and no JavaScript. Each try spends from the caller's rate-limit bucket before the token
is compared (in constant time), so guessing is slow.
"""
from __future__ import annotations

import base64
import binascii
import hmac

from flask import abort, current_app, make_response, render_template, request

from . import messages
from .api import ApiError, client_ip, rate_limit


def configured_token(*keys: str) -> str | None:
    """The first of these config keys that holds a token."""
    return next((current_app.config[k] for k in keys if current_app.config.get(k)), None)


def require_token(*keys: str, realm: str, page: bool = False) -> None:
    """Returns when the request carries the token; otherwise 404 (no token configured),
    401 (none given) or 403 (a wrong one). `page`: HTML answers and HTTP Basic accepted."""
    token = configured_token(*keys)
    if not token:
        abort(404)
    rate_limit(f"{realm}:{client_ip()}")        # before the token check: no fast guessing
    given = _given_token(basic=page)
    if given is None:
        challenge = (f'Basic realm="{realm}", charset="UTF-8"' if page
                     else f'Bearer realm="{realm}"')
        _refuse(401, messages.ERR_AUTH, page, {"WWW-Authenticate": challenge})
    if not hmac.compare_digest(given.encode(), token.encode()):
        _refuse(403, messages.ERR_FORBIDDEN, page, {})


def _given_token(basic: bool) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if not value:
        return None
    if scheme.lower() == "bearer":
        return value
    if basic and scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, sep, password = decoded.partition(":")   # any user name; the token is the password
        return password if sep and password else None
    return None


def _refuse(status: int, text: str, page: bool, headers: dict) -> None:
    if not page:
        raise ApiError(status, text, headers=headers)
    response = make_response(render_template("report_login.html", code=status), status)
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    abort(response)
