"""A token bucket per client key: in this process's memory (the embedded default, one web
process), or in Redis (REDIS_URL, the production profile), so K web processes on one or
several hosts share one limit per citizen.

Buckets that have refilled are forgotten (in memory: pruned; in Redis: they expire), so memory
stays bounded. In Redis a key is stored only as a salted hash (the IP address and sender id
never are), and only until its bucket is full again: at most the RATE_LIMIT period.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time

from .config import parse_rate

log = logging.getLogger("rettighedsbot.web")

EXTENSION = "rettighedsbot.ratelimit"


class TokenBucketLimiter:
    def __init__(self, capacity: int, per_seconds: float, max_keys: int = 10_000,
                 clock=time.monotonic):
        self.capacity = float(capacity)
        self.rate = capacity / per_seconds          # tokens per second
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}   # key -> (tokens, last time)
        self._lock = threading.Lock()

    def hit(self, key: str, cost: float = 1.0) -> float:
        """Takes `cost` tokens from `key`'s bucket. Returns 0 if allowed, otherwise the seconds
        until enough tokens are back."""
        if self.capacity <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (cost - tokens) / self.rate
            if len(self._buckets) > self.max_keys:
                self._prune(now)
            return wait

    def _prune(self, now: float) -> None:
        full_after = self.capacity / self.rate
        for key, (_, last) in list(self._buckets.items()):
            if now - last >= full_after:
                del self._buckets[key]
        # Still too many (a flood of fresh keys): drop the oldest half rather than grow.
        if len(self._buckets) > self.max_keys:
            oldest = sorted(self._buckets.items(), key=lambda kv: kv[1][1])
            for key, _ in oldest[: len(oldest) // 2]:
                del self._buckets[key]


# Atomic in Redis: refill by the time passed, take `cost` if there is enough, expire the key
# once the bucket would be full anyway. Redis's own clock, so hosts with skewed clocks agree.
_BUCKET = """
local capacity, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(stored[1]) or capacity
local last = tonumber(stored[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - last) * rate)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisTokenBucketLimiter:
    """The same buckets as TokenBucketLimiter, kept in Redis and shared by every web process.

    If Redis cannot be reached, each process falls back to its own in-memory bucket (and logs
    it once a minute): the chat and its crisis lines never fail because the limiter did.
    """

    def __init__(self, client, capacity: int, per_seconds: float, name: str = "rl",
                 prefix: str = "rettighedsbot"):
        self.capacity = float(capacity)
        self.rate = capacity / per_seconds
        self._client = client
        self._script = client.register_script(_BUCKET)
        self._prefix = f"{prefix}:{name}:"
        self._salt_key = f"{prefix}:salt"
        self._salt: bytes | None = None
        self._salt_read = 0.0
        self._fallback = TokenBucketLimiter(capacity, per_seconds)
        self._warned = 0.0

    def _key(self, key: str) -> str:
        now = time.monotonic()
        if self._salt is None or now - self._salt_read > 60:
            # One salt for all processes, made by whichever asks first; never leaves Redis.
            # Read again each minute: after a Redis restart all processes agree on a new one.
            self._client.set(self._salt_key, secrets.token_hex(16), nx=True)
            salt = self._client.get(self._salt_key)
            if not salt:
                raise RuntimeError("no rate-limit salt in Redis")
            self._salt, self._salt_read = salt, now
        digest = hashlib.blake2b(key.encode(), key=self._salt[:64], digest_size=16).hexdigest()
        return self._prefix + digest

    def hit(self, key: str, cost: float = 1.0) -> float:
        """Takes `cost` tokens from `key`'s bucket. Returns 0 if allowed, otherwise the seconds
        until enough tokens are back."""
        if self.capacity <= 0:
            return 0.0
        try:
            return float(self._script(keys=[self._key(key)],
                                      args=[self.capacity, self.rate, cost]))
        except Exception as exc:  # noqa: BLE001 - redis errors of every kind: fall back
            now = time.monotonic()
            if now - self._warned > 60:
                self._warned = now
                log.warning("rate limit: Redis unavailable (%s); limiting per process",
                            type(exc).__name__)
            return self._fallback.hit(key, cost)


# A per-IP bucket this many times looser than the per-conversation one: one shelter's shared
# PC or a school's NAT may carry several citizens.
IP_BURST_FACTOR = 5


class Limiters:
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


def init_app(app, redis_client=None) -> None:
    """The app's limiter, from RATE_LIMIT ("30/minute"); shared through Redis if given."""
    rate, per = parse_rate(app.config["RATE_LIMIT"])
    app.extensions[EXTENSION] = Limiters(rate, per, redis_client)
