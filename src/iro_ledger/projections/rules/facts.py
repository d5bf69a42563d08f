"""What the rules remember about one authority: the facts the events established, and its flags.

Facts are kept per record (officer, case, challenge, instruction, report), each a small
JSON-able document (`fact_models`, re-exported here), so a read model can persist just the
records a batch changed. Indexes between them (an officer's challenges, a case's challenges)
are rebuilt on load, never stored.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from pydantic import BaseModel

from iro_ledger.projections.rules.fact_models import (
    ALL_IROS,
    FACT_MODELS,
    Assignment,
    AuthorityFacts,
    CaseFacts,
    ChallengeFacts,
    Disciplinary,
    InstructionFacts,
    OfficerFacts,
    ReportAct,
    ReportFacts,
    Stage,
)
from iro_ledger.projections.rules.flag import (
    Action,
    Flag,
    HistoryEntry,
    Ref,
    Severity,
    Status,
    flag_id,
)

__all__ = [
    "ALL_IROS", "FACT_MODELS", "Assignment", "AuthorityFacts", "Book", "CaseFacts",
    "ChallengeFacts", "Disciplinary", "InstructionFacts", "OfficerFacts", "ReportAct",
    "ReportFacts", "Stage", "said",
]


class Book:
    """One authority's facts and flags, with the indexes the rules look things up by."""

    def __init__(self, la_code: str) -> None:
        self.la_code = la_code
        self.authority: AuthorityFacts | None = None
        self.officers: dict[str, OfficerFacts] = {}
        self.cases: dict[str, CaseFacts] = {}
        self.challenges: dict[str, ChallengeFacts] = {}
        self.instructions: dict[str, InstructionFacts] = {}
        self.reports: dict[str, ReportFacts] = {}
        self.flags: dict[str, Flag] = {}
        self._flags_by_rule: dict[str, list[Flag]] = defaultdict(list)
        self.challenges_by_officer: dict[str, list[str]] = defaultdict(list)
        self.challenges_by_case: dict[str, list[str]] = defaultdict(list)
        self.instructions_to: dict[str, list[str]] = defaultdict(list)
        self.dirty_facts: set[tuple[str, str]] = set()
        self.dirty_flags: set[str] = set()

    # Facts

    def table(self, kind: str) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {
            "officer": self.officers, "case": self.cases, "challenge": self.challenges,
            "instruction": self.instructions, "report": self.reports}
        return tables[kind]

    def put(self, kind: str, facts: BaseModel) -> None:
        """Add or replace one record's facts and index them."""
        ref = str(getattr(facts, "id"))  # noqa: B009  (every fact model has an id)
        if isinstance(facts, AuthorityFacts):
            self.authority = facts
        else:
            self.table(kind)[ref] = facts
        if isinstance(facts, ChallengeFacts):
            self._index(self.challenges_by_officer[facts.officer_id], ref)
            self._index(self.challenges_by_case[facts.case_id], ref)
        if isinstance(facts, InstructionFacts):
            for to in facts.issued_to:
                self._index(self.instructions_to[to], ref)
        self.touch(kind, ref)

    @staticmethod
    def _index(ids: list[str], ref: str) -> None:
        if ref not in ids:
            ids.append(ref)

    def touch(self, kind: str, ref: str) -> None:
        self.dirty_facts.add((kind, ref))

    def fact_docs(self) -> list[tuple[str, str, BaseModel]]:
        """Every record's facts as (kind, id, model)."""
        docs: list[tuple[str, str, BaseModel]] = []
        if self.authority is not None:
            docs.append(("authority", self.authority.id, self.authority))
        for kind in ("officer", "case", "challenge", "instruction", "report"):
            docs.extend((kind, ref, facts) for ref, facts in self.table(kind).items())
        return docs

    def facts_of(self, kind: str, ref: str) -> BaseModel | None:
        if kind == "authority":
            return self.authority
        found: BaseModel | None = self.table(kind).get(ref)
        return found

    def officer_challenges(self, officer_id: str) -> list[ChallengeFacts]:
        return [self.challenges[c] for c in self.challenges_by_officer.get(officer_id, [])]

    def case_challenges(self, case_id: str) -> list[ChallengeFacts]:
        return [self.challenges[c] for c in self.challenges_by_case.get(case_id, [])]

    def instructions_for(self, officer_id: str) -> list[InstructionFacts]:
        ids = self.instructions_to.get(officer_id, []) + self.instructions_to.get(ALL_IROS, [])
        return [self.instructions[i] for i in ids]

    # Flags

    def raise_flag(self, rule: str, severity: Severity, subjects: dict[str, str],
                   anchor: Ref, on: date, by: Ref | None, note: str, evidence: list[Ref],
                   explanation: str, basis: str, details: dict[str, Any] | None = None,
                   key: dict[str, str] | None = None) -> Flag:
        """Raise (or raise again) the flag of `rule` anchored at `anchor`; ids are stable.

        `key` names the subjects the id is made from (default: all of them), for rules whose
        later subjects may be learnt after the flag is first raised.
        """
        fid = flag_id(rule, self.la_code, key if key is not None else subjects, anchor.key)
        flag = self.flags.get(fid)
        if flag is None:
            flag = Flag(id=fid, rule=rule, severity=severity, la_code=self.la_code,
                        subjects=subjects, raised_on=on, status=Status.OPEN, history=[],
                        evidence=[], explanation=explanation, basis=basis,
                        details=details or {})
            flag.record(Action.RAISED, on, by, note)
            self.add_flag(flag)
        else:
            # Re-judged on later knowledge: the facts may be fuller, the history stays.
            flag.subjects, flag.explanation = subjects, explanation
            flag.severity, flag.details = severity, details or {}
            seen = {h.event.key for h in flag.episode() if h.event is not None}
            if flag.status is Status.WITHDRAWN or (
                    flag.status is Status.CLEARED and by is not None and by.key not in seen):
                flag.record(Action.RAISED, on, by, note)
        flag.add_evidence(*evidence)
        self.dirty_flags.add(fid)
        return flag

    def add_flag(self, flag: Flag) -> None:
        self.flags[flag.id] = flag
        self._flags_by_rule[flag.rule].append(flag)

    def find_flag(self, rule: str, key: dict[str, str], anchor: Ref) -> Flag | None:
        """The flag `raise_flag` would make of `rule`, `key` and `anchor`, if it exists."""
        return self.flags.get(flag_id(rule, self.la_code, key, anchor.key))

    def clear_flag(self, flag: Flag, by: Ref, note: str) -> None:
        """Clear `flag` by `by`, unless it already stands cleared by then in valid time.

        A clearing may arrive out of order (a back-dated event): it is recorded if it clears
        the flag earlier than the clearing already known. One dated before the flag's raising
        answers nothing and is ignored.
        """
        if flag.status is Status.WITHDRAWN:
            return
        episode = flag.episode()
        raised_on = max(h.on for h in episode if h.action is Action.RAISED)
        if by.occurred_on < raised_on or any(
                h.event is not None and h.event.key == by.key for h in episode):
            return
        if flag.status is Status.OPEN or flag.standing().on > by.occurred_on:
            flag.record(Action.CLEARED, by.occurred_on, by, note)
            self.dirty_flags.add(flag.id)

    def settle(self, rule: str, key: dict[str, str], anchor: Ref, timeline: list[HistoryEntry],
               by: Ref, why: str, **flag: Any) -> Flag | None:
        """Make the flag of `rule`, `key` and `anchor` stand as `timeline` says.

        `timeline` is the flag's raisings and clearings, in valid-time order, judged from the
        facts as now known; empty when it should not stand at all. What the history already
        holds is kept: missing entries are added; if an entry it holds is no longer true, the
        flag is withdrawn with `why` (naming `by`, the late record) and raised again afresh.
        `flag` holds severity, subjects, evidence, explanation, basis and details.
        """
        found = self.find_flag(rule, key, anchor)
        evidence: list[Ref] = flag.pop("evidence", [])
        if not timeline:
            if found is not None:
                self.withdraw_flag(found, by, why)
            return None
        first = timeline[0]
        if found is None:
            found = Flag(id=flag_id(rule, self.la_code, key, anchor.key), rule=rule,
                         la_code=self.la_code, raised_on=first.on, status=Status.OPEN,
                         history=[], evidence=[], **flag)
            self.add_flag(found)
        else:
            for name, value in flag.items():
                setattr(found, name, value)
        held = {(h.action, h.on, h.event.key if h.event else "") for h in found.episode()
                if h.action is not Action.WITHDRAWN}
        wanted = [(h.action, h.on, h.event.key if h.event else "") for h in timeline]
        if not held <= set(wanted):
            self.withdraw_flag(found, by, why)
            held = set()
        for entry, shape in zip(timeline, wanted, strict=True):
            if shape not in held:
                found.record(entry.action, entry.on, entry.event, entry.note)
        found.raised_on = first.on
        found.add_evidence(*evidence)
        self.dirty_flags.add(found.id)
        return found

    def withdraw_flag(self, flag: Flag, by: Ref, note: str) -> None:
        """Withdraw `flag`: the late record `by` shows it never applied. It stays visible."""
        if flag.status is not Status.WITHDRAWN:
            flag.record(Action.WITHDRAWN, flag.raised_on, by, note)
            self.dirty_flags.add(flag.id)

    def open_flags(self, rule: str, **subjects: str) -> list[Flag]:
        return [f for f in self._flags_by_rule.get(rule, [])
                if f.status is Status.OPEN
                and all(f.subjects.get(k) == v for k, v in subjects.items())]

    def rule_flags(self, rule: str) -> list[Flag]:
        return list(self._flags_by_rule.get(rule, []))

    # Words for explanations

    def who(self, person: str) -> str:
        """An officer named with their role and employment, as a tribunal would need."""
        officer = self.officers.get(person)
        if officer is None:
            return person
        role = officer.role.replace("_", " ")
        role = "IRO" if role == "iro" else "IRO manager" if role == "iro manager" else role
        return f"{person} ({role}, {officer.employment})"

    def child(self, case_id: str) -> str:
        case = self.cases.get(case_id)
        if case is None:
            return f"case {case_id}"
        return f"the child {case.child_ref} (case {case_id})"

    def place(self) -> str:
        if self.authority is None:
            return self.la_code
        return f"{self.authority.name} ({self.la_code})"


def said(day: date) -> str:
    """A date as it is read aloud: 2 April 2024."""
    return f"{day.day} {day:%B %Y}"
