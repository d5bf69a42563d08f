"""The Ledger application: commands in, events out; plain data back to the caller.

Each command runs in a unit of work that loads the records it needs, asks the domain to act,
and saves every changed record (and the idempotency receipt) in one transaction. A batch
may share one unit, so that `--atomic` ingest is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper

from iro_ledger.application.access import (
    Principal,
    Role,
    authorise,
    can_read,
    reads_are_recorded,
)
from iro_ledger.application.commands import CommandBase
from iro_ledger.application.handlers import RECORD_CLASSES, HandlerContext, R, handle
from iro_ledger.application.idempotency import CommandReceipt, fingerprint, receipt_id
from iro_ledger.application.sealing import KeyStore, SealingMapper, keys_for
from iro_ledger.application.store import DateAsISO
from iro_ledger.domain.access_log import RecordRead
from iro_ledger.domain.authority import Authority
from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.errors import AlreadyRecorded, InvariantViolation, NotPermitted, NotRecorded
from iro_ledger.domain.limits import SHOWN_DEPTH, TOO_DEEP_TO_SHOW
from iro_ledger.domain.record import LedgerRecord, Stamp, days_late, england_date, record_id

_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """The answer to an accepted command."""

    command: str
    kind: str
    id: str
    la_code: str
    event_numbers: list[int]
    """The numbers (versions) of the events this command added to its record."""
    position: int = 0
    """The store position after the write, for read-your-writes."""
    replayed: bool = False
    """True when a repeated `command_id` was answered from its receipt."""

    def answer(self) -> dict[str, Any]:
        return {"command": self.command, "kind": self.kind, "id": self.id,
                "la_code": self.la_code, "event_numbers": self.event_numbers}


@dataclass(frozen=True)
class RecordView:
    """A record's current state and every event in it, as plain data."""

    kind: str
    id: str
    la_code: str
    version: int
    state: dict[str, Any]
    events: list[dict[str, Any]]


