"""A per-principal rate limit on what appends to the record: writes, and the reads of
inspectors and arbitrators (each of which is a `RecordRead` event).

A token bucket per principal, in this process's memory: `burst` acts at once, then
`per_minute` refilled evenly. Several processes (API replicas, workers) each keep their own
buckets, so the limit a principal meets is per process (docs/operations.md). A refusal says
how many seconds until one more act is allowed: the API's `Retry-After`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from iro_ledger.application.access import Principal
from iro_ledger.domain.errors import DomainError


class RateLimited(DomainError):
    """Too many acts by one principal in too short a time (HTTP 429 with Retry-After)."""

    def __init__(self, principal: Principal, retry_after: int) -> None:
        super().__init__(f"{principal.sub} has made too many requests that are recorded; "
                         f"try again in {retry_after} s")
        self.retry_after = retry_after


class RateLimiter:
    """Token buckets keyed by principal; `per_minute` 0 turns the limit off."""

    def __init__(self, per_minute: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_minute / 60
        self.burst = max(burst, 1)
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, principal: Principal) -> None:
        """Spend one act of `principal`'s allowance, or raise RateLimited."""
        if self.per_second <= 0:
            return
        key = (principal.role.value, principal.sub)
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                raise RateLimited(principal, max(1, math.ceil((1 - tokens) / self.per_second)))
            self._buckets[key] = (tokens - 1, now)
