"""The rules engine: domain events in, in store order; flags out, as of any day. Pure: no I/O.

`RulesEngine.apply(event, position)` records what each event establishes in its authority's
book and lets every event-raised rule react. `flags(as_of)` gives the event-raised flags as
they stood on that day plus the deadline rules' flags computed for it. The state is a
JSON-able dict (`dump`, `from_state`), and `changes()` hands a persisting read model just the
records and flags that changed since it last asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from iro_ledger.domain.record import LedgerRecord
from iro_ledger.projections.rules import (
    caseload_excess,
    disciplinary_after_challenge,
    engagement_ended_after_dispute,
    iro_churn,
    permission_required,
    plan_changed_without_review,
    reallocation_after_dispute,
    report_interference,
    review_overdue,
    suppressed_challenge,
)
from iro_ledger.projections.rules.calendar import working_calendar
from iro_ledger.projections.rules.config import RulesConfig, load_config
from iro_ledger.projections.rules.facts import FACT_MODELS, Book
from iro_ledger.projections.rules.flag import Flag, Ref, Status
from iro_ledger.projections.rules.observe import KINDS, Seen, observe
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULES: tuple[RuleUnit, ...] = (
    permission_required.UNIT,
    disciplinary_after_challenge.UNIT,
    reallocation_after_dispute.UNIT,
    report_interference.UNIT,  # before engagement_ended, which reads its flags
    engagement_ended_after_dispute.UNIT,
    suppressed_challenge.UNIT,
    plan_changed_without_review.UNIT,
    review_overdue.UNIT,
    caseload_excess.UNIT,
    iro_churn.UNIT,
)
RULE_NAMES = tuple(unit.name for unit in RULES)
BASES = {unit.name: unit.basis for unit in RULES}


@dataclass
class Changes:
    """What changed since the last `changes()`: facts as (la_code, kind, id, doc), and flags."""

    facts: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


class RulesEngine:
    def __init__(self, config: RulesConfig | None = None) -> None:
        self.config = config or load_config()
        calendar = working_calendar(self.config.calendar.country,
                                    self.config.calendar.subdivision)
        self.context = Context(self.config, calendar)
        self.books: dict[str, Book] = {}
        self.names: dict[str, tuple[str, str, str]] = {}
        """Stored record id -> (kind, la_code, client id): later events carry only the first."""

    # Events in

    def apply(self, event: Any, position: int,
              name: tuple[str, str, str] | None = None) -> Book | None:
        """Take one stored event (in store order); the book it touched, if any.

        `name` is the event's record as (kind, la_code, client id) when the caller knows it;
        otherwise the engine's own map from stored ids, learnt from each record's first event.
        """
        outer, _, inner = type(event).__qualname__.partition(".")
        kind = KINDS.get(outer)
        if kind is None or not inner:
            return None
        record_id = str(event.originator_id)
        if isinstance(event, LedgerRecord.Created):
            self.names[record_id] = (kind, event.la_code, event.ref)
        named = name or self.names.get(record_id)
        if named is None:
            return None
        kind, la_code, ref = named
        book = self.book(la_code)
        if not isinstance(event, LedgerRecord.Created) and book.facts_of(kind, ref) is None:
            return None
        seen = Seen(event, Ref(kind=kind, id=ref, event_number=event.originator_version,
                               position=position, event_type=type(event).__qualname__,
                               occurred_on=event.occurred_on), la_code)
        observe(book, seen)
        for unit in RULES:
            if unit.react is not None:
                unit.react(book, seen, self.context)
        return book

    def apply_all(self, events: Iterable[tuple[Any, int]]) -> None:
        for event, position in events:
            self.apply(event, position)

    def book(self, la_code: str) -> Book:
        if la_code not in self.books:
            self.books[la_code] = Book(la_code)
        return self.books[la_code]

    # Flags out

    def flags(self, as_of: date, la_codes: Iterable[str] | None = None,
              withdrawn: bool = False) -> list[Flag]:
        """Every flag as it stood at the end of `as_of`, in order of authority and day.

        Withdrawn flags (later records showed they never applied) only when `withdrawn`.
        """
        chosen = self.books if la_codes is None else {
            la: self.books[la] for la in la_codes if la in self.books}
        found: list[Flag] = []
        for book in chosen.values():
            found.extend(f for f in (flag.as_of(as_of) for flag in book.flags.values())
                         if f is not None and (withdrawn or f.status is not Status.WITHDRAWN))
            for unit in RULES:
                if unit.as_of is not None:
                    found.extend(unit.as_of(book, as_of, self.context))
        return sorted(found, key=lambda f: (f.la_code, f.raised_on, f.rule, f.id))

    # State: JSON-able, per record

    def changes(self) -> Changes:
        """The records and flags changed since the last call, to persist."""
        out = Changes()
        for la_code, book in self.books.items():
            for kind, ref in sorted(book.dirty_facts):
                facts = book.facts_of(kind, ref)
                if facts is not None:
                    out.facts.append((la_code, kind, ref, facts.model_dump(mode="json")))
            out.flags.extend(book.flags[fid] for fid in sorted(book.dirty_flags))
            book.dirty_facts.clear()
            book.dirty_flags.clear()
        return out

    def load(self, la_code: str, facts: Iterable[tuple[str, dict[str, Any]]],
             flags: Iterable[dict[str, Any]]) -> None:
        """Restore one authority's book from persisted (kind, doc) facts and flag docs."""
        book = Book(la_code)
        for kind, doc in facts:
            model = FACT_MODELS[kind].model_validate(doc)
            book.put(kind, model)
            self.names[str(doc["originator_id"])] = (kind, la_code, str(doc["id"]))
        for doc in flags:
            book.add_flag(Flag.model_validate(doc))
        book.dirty_facts.clear()
        self.books[la_code] = book

    def dump(self) -> dict[str, Any]:
        """The whole state as JSON-able data."""
        return {la_code: {
            "facts": [{"kind": kind, "doc": facts.model_dump(mode="json")}
                      for kind, _, facts in book.fact_docs()],
            "flags": [f.model_dump(mode="json") for f in book.flags.values()],
        } for la_code, book in self.books.items()}

    @classmethod
    def from_state(cls, state: dict[str, Any], config: RulesConfig | None = None) -> RulesEngine:
        engine = cls(config)
        for la_code, book in state.items():
            engine.load(la_code, ((f["kind"], f["doc"]) for f in book["facts"]), book["flags"])
        return engine
