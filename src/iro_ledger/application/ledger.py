"""The Ledger application: commands in, events out; plain data back to the caller.

Commands run in units of work that load the records they need, ask the domain to act, and
save every changed record (and the idempotency receipts) in one transaction. The commands a
process is given at the same moment share one unit (group commit: one transaction, one
lock, one fsync), each keeping its own answer or refusal; `ingest` shares units across lines
the same way, and `--atomic` puts every line in one, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Recording,
    Transcoder,
)
from eventsourcing.utils import get_topic

from iro_ledger.application.access import (
    Principal,
    Role,
    authorise,
    can_read,
    reads_are_recorded,
)
from iro_ledger.application.commands import CommandBase
from iro_ledger.application.group_commit import GroupCommit
from iro_ledger.application.handlers import RECORD_CLASSES, HandlerContext, R, handle
from iro_ledger.application.idempotency import CommandReceipt, fingerprint, receipt_id
from iro_ledger.application.record_cache import DEFAULT_SIZE, RecordCache
from iro_ledger.application.recorder import StaleRecords
from iro_ledger.application.sealing import (
    KeyStore,
    SealingEventStore,
    SealingMapper,
    keys_for,
)
from iro_ledger.application.store import DateAsISO, StateTranscoder
from iro_ledger.domain.access_log import RecordRead
from iro_ledger.domain.authority import Authority
from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.errors import (
    AlreadyRecorded,
    DomainError,
    InvariantViolation,
    NotPermitted,
    NotRecorded,
)
from iro_ledger.domain.limits import SHOWN_DEPTH, TOO_DEEP_TO_SHOW
from iro_ledger.domain.record import LedgerRecord, Stamp, days_late, england_date, record_id

_ATTEMPTS = 3
ERASURE_TOPICS = (get_topic(Case.Erased),)
"""Events that destroy keys (`Ledger.erased`)."""
DEFERRED_GROUP = 64
"""Groups of at most this many commands look at what others stored in their insert's own
round trip (`UnitOfWork.deferred`); larger ones (ingest's) look first, in a query of its own."""


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


@dataclass(frozen=True)
class Request:
    """One command to apply, as whom, from which surface."""

    command: CommandBase
    principal: Principal
    source: str


Result = Outcome | DomainError
"""A command's own answer: its outcome, or its refusal."""


class Ledger(Application[UUID]):
    name = "ledger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoder, or, where the environment names none, the same
        JSON written faster (`StateTranscoder`)."""
        transcoder = super().construct_transcoder()
        if type(transcoder) is not JSONTranscoder:
            return transcoder
        faster = StateTranscoder()
        self.register_transcodings(faster)
        return faster

    def __init__(self, env: dict[str, str] | None = None, *,
                 cache_size: int = DEFAULT_SIZE) -> None:
        super().__init__(env)
        self.records_cache = RecordCache(cache_size)
        self._group: GroupCommit[Request, Result] = GroupCommit(self.apply_together)

    def construct_mapper(self) -> Mapper[UUID]:
        """The sealing mapper, with the key store beside this event store (`sealing`)."""
        self.keys: KeyStore = keys_for(self.env)
        self.after_erasure: list[Callable[[UUID], None]] = []
        """Called with a case's stored id once its keys are destroyed (the read models
        forget the text they hold)."""
        return SealingMapper(self.construct_transcoder(), self.keys)

    def construct_event_store(self) -> SealingEventStore:
        """Saves and loads batches of events with one key-store query (`sealing`)."""
        assert isinstance(self.mapper, SealingMapper)
        return SealingEventStore(mapper=self.mapper, recorder=self.recorder)

    def close(self) -> None:
        self._group.close()
        super().close()
        self.keys.close()

    def save_events(self, events: Sequence[Any], **kwargs: Any) -> list[Recording[UUID]]:
        """`save` of new domain events, in their order, in one transaction: without asking of
        each whether it is an event or a record (a runtime protocol check per event, which
        cost a bulk load as much as its insert). `kwargs` go to the recorder (`guard`)."""
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        processing.events.extend(events)
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def erased(self, case: UUID) -> None:
        """Destroy the keys a case's erasure names, then tell whoever listens."""
        self.keys.destroy(case)
        self.records_cache.clear()
        self.forget_changed(None)
        for listener in self.after_erasure:
            listener(case)

    # Commands

    def execute(self, command: CommandBase, principal: Principal, source: str,
                now: datetime | None = None) -> Outcome:
        """Authorise, apply and store one command, together with whatever else this process
        is recording at the moment (group commit); raise its refusal."""
        request = Request(command, principal, source)
        if now is None:
            result = self._group.submit(request)
        else:  # a fixed clock (tests, the demo) is this command's own
            result = self.apply_together([request], now)[0]
        if isinstance(result, DomainError):
            raise result
        return result

    async def execute_async(self, command: CommandBase, principal: Principal,
                            source: str) -> Outcome:
        """`execute` for an event loop: the command waits for its group as a future, not in
        a thread of its own (`GroupCommit.submit_async`)."""
        result = await self._group.submit_async(Request(command, principal, source))
        if isinstance(result, DomainError):
            raise result
        return result

    def apply_together(self, requests: Sequence[Request],
                       now: datetime | None = None) -> list[Result]:
        """Apply the commands in order in one unit and store them in one transaction.

        A refused command is answered with its refusal and takes nothing else down. If the
        store refuses the transaction (a receipt already stored, a record another process
        changed), each command is applied again on its own, exactly, in the same order.
        """
        deferred = (len(requests) <= DEFERRED_GROUP and self.records_cache.ready
                    and hasattr(self.recorder, "insert_guarded"))
        unit = UnitOfWork(self, now, exact=False, deferred=deferred)
        results: list[Result] = []
        for request in requests:
            try:
                results.append(unit.apply(request.command, request.principal, request.source))
            except DomainError as refused:
                results.append(refused)
        try:
            committed = iter(unit.commit([r for r in results if isinstance(r, Outcome)]))
        except IntegrityError:
            return [self._execute_exact(request, now) for request in requests]
        return [next(committed) if isinstance(r, Outcome) else r for r in results]

    def _execute_exact(self, request: Request, now: datetime | None) -> Result:
        """One command in an exact unit of its own, retrying a lost optimistic-lock race
        (the group's attempt was its first)."""
        for _ in range(_ATTEMPTS - 1):
            unit = UnitOfWork(self, now)
            try:
                outcome = unit.apply(request.command, request.principal, request.source)
            except DomainError as refused:
                return refused
            try:
                return unit.commit([outcome])[0]
            except IntegrityError:
                continue
        return InvariantViolation("the record changed while this command was applied; "
                                  "try again")

    def unit_of_work(self, now: datetime | None = None, exact: bool = True) -> UnitOfWork:
        """A unit shared by several commands, committed together (atomic batches)."""
        return UnitOfWork(self, now, exact=exact)

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

    def forget_changed(self, records: set[UUID] | None) -> None:
        """Another process changed `records` (None: too many to name, or an erasure here):
        forget the sealing keys kept in memory (`SealingMapper._sealing`)."""
        if (records is None or records) and isinstance(self.mapper, SealingMapper):
            self.mapper.forget_keys()