class Ledger(Application[UUID]):
    name = "ledger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_mapper(self) -> Mapper[UUID]:
        """The sealing mapper, with the key store beside this event store (`sealing`)."""
        self.keys: KeyStore = keys_for(self.env)
        self.after_erasure: list[Callable[[UUID], None]] = []
        """Called with a case's stored id once its keys are destroyed (the read models
        forget the text they hold)."""
        return SealingMapper(self.construct_transcoder(), self.keys)

    def close(self) -> None:
        super().close()
        self.keys.close()

    def erased(self, case: UUID) -> None:
        """Destroy the keys a case's erasure names, then tell whoever listens."""
        self.keys.destroy(case)
        for listener in self.after_erasure:
            listener(case)

    # Commands

    def execute(self, command: CommandBase, principal: Principal, source: str,
                now: datetime | None = None) -> Outcome:
        """Authorise, apply and store one command, retrying a lost optimistic-lock race."""
        for attempt in range(_ATTEMPTS):
            unit = UnitOfWork(self, now)
            outcome = unit.apply(command, principal, source)
            if outcome.replayed:
                return outcome
            try:
                return unit.commit([outcome])[0]
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise InvariantViolation(
                        "the record changed while this command was applied; try again"
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def unit_of_work(self, now: datetime | None = None) -> UnitOfWork:
        """A unit shared by several commands, committed together (atomic batches)."""
        return UnitOfWork(self, now)

    # Reads

    def read(self, kind: str, la_code: str, ref: str, principal: Principal,
             record: bool = True, referred_to: str | None = None) -> RecordView:
        """A record with its events, if the principal may see it; outsiders' reads are logged
        (unless `record` is False: the caller records the read itself, as `Reads` does).

        `referred_to` is the arbitration body of a dispute the caller (the read service) has
        found this record to stand around: an arbitrator of that body may read it.
        """
        if kind not in RECORD_CLASSES:
            raise NotRecorded(f"no kind of record called {kind!r}")
        if principal.role is not Role.ARBITRATOR and not can_read(principal, la_code):
            raise NotPermitted(f"{principal.sub} may not read records of {la_code}")
        found = self._load(RECORD_CLASSES[kind], la_code, ref)
        body = found.arbitration_body if isinstance(found, Challenge) else referred_to
        if not can_read(principal, la_code, body):
            raise NotPermitted(f"{kind} {ref} is not referred to {principal.body}")
        if record:
            self.record_read(principal, la_code, f"{kind}:{ref}")
        return self.view(found)

    def record_read(self, principal: Principal, la_code: str, what: str,
                    source: str = "api") -> None:
        """Record a read of `what` (e.g. `case:ID`) if the principal's reads are recorded;
        `source` is the surface read from (api, web, cli)."""
        if reads_are_recorded(principal):
            now = _utcnow()
            stamp = Stamp(occurred_on=england_date(now), recorded_at=now,
                          recorded_by=principal.sub, actor=principal.sub, source=source)
            self.save(RecordRead.record(la_code, uuid4().hex, principal.role, what, stamp))

    def authority_name(self, la_code: str) -> str | None:
        """The name an authority was registered with; None when it was not registered."""
        try:
            return self._load(Authority, la_code, la_code).name
        except NotRecorded:
            return None

    def view(self, record: LedgerRecord) -> RecordView:
        events = [_event_fields(e) for e in self.events.get(record.id)]
        state = {k: _plain(v) for k, v in vars(record).items() if not k.startswith("_")}
        return RecordView(record.KIND, record.ref, record.la_code, record.version, state, events)

    def event_of(self, kind: str, la_code: str, ref: str, number: int) -> dict[str, Any] | None:
        """Event `number` of a record, as `view` shows it; None when there is no such event.

        No access check: the caller has one (a flag's late record, for a reader of the flag).
        """
        if kind not in RECORD_CLASSES:
            return None
        found = list(self.events.get(record_id(kind, la_code, ref), gt=number - 1, lte=number))
        return _event_fields(found[0]) if found else None

    def position(self) -> int:
        """The highest notification id stored, 0 for an empty store."""
        return self.recorder.max_notification_id() or 0

    def count_events(self) -> int:
        """Every stored event, counted (notification ids may have gaps on PostgreSQL)."""
        total, start = 0, 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=1000)
            if not page:
                return total
            total += len(page)
            start = page[-1].id + 1

    def _load(self, cls: type[R], la_code: str, ref: str) -> R:
        try:
            record: object = self.repository.get(record_id(cls.KIND, la_code, ref))
        except AggregateNotFoundError:
            raise NotRecorded(f"no {cls.KIND} {ref!r} is recorded in {la_code}") from None
        if not isinstance(record, cls):
            raise NotRecorded(f"no {cls.KIND} {ref!r} is recorded in {la_code}")
        return record

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository


