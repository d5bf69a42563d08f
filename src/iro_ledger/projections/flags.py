"""The flags read model: the rules engine's state and its flags, kept in the ledger's database.

`apply` feeds each batch to the pure `RulesEngine` and writes, in the batch's transaction, the
facts of every record the batch changed (`flag_facts_v18`), every flag it raised, re-judged,
cleared or withdrew (`flags_v18`) and the position they reflect (`flags_meta_v18`). Deadline
rules (stalled challenges, overdue reviews, caseloads) depend on the day asked about: the
flags of a day, stored and deadline, are kept per authority in `flags_on`'s tables, judged
whole the first time a day is read and then followed batch by batch (`flags_on.follow`);
every read is served from them. `read_flags` judges them from the stored books, loaded for
the asking: the reference the stored days are tested against. Changing the rules'
configuration changes what `apply` concludes: rebuild the model (`iro-ledger projections
rebuild flags`) after changing it.

Version 2: history entries say `raised` or `cleared` (version 1 said `open`). Version 3:
iro_churn is judged as of the day asked about, so its flags are no longer stored. Version 4:
flags no longer depend on the order records were made in: a flag a late record shows never
applied is `withdrawn` (status and history action), read only when asked for (`status
withdrawn`, or by its id); cases remember who closed them, reports their requests,
withholdings, submissions and the author's drafts, and stages no longer their first answer.
Version 5: rules read only facts, so cases keep their care plan revisions and instructions who
rescinded them (before, flags carried them); one lifecycle settles every rule's flags.
Version 6: a challenge remembers who recorded its withdrawal, and for whom, when it was not
the raiser with their own principal (suppressed_challenge's `withdrawn_on_behalf`).
Version 7: records remember the day they were made, and the book its late records' defeats,
for late_record_changed_a_flag; a deadline flag a late record made vanish is kept, withdrawn.
Version 8: the rules keep concerns raised outside the protocol, links, decisions with their
consultation facts, recommendations, required reviews, review chairs, FTE and short breaks.
Version 9: authorities keep the end of each imported source's period (`SourcePeriodRecorded`)
and cases whether an import opened them and the latest day recorded on them otherwise, so
review_overdue never judges a review an imported return cannot show (due after its end).
Version 10: retaliation windows run from the last time a dispute was pressed (escalation,
Cafcass, arbitration, court); a case taken soon after a concern about it is a reallocation
after dispute; a challenge withdrawn soon after its raiser was threatened is suppressed
(`withdrawn_after_threat`).
Version 11: a challenge withdrawn while an instruction to withdraw or not to escalate is in
force is suppressed however long after the instruction.
Version 12: a recommendation made three times is counted as one family through its `repeats`
links, whether each making names the last or the first.
Version 13: disciplinary action known only by its outcome (concluded, nothing earlier
recorded against the officer) counts as action after a dispute.
Version 14: instruction_in_force, a new rule: an instruction to withdraw or not to escalate a
challenge that stands, and a recipient's challenge resolved against them and taken no further
while it stood; challenges remember their resolution's outcome.
Version 15: the retaliation windows are 366 days (twelve calendar months across a 29
February); an annual report edited by someone outside the IRO service is flagged (`edited`)
and counts as a dispute over it, as does an instruction to edit the report issued to its
officer by name, for engagement_ended_after_dispute; reports keep those revisions.
Version 16: disciplinary action after a dispute over an annual report the officer wrote
counts, as an ending after one does.
Version 17: so does disciplinary action after an instruction to edit the annual report issued
to the officer by name from outside the IRO service.
Version 18: the author's own submission of her draft after the report was first in dispute
(her refusal) is an act of the dispute: the retaliation windows run from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from iro_ledger.projections import flags_on
from iro_ledger.projections.base import Envelope, Measure, Period, ReadModel
from iro_ledger.projections.db import Database, Tx
from iro_ledger.projections.rules.config import RulesConfig, load_config
from iro_ledger.projections.rules.engine import RulesEngine
from iro_ledger.projections.rules.facts import FACT_MODELS
from iro_ledger.projections.rules.flag import Flag, Status

BOOKS_KEPT = 8
"""Authorities' books the model keeps in memory between batches (the least recently used go
first; a batch's own are always kept while it is applied)."""
_DDL = (
    "CREATE TABLE IF NOT EXISTS flags_v18 (id TEXT PRIMARY KEY, la_code TEXT NOT NULL,"
    " rule TEXT NOT NULL, raised_on TEXT NOT NULL, doc TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS flags_v18_la ON flags_v18 (la_code, raised_on)",
    "CREATE TABLE IF NOT EXISTS flag_facts_v18 (la_code TEXT NOT NULL, kind TEXT NOT NULL,"
    " id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (la_code, kind, id))",
    "CREATE TABLE IF NOT EXISTS flags_meta_v18 (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
)