@dataclass
class UnitOfWork:
    """Records loaded and changed by several commands, saved together in one transaction.

    Events are stored in the order the commands made them (not grouped by record), so an
    atomic batch lands in the store, and in the Merkle log, in the order of its lines.

    Each command is applied on its own: one that is refused leaves the unit as the commands
    before it left it (a record it had begun to change is rebuilt from the store and the
    unit's accepted events). `exact` units look every receipt and every new id up in the
    store before using it and load every record from the store. Optimistic units (`exact`
    False) take records from the ledger's cache, kept true by the store (`RecordCache`), and
    write idempotency receipts without looking them up: the store's unique key catches a
    repeat or a record another process changed, and the caller then applies the commands
    again in exact units (`Ledger.apply_together`).
    """

    ledger: Ledger
    now: datetime | None = None
    exact: bool = True
    touched: dict[UUID, LedgerRecord] = field(default_factory=dict)
    """Records changed so far, in their current state, for the unit's later commands."""
    loaded: dict[UUID, LedgerRecord] = field(default_factory=dict)
    """Records read and not (yet) changed, kept for the unit's later commands."""
    events: list[Any] = field(default_factory=list)
    """Every new event, in the order the commands made them."""
    replays: list[int] = field(default_factory=list)
    """Indexes (in `answers`) of repeats answered from a receipt made in this unit."""
    deferred: bool = False
    """An optimistic unit that does not look at what others stored before it begins: its
    insert does, under the event lock (`recorder.Guard`), and stores nothing if a record it
    read was changed meanwhile (PostgreSQL; the group is then applied again exactly)."""
    used: set[UUID] = field(default_factory=set)
    """Every record the unit read, refused commands' too."""
    _using: dict[UUID, LedgerRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.exact and not self.deferred:
            self.ledger.forget_changed(self.ledger.records_cache.refresh(self.ledger))

    # The `Records` protocol the handlers use.

    def get(self, cls: type[R], la_code: str, ref: str) -> R:
        aggregate_id = record_id(cls.KIND, la_code, ref)
        record: LedgerRecord | None = (self.touched.get(aggregate_id)
                                       or self.loaded.get(aggregate_id))
        if record is None and not self.exact:
            record = self.ledger.records_cache.take(aggregate_id)
        if record is None:
            record = self.ledger._load(cls, la_code, ref)
        self.used.add(aggregate_id)
        self.loaded.setdefault(aggregate_id, record)
        self._using[aggregate_id] = record
        if not isinstance(record, cls):
            raise NotRecorded(f"no {cls.KIND} {ref!r} is recorded in {la_code}")
        return record

    def check_new(self, cls: type[LedgerRecord], la_code: str, ref: str) -> None:
        aggregate_id = record_id(cls.KIND, la_code, ref)
        if (aggregate_id in self.touched or aggregate_id in self.loaded
                or self.ledger.records_cache.knows(aggregate_id)
                or (self.exact and self.ledger._exists(aggregate_id))):
            raise AlreadyRecorded(f"{cls.KIND} {ref!r} is already recorded in {la_code}")

    # Applying and committing

    def apply(self, command: CommandBase, principal: Principal, source: str) -> Outcome:
        """Apply one command to the unit, or answer a repeat from its receipt; a refusal
        (DomainError) leaves the unit as it was."""
        self._using = {}
        try:
            return self._apply(command, principal, source)
        except DomainError:
            self._restore()
            if self.exact or command.command_id is None:
                raise
        # A repeat refused on applying again (an escalation already made): its receipt,
        # looked up only now, answers it.
        content = command.model_dump(mode="json", exclude={"command_id"})
        replay = self._stored_replay(receipt_id(principal.sub, command.command_id),
                                     command.command_id, fingerprint(content))
        if replay is None:
            return self._apply(command, principal, source)  # raises the refusal again
        return replay

    def _apply(self, command: CommandBase, principal: Principal, source: str) -> Outcome:
        authorise(principal, command)
        recorded_at = self.now or _utcnow()
        stamp = Stamp(occurred_on=command.occurred_on, recorded_at=recorded_at,
                      recorded_by=principal.sub, actor=command.actor or principal.sub,
                      source=source, command_id=command.command_id)
        digest, receipt = "", None
        if command.command_id is not None:
            digest = fingerprint(command.model_dump(mode="json", exclude={"command_id"}))
            receipt = receipt_id(principal.sub, command.command_id)
            replay = self._replay(receipt, command.command_id, digest)
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
        if receipt is not None:
            accepted = CommandReceipt.accept(command.la_code, digest, outcome.answer(), stamp,
                                             receipt)
            records.append(accepted)
            new.extend(accepted.collect_events())
        for record in records:
            self.touched[record.id] = record
            self.loaded.pop(record.id, None)
        self.events.extend(new)
        return outcome

    def _restore(self) -> None:
        """Undo what a refused command began: rebuild each record it changed."""
        for aggregate_id, record in self._using.items():
            if record.pending_events:
                rebuilt = self._rebuild(aggregate_id)
                for held in (self.touched, self.loaded):
                    if aggregate_id in held:
                        if rebuilt is None:
                            del held[aggregate_id]
                        else:
                            held[aggregate_id] = rebuilt

    def _rebuild(self, aggregate_id: UUID) -> LedgerRecord | None:
        record: Any = None
        for event in chain(self.ledger.events.get(aggregate_id),
                           (e for e in self.events if e.originator_id == aggregate_id)):
            record = event.mutate(record)
        return record if isinstance(record, LedgerRecord) else None

    def commit(self, outcomes: list[Outcome]) -> list[Outcome]:
        """Save every new event in one transaction; give the outcomes their position.

        A deferred unit's insert is guarded (see `deferred`); one that stores nothing looks
        at what others stored now, and raises StaleRecords if they changed a record it read
        (its refusals may rest on that record)."""
        cache = self.ledger.records_cache
        guard = cache.guard(self.used) if self.deferred else None
        if guard is not None:
            guard.erasure_topics = ERASURE_TOPICS
        try:
            if self.events:
                kwargs = {} if guard is None else {"guard": guard}
                recordings = self.ledger.save_events(self.events, **kwargs)
            else:
                recordings = []
                if self.deferred:
                    changed = cache.refresh(self.ledger)
                    self.ledger.forget_changed(changed)
                    if changed is None or changed & self.used:
                        raise StaleRecords("a record this unit read was changed meanwhile")
        except Exception:
            if not self.exact:
                cache.forget([*self.touched, *self.loaded])
            raise
        finally:
            if guard is not None:
                self.ledger.forget_changed(cache.observe(guard))
        positions = [r.notification.id for r in recordings]
        self.ledger.records_cache.put_back(
            (r for r in chain(self.touched.values(), self.loaded.values())
             if not isinstance(r, CommandReceipt)), positions)
        erasures = [e.originator_id for e in self.events if isinstance(e, Case.Erased)]
        self.touched, self.loaded, self.events = {}, {}, []
        for case in erasures:
            self.ledger.erased(case)
        position = max(positions, default=0) or self.ledger.position()
        return [_with_position(o, position) for o in outcomes]

    def _replay(self, receipt_id: UUID, command_id: str, digest: str) -> Outcome | None:
        receipt: LedgerRecord | None = self.touched.get(receipt_id)
        if receipt is None:
            return self._stored_replay(receipt_id, command_id, digest) if self.exact else None
        return _answer(receipt, command_id, digest)

    def _stored_replay(self, receipt_id: UUID, command_id: str, digest: str) -> Outcome | None:
        try:
            receipt: object = self.ledger.repository.get(receipt_id)
        except AggregateNotFoundError:
            return None
        return _answer(receipt, command_id, digest)


def _answer(receipt: object, command_id: str, digest: str) -> Outcome:
    """A repeat's answer from the receipt of its first time; a different command is refused."""
    assert isinstance(receipt, CommandReceipt)
    if receipt.fingerprint != digest:
        raise InvariantViolation(
            f"command_id {command_id!r} was already used for a different command")
    return Outcome(**receipt.answer, position=0, replayed=True)


def _with_position(outcome: Outcome, position: int) -> Outcome:
    return Outcome(**outcome.answer(), position=position, replayed=outcome.replayed)


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