@dataclass
class UnitOfWork:
    """Records loaded and changed by one command or one atomic batch, saved together.

    Events are stored in the order the commands made them (not grouped by record), so an
    atomic batch lands in the store, and in the Merkle log, in the order of its lines.
    """

    ledger: Ledger
    now: datetime | None = None
    touched: dict[UUID, LedgerRecord] = field(default_factory=dict)
    """Records changed so far, in their current state, for the unit's later commands."""
    events: list[Any] = field(default_factory=list)
    """Every new event, in the order the commands made them."""

    # The `Records` protocol the handlers use.

    def get(self, cls: type[R], la_code: str, ref: str) -> R:
        aggregate_id = record_id(cls.KIND, la_code, ref)
        record: LedgerRecord | None = self.touched.get(aggregate_id)
        if record is None:
            record = self.ledger._load(cls, la_code, ref)
        if not isinstance(record, cls):
            raise NotRecorded(f"no {cls.KIND} {ref!r} is recorded in {la_code}")
        return record

    def check_new(self, cls: type[LedgerRecord], la_code: str, ref: str) -> None:
        aggregate_id = record_id(cls.KIND, la_code, ref)
        if aggregate_id in self.touched or self.ledger._exists(aggregate_id):
            raise AlreadyRecorded(f"{cls.KIND} {ref!r} is already recorded in {la_code}")

    # Applying and committing

    def apply(self, command: CommandBase, principal: Principal, source: str) -> Outcome:
        """Apply one command to the unit, or answer a repeat from its receipt."""
        authorise(principal, command)
        recorded_at = self.now or _utcnow()
        stamp = Stamp(occurred_on=command.occurred_on, recorded_at=recorded_at,
                      recorded_by=principal.sub, actor=command.actor or principal.sub,
                      source=source, command_id=command.command_id)
        content = command.model_dump(mode="json", exclude={"command_id"})
        if command.command_id is not None:
            replay = self._replay(principal.sub, command.command_id, fingerprint(content))
            if replay is not None:
                return replay
        records = handle(command, HandlerContext(self, stamp, principal))
        new = [event for record in records for event in record.collect_events()]
        target = records[0]
        outcome = Outcome(
            command=command.command_name(), kind=target.KIND, id=target.ref,
            la_code=target.la_code,
            event_numbers=[e.originator_version for e in new if e.originator_id == target.id],
        )
        if command.command_id is not None:
            receipt = CommandReceipt.accept(command.la_code, fingerprint(content),
                                            outcome.answer(), stamp)
            records.append(receipt)
            new.extend(receipt.collect_events())
        self.touched.update((record.id, record) for record in records)
        self.events.extend(new)
        return outcome

    def commit(self, outcomes: list[Outcome]) -> list[Outcome]:
        """Save every new event in one transaction; give the outcomes their position."""
        recordings = self.ledger.save(*self.events)
        erasures = [e.originator_id for e in self.events if isinstance(e, Case.Erased)]
        self.touched, self.events = {}, []
        for case in erasures:
            self.ledger.erased(case)
        position = max((r.notification.id for r in recordings), default=0)
        return [_with_position(o, position) for o in outcomes]

    def _replay(self, recorded_by: str, command_id: str, digest: str) -> Outcome | None:
        aggregate_id = receipt_id(recorded_by, command_id)
        receipt = self.touched.get(aggregate_id)
        if receipt is None:
            try:
                receipt = self.ledger.repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None
        assert isinstance(receipt, CommandReceipt)
        if receipt.fingerprint != digest:
            raise InvariantViolation(
                f"command_id {command_id!r} was already used for a different command")
        return Outcome(**receipt.answer, position=self.ledger.position(), replayed=True)


def _with_position(outcome: Outcome, position: int) -> Outcome:
    return Outcome(**outcome.answer(), position=position)


def _utcnow() -> datetime:
    return datetime.now(UTC)


_HIDDEN = {"originator_id", "originator_version", "originator_topic", "timestamp"}


def _event_fields(event: Any) -> dict[str, Any]:
    fields = {k: _plain(v) for k, v in vars(event).items() if k not in _HIDDEN}
    # Events stored before `on_behalf_of` existed lack it; they read as recorded by no one else.
    # (Later additions are shown as stored: an old event simply does not state them.)
    fields.setdefault("on_behalf_of", getattr(event, "on_behalf_of", None))
    fields["days_late"] = days_late(event.occurred_on, event.recorded_at)
    return {"number": event.originator_version, "type": type(event).__name__, **fields}


def _plain(value: Any, depth: int = 0) -> Any:
    """JSON-ready copies of state: sets become sorted lists, dates ISO strings; anything
    nested beyond SHOWN_DEPTH (only in events older than the limits) is not shown."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, dict | list) and depth >= SHOWN_DEPTH:
        return TOO_DEEP_TO_SHOW
    if isinstance(value, dict):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    return value
