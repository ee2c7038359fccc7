"""Attempt counters for the limits of deviations.md (login, password reset, OTP, /utils/hash).

Every worker of a host must see the same counts (§ Limits), so they never live in a worker's
memory: in Redis when the cache is Redis (DIRECTUS_REDIS_URL), else in the control database,
which every worker reaches. When Redis fails, counting goes on in the control database and the
log says so (deviation 18). Each counter is a fixed window that opens with the first attempt;
both stores count with atomic increments, so parallel attempts cannot slip past the limit."""

import datetime
import hashlib
import logging
import math
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from redis.exceptions import RedisError

from apps.core import errors
from apps.core.models import ThrottleWindow

logger = logging.getLogger("directus.auth")

_PREFIX = "directus:throttle"
CONTROL_DATABASE = "default"


class _RedisWindows:
    """Keys of the Django cache on Redis, expiring with their window."""

    def __init__(self, cache):
        self.cache = cache

    def hit(self, key: str, window: int) -> int:
        self.cache.add(_started_key(key), time.time(), window)
        self.cache.add(key, 0, window)
        try:
            return self.cache.incr(key)
        except ValueError:  # the window closed between add and incr
            self.cache.set(key, 1, window)
            return 1

    def release(self, key: str, window: int) -> None:
        try:
            if self.cache.decr(key) < 0:
                self.cache.set(key, 0, window)
        except ValueError:
            pass

    def retry_after(self, key: str, window: int) -> int:
        started = self.cache.get(_started_key(key))
        if started is None:
            return window
        return max(1, math.ceil(started + window - time.time()))


def _started_key(key: str) -> str:
    return f"{key}:started"


class _DatabaseWindows:
    """Rows of the control database. Each call commits on its own (the API keeps no transaction
    open on that database), so a count outlives a request that fails."""

    @staticmethod
    def _rows():
        return ThrottleWindow.objects.using(CONTROL_DATABASE)

    def _increment(self, key: str) -> int | None:
        """The new count of the key's open window; None when it has none."""
        with transaction.atomic(using=CONTROL_DATABASE):
            if not self._rows().filter(key=key, expires_at__gt=timezone.now()).update(count=F("count") + 1):
                return None
            # The update locks the row until commit: this reads this attempt's own count.
            return self._rows().select_for_update().filter(key=key).values_list("count", flat=True).get()

    def hit(self, key: str, window: int) -> int:
        count = self._increment(key)
        if count is not None:
            return count
        now = timezone.now()
        self._rows().filter(expires_at__lte=now).delete()  # this key's closed window, and others'
        try:
            with transaction.atomic(using=CONTROL_DATABASE):
                self._rows().create(key=key, count=1, expires_at=now + datetime.timedelta(seconds=window))
            return 1
        except IntegrityError:  # a parallel first attempt opened the window: count in it
            return self._increment(key) or 1

    def release(self, key: str, window: int) -> None:
        self._rows().filter(key=key, count__gt=0).update(count=F("count") - 1)

    def retry_after(self, key: str, window: int) -> int:
        expires = self._rows().filter(key=key).values_list("expires_at", flat=True).first()
        if expires is None:
            return window
        return max(1, math.ceil((expires - timezone.now()).total_seconds()))


_DATABASE = _DatabaseWindows()


def _counted(operation: str, key: str, window: int):
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        try:
            return getattr(_RedisWindows(cache), operation)(key, window)
        except RedisError as exc:
            logger.warning("Redis failed (%s): attempt counters fall back to the control database", exc)
    return getattr(_DATABASE, operation)(key, window)


class Counter:
    def __init__(self, name: str, limit: int, window_seconds: int, *parts: str):
        self.limit = limit
        self.window = window_seconds
        # Hashed: emails may hold characters some stores refuse in keys, and keys stay short.
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        self.key = f"{_PREFIX}:{name}:{digest}"

    def hit(self) -> int:
        """Count one attempt; the number of attempts in the current window."""
        return _counted("hit", self.key, self.window)

    def release(self) -> None:
        """Give one attempt back (it turned out not to be a failure)."""
        _counted("release", self.key, self.window)

    def retry_after(self) -> int:
        return _counted("retry_after", self.key, self.window)

    def refuse(self) -> errors.DirectusError:
        return errors.TooManyRequests(headers={"Retry-After": str(self.retry_after())})


def hit_all(counters: list[Counter]) -> None:
    """Count one attempt on each counter; 429 (code 7) once any is over its limit."""
    for counter in counters:
        if counter.hit() > counter.limit:
            raise counter.refuse()
