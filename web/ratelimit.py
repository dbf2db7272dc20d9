"""An in-memory token bucket per client key. One process, one app: that is all we run.

Behind several processes or hosts this becomes per-process; put the limit in the reverse
proxy then. Buckets that have refilled are forgotten, so memory stays bounded.
"""
from __future__ import annotations

import threading
import time

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
