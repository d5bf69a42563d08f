"""The read-model interface: what a projection must provide to be run by the machinery.

A read model turns the ledger's event stream into its own tables. The machinery
(`projections.runner.Projections`) owns everything else: reading the notification log in
order, decoding events, naming each event's record (`Envelope`), transactions, the tracking
position (`projection_tracking`, written in the same transaction as the rows, so each event has
its effect exactly once across crashes), catch-up, the PostgreSQL worker, rebuilds and status.

To add a read model (e.g. the flags):

    class Flags(ReadModel):
        name = "flags"                      # the CLI's NAME: `projections rebuild flags`
        version = 1                         # bump it when the tables or meaning change
        tables = ("flags_v1", "flag_history_v1")

        def create(self, tx: Tx) -> None:   # CREATE TABLE IF NOT EXISTS ... for each table
            tx.execute("CREATE TABLE IF NOT EXISTS flags_v1 (...)")

        def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
            for env in batch:               # in store order; ignore what you do not need
                if env.type == "Challenge.Withdrawn": ...

then add an instance to the list `wiring.build_services` passes to `Projections`. A changed
read model gets a new `version` (hence new table names and a new tracking key) and is
replayed from zero: never an ALTER. `apply` must be deterministic in the batch's events and
the model's own tables (no clock, no other model's tables): that is what makes a rebuild equal
live processing however the stream is split into batches.

A read model may also contribute to the authority measures (e.g. flags by rule) by having a
`measures(tx, la_code, period)` method: see `MeasureSource`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from iro_ledger.domain.limits import SHOWN_DEPTH, TOO_DEEP_TO_SHOW
from iro_ledger.projections.db import Database, Tx


class EventRef(BaseModel):
    """One stored event, as evidence names it: which record, which of its events, where in the
    store, of what class and dated when. The one reference type: flags keep it as it is; the
    other read models' documents keep `as_doc` of it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    """The record's kind: authority, officer, case, challenge, instruction, report, ..."""
    id: str
    """The record's client id (case_id, challenge_id, ...)."""
    event_number: int
    """The event's number within its record (1 for the record's first event)."""
    position: int
    """The event's position in the whole store (notification id)."""
    event_type: str
    """`Outer.Inner` class name of the event, e.g. `Case.IroAssigned`: stable, as stored."""
    occurred_on: date

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}#{self.event_number}"

    def as_doc(self, la_code: str) -> dict[str, Any]:
        """The reference as the read models' documents and their readers have always held it
        (`EventRefPublic`): with its authority, `number` and `type`, without the date."""
        return {"kind": self.kind, "id": self.id, "la_code": la_code,
                "number": self.event_number, "position": self.position,
                "type": self.event_type}


@dataclass(frozen=True)
class Envelope:
    """One stored event with the reference that names its record, as the machinery hands it to
    every read model and to the rules."""

    ref: EventRef
    la_code: str
    event: Any = field(compare=False)
    """The domain event itself (read its fields as attributes); never mutate it."""
    stored: Any = field(default=None, compare=False)
    """The stored notification (topic, originator id and version, state bytes) exactly as the
    store holds it: what the Merkle log's leaves are computed from."""
    # The reference's parts, copied once: every model reads them for every event of a batch.
    position: int = field(init=False, repr=False, compare=False)
    kind: str = field(init=False, repr=False, compare=False)
    record: str = field(init=False, repr=False, compare=False)
    """The record's client id (case_id, challenge_id, ...)."""
    number: int = field(init=False, repr=False, compare=False)
    type: str = field(init=False, repr=False, compare=False)
    """`Outer.Inner` class name of the event, e.g. `Case.IroAssigned`."""
    occurred_on: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ref, put = self.ref, object.__setattr__
        put(self, "position", ref.position)
        put(self, "kind", ref.kind)
        put(self, "record", ref.id)
        put(self, "number", ref.event_number)
        put(self, "type", ref.event_type)
        put(self, "occurred_on", ref.occurred_on)

    @property
    def recorded_at(self) -> datetime:
        value: datetime = self.event.recorded_at
        return value

    @property
    def recorded_by(self) -> str:
        return str(self.event.recorded_by)

    @property
    def actor(self) -> str:
        return str(self.event.actor)

    def ref_doc(self) -> dict[str, Any]:
        """The event's reference as read models' documents hold it (`EventRef.as_doc`)."""
        return self.ref.as_doc(self.la_code)

    def fields(self) -> dict[str, Any]:
        """What the event says, JSON-ready: its own fields without ids and provenance."""
        return {k: v if type(v) in _SCALARS else plain(v)
                for k, v in sorted(vars(self.event).items()) if k not in _NOT_FIELDS}

    def entry(self) -> dict[str, Any]:
        """The event as a reader sees it: reference, provenance and fields (JSON-ready)."""
        return {"ref": self.ref_doc(), "occurred_on": self.occurred_on.isoformat(),
                "recorded_at": self.recorded_at.isoformat(), "recorded_by": self.recorded_by,
                "actor": self.actor, "source": str(getattr(self.event, "source", "")),
                "on_behalf_of": getattr(self.event, "on_behalf_of", None),
                "fields": self.fields()}


