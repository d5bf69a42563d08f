"""`Reads`: the process's read service, built once beside `Trust` in `wiring.build_services`.

It holds what every read shares: the ledger (to record outsiders' reads and load a record's
own events), the read models, the clock that gives England's today, and the Merkle log's
proofs for reads that carry receipts. Each request opens a
`Reader` for its principal with `by`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from iro_ledger.application import Ledger, Principal
from iro_ledger.application.access import reads_are_recorded
from iro_ledger.application.rate_limit import RateLimiter
from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.record import england_date
from iro_ledger.projections import Projections
from iro_ledger.projections.flags import Flags
from iro_ledger.projections.measures import measures_of, outdated, period_of
from iro_ledger.reads.reader import Reader
from iro_ledger.reads.results import NotServed
from iro_ledger.trust.service import Trust

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class Reads:
    """The one door for reads of the read models and of records (see the package docstring).

    Freshness: before reading, the read models a read needs are caught up with the store, in
    the request, on SQLite and PostgreSQL alike (docs/design-notes.md says why). The runner
    locks each model's tracking row, so this is safe beside a running `iro-ledger worker`,
    which usually leaves nothing to do.
    """

    def __init__(self, ledger: Ledger, projections: Projections, clock: Clock = _now,
                 limiter: RateLimiter | None = None, trust: Trust | None = None) -> None:
        self.ledger = ledger
        self.projections = projections
        self._clock = clock
        self.limiter = limiter or RateLimiter(per_minute=0, burst=1)
        """Spent by each request of a principal whose reads are recorded (not the CLI's)."""
        self._trust = trust

    def today(self) -> date:
        """The date in England now: the day reads count to, as the domain judges dates."""
        return england_date(self._clock())

    def by(self, principal: Principal, surface: str, seen_as: str | None = None) -> Reader:
        """A reader for one request (a `with` block): its reads are recorded when it closes.

        `surface` is api, web or cli; `seen_as` names what the access log says was read (a
        dashboard page), once per authority shown, instead of each read separately. A request
        over the principal's rate limit is refused (RateLimited) before anything is read.
        """
        if surface != "cli" and reads_are_recorded(principal):
            self.limiter.take(principal)
        return Reader(self, principal, surface, seen_as)

    def fresh(self, names: Iterable[str] | None, min_position: int | None = None) -> int:
        """Catch the named read models (all when None) up with the store; their position.

        `min_position` (a command's answered `position`) must be stored already; once caught
        up, the models have applied it (read-your-writes).
        """
        if min_position is not None and min_position > self.ledger.position():
            raise InvalidValue("min_position",
                               f"nothing is stored at position {min_position} yet")
        chosen = None if names is None else list(names)
        self.projections.refresh(chosen)
        return min(self.projections.positions(chosen).values(), default=0)

    def trust(self) -> Trust:
        """The Merkle log's proofs, for reads that carry receipts (a dispute bundle)."""
        if self._trust is None:
            raise NotServed("the Merkle log is not running in this service")
        return self._trust

    def judge_today(self, busy: Callable[[], bool] = lambda: False) -> None:
        """Store today's flags for every authority whose stored day is missing or behind
        (`Flags.judge_day`), until `busy` says to stop (after the first): the worker does
        it between batches and while no event comes (a new day), so readers find them."""
        self.flags_model().judge_day(self.projections.db, self.today(), busy)

    def measure_today(self, busy: Callable[[], bool] = lambda: False) -> None:
        """Store the measures of the year to today for every authority whose stored ones
        are missing or behind (`measures.outdated`), until `busy` says to stop: the worker
        does it while no event waits, so an inspector's first read finds them stored."""
        period = period_of(None, None, self.today())
        for la_code in outdated(self.projections, period):
            if busy():
                return
            measures_of(self.projections, la_code, period)

    def flags_model(self) -> Flags:
        model = self.projections.models.get("flags")
        if not isinstance(model, Flags):
            raise NotServed("the flags read model is not running in this service")
        return model