class Flags(ReadModel):
    name = "flags"
    version = 18
    tables = ("flags_v18", "flag_facts_v18", "flags_meta_v18", *flags_on.TABLES)

    def __init__(self, config: RulesConfig | None = None) -> None:
        self.config = config or load_config()
        self._engine: RulesEngine | None = None
        self._position = -1
        """The store position the in-memory engine reflects; -1 before it is loaded."""

    apart = frozenset(FACT_MODELS)
    """Each authority's book is its own: a rebuild replays one authority at a time."""

    def authority_done(self) -> None:
        self._engine = None

    def create(self, tx: Tx) -> None:
        for statement in (*_DDL, *flags_on.ddl(tx.dialect)):
            tx.execute(statement)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        stored = _stored_position(tx)
        if self._engine is None or stored != self._position:
            # Another process (or a rolled-back batch) moved on from what we hold: forget it
            # all; the books are read again as batches need them.
            self._engine = RulesEngine(self.config)
            self._position = stored
        engine = self._engine
        touched = list(dict.fromkeys(e.la_code for e in batch if e.kind in FACT_MODELS))
        missing = [la for la in touched if la not in engine.books]
        if missing:
            engine.books.update(load_engine(tx, self.config, missing).books)
        for la in touched:  # most recently used last (a new authority's book comes last)
            if la in engine.books:
                engine.books[la] = engine.books.pop(la)
        for env in batch:
            engine.apply(env)
        if not batch:
            return
        changes = self._engine.changes()
        tx.executemany(
            "INSERT INTO flag_facts_v18 (la_code, kind, id, doc) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (la_code, kind, id) DO UPDATE SET doc = excluded.doc",
            [(la, kind, ref, json.dumps(doc)) for la, kind, ref, doc in changes.facts])
        tx.executemany(
            "INSERT INTO flags_v18 (id, la_code, rule, raised_on, doc) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET raised_on = excluded.raised_on,"
            " doc = excluded.doc",
            [(f.id, f.la_code, f.rule, f.raised_on.isoformat(), f.model_dump_json())
             for f in changes.flags])
        self._position = batch[-1].position
        flags_on.follow(tx, self._engine, self.config, changes, self._position)
        flags_on.changed(tx, [la for la, *_ in changes.facts] + [f.la_code for f in changes.flags],
                         self._position)
        tx.execute("INSERT INTO flags_meta_v18 (name, position) VALUES ('engine', ?)"
                   " ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                   (self._position,))
        # Memory bounded by the books in use, not by every authority's: the least recently
        # used go (their facts and flags are stored) once more than BOOKS_KEPT are held.
        for la in list(engine.books)[:max(len(engine.books) - max(BOOKS_KEPT, len(touched)), 0)]:
            del engine.books[la]

    def judge_day(self, db: Database, day: date,
                  busy: Callable[[], bool] = lambda: False) -> None:
        """Store the flags of `day` for every authority not yet stored as its book stands
        (`flags_on.prepare`, until `busy`): what the worker does for today, so readers find
        it stored."""
        flags_on.prepare(db, self.config, None, day, busy)

    def ready(self, db: Database, la_code: str, period: Period) -> None:
        flags_on.prepare(db, self.config, [la_code], period.end)

    def measures(self, tx: Tx, la_code: str, period: Period) -> list[Measure]:
        """Flags raised within the period, as they stood at its end: by rule, and apart
        from them those a late record withdrew (with the late records as evidence). Read
        from the flags stored as of the period's end (`ready` stored them)."""
        every = [Flag.model_validate_json(r["doc"]) for r in tx.query(
            "SELECT doc FROM flags_day_v18 WHERE judged_for = ? AND la_code = ?"
            " AND raised_on >= ? AND raised_on <= ? ORDER BY raised_on, rule, id",
            (flags_on.judged_for(period.end, self.config), la_code,
             period.start.isoformat(), period.end.isoformat()))]
        flags = [f for f in every if f.status is not Status.WITHDRAWN]
        counts: dict[str, int] = {}
        for flag in flags:
            counts[flag.rule] = counts.get(flag.rule, 0) + 1
        evidence = [r.as_doc(la_code) for f in flags for r in f.evidence[:1]]
        withdrawn = [f for f in every if f.status is Status.WITHDRAWN]
        late = [r.as_doc(la_code) for r in
                (f.standing().event for f in withdrawn) if r is not None]
        return [Measure("flags_by_rule", dict(sorted(counts.items())), "flags", evidence,
                        "flags raised in the period, by rule"),
                Measure("flags_withdrawn_by_late_records", len(withdrawn), "flags", late,
                        "flags raised in the period that a record made later, dated earlier, "
                        "showed never applied: withdrawn, kept, and not counted by rule")]


def _stored_position(tx: Tx) -> int:
    row = tx.one("SELECT position FROM flags_meta_v18 WHERE name = 'engine'")
    return int(row["position"]) if row else 0


def load_engine(tx: Tx, config: RulesConfig, la_codes: Iterable[str] | None = None
                ) -> RulesEngine:
    """An engine holding the stored books of `la_codes` (every authority when None)."""
    chosen = None if la_codes is None else sorted(set(la_codes))
    where, params = "", list[Any]()
    if chosen is not None:
        if not chosen:
            return RulesEngine(config)
        where = f" WHERE la_code IN ({', '.join('?' for _ in chosen)})"
        params = list(chosen)
    facts: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for row in tx.query(f"SELECT la_code, kind, doc FROM flag_facts_v18{where}", params):
        facts.setdefault(row["la_code"], []).append((row["kind"], json.loads(row["doc"])))
    flags: dict[str, list[dict[str, Any]]] = {}
    for row in tx.query(f"SELECT la_code, doc FROM flags_v18{where}", params):
        flags.setdefault(row["la_code"], []).append(json.loads(row["doc"]))
    engine = RulesEngine(config)
    for la_code in sorted(set(facts) | set(flags)):
        engine.load(la_code, facts.get(la_code, []), flags.get(la_code, []))
    return engine


@dataclass(frozen=True)
class FlagQuery:
    """Which flags to read; None means any. Withdrawn flags only by status or id."""

    la_codes: Sequence[str] | None = None
    rule: str | None = None
    severity: str | None = None
    status: str | None = None
    officer_id: str | None = None
    case_id: str | None = None
    flag_id: str | None = None

    def matches(self, flag: Flag) -> bool:
        return ((self.rule is None or flag.rule == self.rule)
                and (self.severity is None or flag.severity == self.severity)
                and (self.status is None or flag.status == self.status)
                and (self.officer_id is None or flag.subjects.get("officer_id") == self.officer_id)
                and (self.case_id is None or flag.subjects.get("case_id") == self.case_id)
                and (self.flag_id is None or flag.id == self.flag_id))


def read_flags(tx: Tx, config: RulesConfig, query: FlagQuery, as_of: date) -> list[Flag]:
    """Every flag matching `query` as it stood at the end of `as_of`, oldest first."""
    engine = load_engine(tx, config, query.la_codes)
    withdrawn = query.status == "withdrawn" or query.flag_id is not None
    return [f for f in engine.flags(as_of, query.la_codes, withdrawn) if query.matches(f)]

