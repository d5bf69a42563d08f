"""Which HTTP status each refusal gets: one table for the API (problem+json) and the dashboard
(HTML pages), so the two can never disagree.

A broken rule of the record is 409, an unknown record 404, a forbidden act or read 403, a read
model not running 503, too many recorded acts by one principal 429 (with `Retry-After`), any
other refusal (a bad value) 422. It lives beside the pages because
the API's app composes the dashboard, so both can import it.
"""

from __future__ import annotations

from dataclasses import dataclass

from iro_ledger.application.rate_limit import RateLimited
from iro_ledger.domain.errors import InvalidValue, InvariantViolation, NotPermitted, NotRecorded
from iro_ledger.reads import NotServed


@dataclass(frozen=True)
class Refusal:
    status: int
    kind: str
    """The problem type's name (the API's `type` ends with it)."""
    title: str
    """What a page says, as its heading."""


_REFUSALS: tuple[tuple[type[Exception], Refusal], ...] = (
    (InvalidValue, Refusal(422, "invalid-value", "Check what you asked for")),
    (InvariantViolation, Refusal(409, "conflict", "Refused by the record's rules")),
    (NotRecorded, Refusal(404, "not-recorded", "Not recorded")),
    (NotPermitted, Refusal(403, "not-permitted", "Not yours to see")),
    (NotServed, Refusal(503, "not-ready", "Not available")),
    (RateLimited, Refusal(429, "rate-limited", "Too many requests: please wait")),
)
_OTHER = Refusal(422, "refused", "Check what you asked for")


def retry_headers(error: Exception) -> dict[str, str] | None:
    """`Retry-After` for a rate-limited request; None for any other refusal."""
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after)}
    return None


def refusal_of(error: Exception) -> Refusal:
    """How a domain refusal (or a read model not running) is answered over HTTP."""
    for cls, refusal in _REFUSALS:
        if isinstance(error, cls):
            return refusal
    return _OTHER
