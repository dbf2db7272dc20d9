"""Rasa's Redis lock store, configured by one URL (REDIS_URL, as the web app reads it).

Rasa 3.6's own `type: redis` lock store takes host, port, db and password as separate keys;
this subclass reads them from `redis://[:password@]host:6379/0` (or `rediss://` for TLS), so
an operator sets one REDIS_URL for the engines and the web app alike. The lock store is what
lets several engines share conversations: each conversation's turns wait for one another in
order (ticket locks), whichever engine they reach.

Imported by the Rasa engine by name (bot/endpoints-production.yml); Rasa and redis only.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

KEY_PREFIX = "rettighedsbot"     # Rasa allows letters and digits only


def redis_settings(url: str) -> dict:
    """`redis://user:password@host:6379/1` -> RedisLockStore's keyword arguments."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, got {parts.scheme!r}")
    path = parts.path.strip("/")
    return {"host": parts.hostname or "localhost", "port": parts.port or 6379,
            "db": int(path) if path else 0,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_ssl": parts.scheme == "rediss"}


class RedisUrlLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = redis_settings(endpoint_config.url)
        settings["key_prefix"] = endpoint_config.kwargs.get("key_prefix", KEY_PREFIX)
        super().__init__(**settings)
