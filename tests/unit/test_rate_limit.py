"""The per-principal allowance of recorded acts: a burst at once, then a steady rate."""

from __future__ import annotations

import pytest

from iro_ledger.application import Principal, Role
from iro_ledger.application.rate_limit import RateLimited, RateLimiter

INSPECTOR = Principal(sub="insp-eve", role=Role.INSPECTOR)
OTHER_INSPECTOR = Principal(sub="insp-ivo", role=Role.INSPECTOR)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_and_the_next_act_is_refused_saying_when_to_retry() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)
    for _ in range(3):
        limiter.take(INSPECTOR)

    with pytest.raises(RateLimited) as refused:
        limiter.take(INSPECTOR)
    assert refused.value.retry_after == 10
    assert "insp-eve" in str(refused.value)


def test_the_allowance_refills_at_the_steady_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=1, clock=clock)
    limiter.take(INSPECTOR)
    clock.now += 9
    with pytest.raises(RateLimited) as refused:
        limiter.take(INSPECTOR)
    assert refused.value.retry_after == 1

    clock.now += 1
    limiter.take(INSPECTOR)


def test_each_principal_has_an_allowance_of_their_own() -> None:
    limiter = RateLimiter(per_minute=1, burst=1, clock=Clock())
    limiter.take(INSPECTOR)

    limiter.take(OTHER_INSPECTOR)
    with pytest.raises(RateLimited):
        limiter.take(INSPECTOR)


def test_a_rate_of_zero_means_no_limit() -> None:
    limiter = RateLimiter(per_minute=0, burst=1, clock=Clock())
    for _ in range(1000):
        limiter.take(INSPECTOR)
