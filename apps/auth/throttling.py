"""Attempt counters for the limits of deviations.md (login, password reset, OTP).

Counts live in Django's cache so that every worker shares them when the cache is Redis. Each
counter is a fixed window that opens with the first attempt; `incr` is atomic in both the
local-memory and the Redis backend, so parallel attempts cannot slip past the limit."""

import hashlib
import math
import time

from django.core.cache import cache

from apps.core import errors

_PREFIX = "directus:throttle"


class Counter:
    def __init__(self, name: str, limit: int, window_seconds: int, *parts: str):
        self.limit = limit
        self.window = window_seconds
        # Hashed: emails may hold characters some cache backends refuse in keys.
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        self.key = f"{_PREFIX}:{name}:{digest}"
        self._started_key = f"{self.key}:started"

    def hit(self) -> int:
        """Count one attempt; the number of attempts in the current window."""
        cache.add(self._started_key, time.time(), self.window)
        cache.add(self.key, 0, self.window)
        try:
            return cache.incr(self.key)
        except ValueError:  # the window closed between add and incr
            cache.set(self.key, 1, self.window)
            return 1

    def release(self) -> None:
        """Give one attempt back (it turned out not to be a failure)."""
        try:
            if cache.decr(self.key) < 0:
                cache.set(self.key, 0, self.window)
        except ValueError:
            pass

    def retry_after(self) -> int:
        started = cache.get(self._started_key)
        if started is None:
            return self.window
        return max(1, math.ceil(started + self.window - time.time()))

    def refuse(self) -> errors.DirectusError:
        return errors.TooManyRequests(headers={"Retry-After": str(self.retry_after())})


def hit_all(counters: list[Counter]) -> None:
    """Count one attempt on each counter; 429 (code 7) once any is over its limit."""
    for counter in counters:
        if counter.hit() > counter.limit:
            raise counter.refuse()
