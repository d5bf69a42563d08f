"""One authority's book: the facts its events established, its flags, and the words for them.

Facts are kept per record (`facts`), so a read model can persist just the records a batch
changed; indexes between them (an officer's challenges, a case's challenges) are rebuilt on
load, never stored. Flags are held here as the lifecycle (`lifecycle`) leaves them; rules read
only facts. What several rules need to know (which acts on a report are disputes) is worked out
here once, so no rule reads another.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from pydantic import BaseModel

from iro_ledger.projections.rules.facts import (
    ALL_IROS,
    AuthorityFacts,
    CaseFacts,
    ChallengeFacts,
    DefeatFacts,
    InstructionFacts,
    OfficerFacts,
    RecordFacts,
    ReportAct,
    ReportFacts,
)
from iro_ledger.projections.rules.flag import Flag


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
        self.defeats: dict[str, DefeatFacts] = {}
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
            "instruction": self.instructions, "report": self.reports, "defeat": self.defeats}
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

    def facts_of(self, kind: str, ref: str) -> BaseModel | None:
        if kind == "authority":
            return self.authority
        found: BaseModel | None = self.table(kind).get(ref)
        return found

    def recorded_on(self, kind: str, ref: str) -> date | None:
        """The day the record was first stored, if the book knows it."""
        facts = self.facts_of(kind, ref)
        return facts.recorded_on if isinstance(facts, RecordFacts) else None

    def officer_challenges(self, officer_id: str) -> list[ChallengeFacts]:
        return [self.challenges[c] for c in self.challenges_by_officer.get(officer_id, [])]

    def case_challenges(self, case_id: str) -> list[ChallengeFacts]:
        return [self.challenges[c] for c in self.challenges_by_case.get(case_id, [])]

    def instructions_for(self, officer_id: str) -> list[InstructionFacts]:
        ids = self.instructions_to.get(officer_id, []) + self.instructions_to.get(ALL_IROS, [])
        return [self.instructions[i] for i in ids]

    # Flags

    def add_flag(self, flag: Flag) -> None:
        self.flags[flag.id] = flag
        self._flags_by_rule[flag.rule].append(flag)

    def rule_flags(self, rule: str) -> list[Flag]:
        return list(self._flags_by_rule.get(rule, []))

    # Facts several rules weigh

    def is_report_dispute(self, report: ReportFacts, act: ReportAct, kind: str,
                          exempt_roles: list[str]) -> bool:
        """Whether `act` on `report` is interference: an edit request by someone outside the IRO
        service (not the author, not registered in an `exempt_roles` role), a withholding, or a
        submission differing from the author's draft of its day."""
        if kind == "edit_requested":
            requester = self.officers.get(act.actor)
            return act.actor != report.author and not (
                requester is not None and requester.role in exempt_roles)
        if kind == "submitted":
            return act.sha256 != report.author_sha256_at(act.ref)
        return kind == "withheld"

    def report_acts(self, report: ReportFacts,
                    exempt_roles: list[str]) -> list[tuple[str, ReportAct]]:
        """The report's interfering edit requests, its withholdings and all its submissions,
        as (kind, act) in valid-time order (on one day, in the report's own order)."""
        return sorted([*(("edit_requested", a) for a in report.edit_requests
                         if self.is_report_dispute(report, a, "edit_requested", exempt_roles)),
                       *(("withheld", a) for a in report.withholdings),
                       *(("submitted", a) for a in report.submissions)],
                      key=lambda t: (t[1].ref.occurred_on, t[1].ref.event_number))

    def report_disputes(self, report: ReportFacts,
                        exempt_roles: list[str]) -> list[tuple[str, ReportAct]]:
        """Each act that is a dispute over the report, with its pattern (`edit_requested`,
        `withheld`, `altered_submission`), in valid-time order."""
        return [("altered_submission" if kind == "submitted" else kind, act)
                for kind, act in self.report_acts(report, exempt_roles)
                if kind != "submitted"
                or self.is_report_dispute(report, act, kind, exempt_roles)]

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
