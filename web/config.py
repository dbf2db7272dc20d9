"""The web app's settings, read from the environment in one place (see CONTRIBUTING.md).

`create_app(config)` starts from `from_env()` and lets the caller (tests, scripts/stack.py)
override any key, as Flask's tutorial does with `test_config`. What the web app shares with
the knowledge package (the public URL: CORS and article links) comes from the process's one
`knowledge.settings.settings()`, so the two cannot disagree.
"""
from __future__ import annotations

import os
import re

from knowledge.settings import REPO_DIR, settings


def _float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def parse_rate(text: str) -> tuple[int, float]:
    """'20/minute', '20/min', '5/second', '100/hour' or a bare '20' (per minute) ->
    (requests, seconds)."""
    text = text.strip().lower()
    m = re.fullmatch(r"(\d+)\s*(?:/\s*(s|sec|second|m|min|minute|h|hour))?", text)
    if not m:
        raise ValueError(f"RATE_LIMIT must look like '20/minute', got {text!r}")
    unit = (m.group(2) or "minute")[0]
    return int(m.group(1)), {"s": 1.0, "m": 60.0, "h": 3600.0}[unit]


def parse_origins(text: str) -> tuple[str, ...]:
    """Comma-separated origins ('https://www.aarhus.dk, https://kk.dk') without paths."""
    return tuple(o.strip().rstrip("/") for o in text.split(",") if o.strip())


def parse_urls(text: str) -> tuple[str, ...]:
    """Comma-separated base URLs ('http://rasa-1:5005, http://rasa-2:5005') without '/'."""
    return tuple(u.strip().rstrip("/") for u in text.split(",") if u.strip())


def from_env() -> dict:
    return {
        "RASA_URL": os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        # Several engines sharing one tracker store (production profile); empty: RASA_URL only.
        "RASA_URLS": parse_urls(os.environ.get("RASA_URLS", "")),
        # Seconds to wait for Rasa (and, through it, the action server) before the fallback.
        # The whole answer must be back within 3 s, so keep this below that.
        "RASA_TIMEOUT": _float("RASA_TIMEOUT", 2.5),
        "CORS_ORIGINS": parse_origins(os.environ.get("CORS_ORIGINS", "")),
        # No token = /api/stats is switched off (404), never open.
        "STATS_TOKEN": os.environ.get("STATS_TOKEN", "") or None,
        # The councils' report page /rapport; unset = STATS_TOKEN; neither = switched off.
        "REPORT_TOKEN": os.environ.get("REPORT_TOKEN", "") or None,
        "FEEDBACK_DB": os.environ.get("FEEDBACK_DB", str(REPO_DIR / "var" / "feedback.db")),
        # Production profile: one SQLAlchemy URL (postgresql://...) for feedback and unmet needs
        # instead of FEEDBACK_DB, and for Rasa's tracker store (retention) too.
        "DATABASE_URL": os.environ.get("DATABASE_URL", "").strip() or None,
        # Production profile: rate limits shared by every web process (redis://host:6379/0).
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip() or None,
        # Per conversation (IP + sender); each IP gets 5 x this in all. "0/minute" switches it off.
        "RATE_LIMIT": os.environ.get("RATE_LIMIT", "20/minute"),
        # RETTIGHEDSBOT_PUBLIC_URL, the one the article links use.
        "PUBLIC_URL": settings().public_url,
        # How many reverse proxies in front of us set X-Forwarded-For (0 = trust none).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # The kommune the demo page at / passes to the widget, as a council's page would.
        "DEMO_KOMMUNE": os.environ.get("DEMO_KOMMUNE", "Aarhus"),
        # JSON bodies are a sender id and at most 1,000 characters of message.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 16 * 1024),
        # Load the knowledge base (and its index) in a background thread at start-up, so the
        # first adviser search does not wait for it.
        "KNOWLEDGE_WARMUP": os.environ.get("KNOWLEDGE_WARMUP", "1") not in ("0", "false", "no"),
        # Conversations (Rasa's tracker store), question counts and feedback are deleted
        # after this many days (0 keeps them); the purge runs every RETENTION_INTERVAL seconds.
        "RETENTION_DAYS": _int("RETENTION_DAYS", 30),
        "RETENTION_INTERVAL": _float("RETENTION_INTERVAL", 3600.0),
        # Rasa's SQLite tracker store, shared so a conversation can be deleted (scripts/stack.py);
        # or its URL. Unset with DATABASE_URL set: Rasa's tables are in that database.
        "RASA_TRACKER_DB": os.environ.get("RASA_TRACKER_DB") or None,
        # Tests put a ready KnowledgeService here; otherwise knowledge.service.get_service().
        "KNOWLEDGE_SERVICE": None,
    }