_NOT_FIELDS = frozenset({
    "originator_id", "originator_version", "originator_topic", "timestamp", "occurred_on",
    "recorded_at", "recorded_by", "actor", "source", "command_id", "la_code", "ref",
    "on_behalf_of",
})


_SCALARS = frozenset({str, int, bool, float, type(None)})
"""Types `plain` returns as they are (checked first: most fields are one of them)."""


def plain(value: Any, depth: int = 0) -> Any:
    """JSON-ready copies: dates as ISO strings, sets as sorted lists; anything nested beyond
    SHOWN_DEPTH (only in events older than the limits on input) is not shown."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, dict | list | tuple) and depth >= SHOWN_DEPTH:
        return TOO_DEEP_TO_SHOW
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in value]
    return value


class ReadModel(ABC):
    """A projection: its name, version, tables, how to create them and how to apply events."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]]
    """Every table the model owns, each suffixed `_v{version}`; dropped on rebuild."""

    apart: ClassVar[frozenset[str]] = frozenset()
    """The kinds of record whose events alone the model reads, when nothing it keeps crosses
    authorities: a rebuild on PostgreSQL then replays it one authority at a time (the flags'
    books), so it holds one authority's state, not every one's. Empty: in store order."""

    def authority_done(self) -> None:
        """In such a rebuild, called when an authority's events are all applied: let go of
        what is held for it (it is stored)."""
        return None

    @property
    def key(self) -> str:
        """The tracking key: a new version starts its own position at zero."""
        return f"{self.name}_v{self.version}"

    @abstractmethod
    def create(self, tx: Tx) -> None:
        """Create the model's tables if they do not exist (idempotent)."""

    @abstractmethod
    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        """Apply a batch of events, in store order, to the model's tables, within `tx`.

        The machinery commits the rows together with the new tracking position, or neither.
        """


@dataclass(frozen=True)
class Period:
    """An inclusive range of days over which measures are taken."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, first: date, last: date | None) -> bool:
        """Whether [first, last] (last None: still running) meets the period."""
        return first <= self.end and (last is None or last >= self.start)


@dataclass(frozen=True)
class Measure:
    """One authority measure for a period, with the events it was computed from."""

    name: str
    value: Any
    """A number, None when undefined (e.g. a median of nothing), or a mapping of numbers."""
    unit: str
    evidence: list[dict[str, Any]]
    """References as the read models' documents hold them (`EventRef.as_doc`)."""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit, "note": self.note,
                "evidence": [dict(ref) for ref in self.evidence]}


@runtime_checkable
class MeasureSource(Protocol):
    """A read model that contributes measures (e.g. flags by rule) to an authority's list."""

    def measures(self, tx: Tx, la_code: str, period: Period) -> list[Measure]:
        """Measures read from the model's own tables, within a read transaction."""
        ...

    def ready(self, db: Database, la_code: str, period: Period) -> None:
        """Store what `measures` will read, before its read transaction begins (the flags
        stored as of the period's end: `flags_on.prepare`); nothing for most models."""
        ...
