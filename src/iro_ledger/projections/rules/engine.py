"""The rules engine: envelopes in, in store order; flags out, as of any day. Pure: no I/O.

`RulesEngine.apply(env)` records what each event establishes in its authority's book, lets
every rule the event bears on judge again, and settles their flags (`lifecycle`). `flags(as_of)`
gives the stored flags as they stood on that day plus the deadline rules' flags computed for
it. `changes()` hands a persisting read model just the records and flags that changed since it
last asked; `load` restores a book from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from iro_ledger.domain.record import LedgerRecord, england_date
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import Book
from iro_ledger.projections.rules.catalogue import RULES
from iro_ledger.projections.rules.config import RulesConfig, load_config
from iro_ledger.projections.rules.facts import FACT_MODELS
from iro_ledger.projections.rules.flag import Flag, Status
from iro_ledger.projections.rules.lifecycle import defeats, settle, standing
from iro_ledger.projections.rules.observe import observe
from iro_ledger.projections.rules.rule import Rule


@dataclass
class Changes:
    """What changed since the last `changes()`: facts as (la_code, kind, id, doc), and flags."""

    facts: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


_JUDGING = {when: [r for r in RULES if r.reads is not None and r.judge is not None
                   and r.on_changes is when] for when in (False, True)}
"""The rules that judge the subjects an event bears on, before and after the defeats (once,
not sorted out again for every event)."""


class RulesEngine:
    def __init__(self, config: RulesConfig | None = None) -> None:
        self.config = config or load_config()
        self.books: dict[str, Book] = {}

    # Events in

    def apply(self, env: Envelope) -> Book | None:
        """Take one event (in store order); the book it touched, if any.

        Events of records the rules keep no facts of, or whose first event the engine never
        saw, change nothing. A back-dated record in a book older than the day it was made is
        watched: the flags standing open that day on older records are read just before and
        after it, and what it cleared or withdrew is a defeat (`lifecycle.defeats`), which the
        rules `on_changes` judge last.
        """
        if env.kind not in FACT_MODELS:
            return None
        book = self.books.get(env.la_code)
        if book is None:
            book = self.books[env.la_code] = Book(env.la_code)
        if not isinstance(env.event, LedgerRecord.Created) and (
                book.facts_of(env.kind, env.record) is None):
            return None
        day = england_date(env.event.recorded_at)
        opened = book.recorded_on("authority", env.la_code)
        watched = env.occurred_on < day and opened is not None and opened < day
        around = [r for r in RULES if r.as_of is not None and (
            r.watch is None or env.type in r.watch or f"{env.type.split('.')[0]}.*" in r.watch)
        ] if watched else []
        before = self._open_on(book, day, around) if watched else {}
        observe(book, env)
        self._judge(book, env, on_changes=False)
        if watched:
            after = {f.id: f for f in self._standing(book, day, True, around)}
            for defeat in defeats(book, before, after, env.ref, day):
                book.put("defeat", defeat)
        self._judge(book, env, on_changes=True)
        return book

    def _judge(self, book: Book, env: Envelope, on_changes: bool) -> None:
        for rule in _JUDGING[on_changes]:
            assert rule.reads is not None and rule.judge is not None
            for subject in rule.reads(book, env):
                settle(book, rule.name, rule.basis, rule.judge(book, subject, self.config),
                       env.ref)

    def _open_on(self, book: Book, day: date, rules: Sequence[Rule]) -> dict[str, Flag]:
        """The flags open at the end of `day` resting only on records made before it (of the
        deadline rules, only `rules`')."""
        def older(flag: Flag) -> bool:
            made = [book.recorded_on(r.kind, r.id) for r in flag.evidence]
            return all(m is not None and m < day for m in made)
        return {f.id: f for f in self._standing(book, day, False, rules)
                if f.status is Status.OPEN and older(f)}

    def _standing(self, book: Book, day: date, withdrawn: bool = False,
                  rules: Sequence[Rule] = RULES) -> list[Flag]:
        """One book's flags as they stood at the end of `day`: the stored ones and the deadline
        `rules`' (which replace a stored, withdrawn flag of the same id found again)."""
        found = {f.id: f for f in (flag.as_of(day) for flag in book.flags.values())
                 if f is not None}
        for rule in rules:
            if rule.as_of is not None:
                found.update((f.id, f) for f in (
                    standing(book, rule.name, rule.basis, finding)
                    for finding in rule.as_of(book, day, self.config)))
        return sorted((f for f in found.values() if withdrawn or f.status is not Status.WITHDRAWN),
                      key=lambda f: f.id)

    # Flags out

    def flags(self, as_of: date, la_codes: Iterable[str] | None = None,
              withdrawn: bool = False) -> list[Flag]:
        """Every flag as it stood at the end of `as_of`, in order of authority and day.

        Withdrawn flags (later records showed they never applied) only when `withdrawn`.
        """
        chosen = self.books if la_codes is None else {
            la: self.books[la] for la in la_codes if la in self.books}
        found = [f for book in chosen.values() for f in self._standing(book, as_of, withdrawn)]
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
            book.put(kind, FACT_MODELS[kind].model_validate(doc))
        for doc in flags:
            book.add_flag(Flag.model_validate(doc))
        book.dirty_facts.clear()
        self.books[la_code] = book
