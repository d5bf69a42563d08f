"""One authority's book: the facts its events established, its flags, and the words for them.

Facts are kept per record (`facts`), so a read model can persist just the records a batch
changed; indexes between them (an officer's challenges, a case's challenges) are rebuilt on
load, never stored. Flags are held here as the lifecycle (`lifecycle`) leaves them; rules read
only facts. What several rules need to know (which acts on a report are disputes) is worked out
here once, so no rule reads another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from iro_ledger.projections.base import EventRef
from iro_ledger.projections.rules.facts import (
    ALL_IROS,
    AuthorityFacts,
    CaseFacts,
    ChallengeFacts,
    ConcernFacts,
    DefeatFacts,
    InstructionFacts,
    OfficerFacts,
    RecordFacts,
    ReportAct,
    ReportFacts,
)
from iro_ledger.projections.rules.flag import Flag


@dataclass(frozen=True)
class Dispute:
    """Something an officer raised (a challenge, a concern), or a record an act was linked to
    (those, an annual report, a case), as the retaliation rules weigh it."""

    kind: str
    id: str
    case_id: str | None
    raised: EventRef
    """Its first event: the raising, the draft, the opening of the case."""

    def words(self, book: Book) -> str:
        what = {"challenge": "challenge", "concern": "concern raised outside the protocol",
                "report": "annual report", "case": "case",
                "instruction": "instruction to edit the annual report"}[self.kind]
        about = (f" about {book.child(self.case_id)}"
                 if self.case_id and self.kind != "case" else "")
        return f"{what} {self.id}{about} ({said(self.raised.occurred_on)})"

    def subject(self) -> tuple[str, str]:
        return f"{self.kind}_id", self.id


EDIT_REPORT = "edit_report"
"""The instruction kind that demands the annual report be edited."""

_LINKED = {"challenge": "raised", "concern": "raised", "report": "drafted", "case": "opened"}
"""What a link's kind names, and the field of its facts that dates it."""


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
        self.concerns: dict[str, ConcernFacts] = {}
        self.defeats: dict[str, DefeatFacts] = {}
        self.flags: dict[str, Flag] = {}
        self._flags_by_rule: dict[str, list[Flag]] = defaultdict(list)
        self._flags_by_subject: dict[tuple[str, str, str], dict[str, Flag]] = defaultdict(dict)
        """(rule, name, value) -> the rule's flags with that subject (or detail) at some time:
        a verdict's scope is found by lookup, not by a pass over every flag of the rule."""
        self.challenges_by_officer: dict[str, list[str]] = defaultdict(list)
        self.challenges_by_case: dict[str, list[str]] = defaultdict(list)
        self.concerns_by_officer: dict[str, list[str]] = defaultdict(list)
        self.instructions_to: dict[str, list[str]] = defaultdict(list)
        self.dirty_facts: set[tuple[str, str]] = set()
        self.dirty_flags: set[str] = set()

    # Facts

    def table(self, kind: str) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {
            "officer": self.officers, "case": self.cases, "challenge": self.challenges,
            "instruction": self.instructions, "report": self.reports,
            "concern": self.concerns, "defeat": self.defeats}
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
        if isinstance(facts, ConcernFacts):
            self._index(self.concerns_by_officer[facts.officer_id], ref)
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

    def source_ends_on(self, case: CaseFacts) -> date | None:
        """The last day the record of `case` can show, when it is shorter than the present:
        a case opened by an import shows only what the imported sources cover (the latest
        end recorded), unless something recorded on it otherwise (live) reaches beyond."""
        ends = self.authority.source_ends.values() if self.authority else ()
        if not case.imported or not ends:
            return None
        last = max(ends)
        if case.live_until is not None and case.live_until > last:
            return None
        return last

    def officer_challenges(self, officer_id: str) -> list[ChallengeFacts]:
        found = self.challenges_by_officer.get(officer_id, [])
        return _by_raising(self.challenges[c] for c in found)

    def case_challenges(self, case_id: str) -> list[ChallengeFacts]:
        return _by_raising(self.challenges[c] for c in self.challenges_by_case.get(case_id, []))

    def officer_concerns(self, officer_id: str) -> list[ConcernFacts]:
        return _by_raising(self.concerns[c] for c in self.concerns_by_officer.get(officer_id, []))

    def disputes_of(self, officer_id: str) -> list[Dispute]:
        """The officer's challenges and concerns raised outside the protocol, in valid time:
        for the retaliation rules, a concern is a dispute as a challenge is (NAIRO: IROs
        threatened for raising "legitimate concerns regarding children's cases")."""
        found = [Dispute(kind="challenge", id=c.id, case_id=c.case_id, raised=c.raised)
                 for c in self.officer_challenges(officer_id)]
        found += [Dispute(kind="concern", id=c.id, case_id=c.case_id, raised=c.raised)
                  for c in self.officer_concerns(officer_id)]
        return sorted(found, key=lambda d: (d.raised.occurred_on, d.kind, d.id))

    def pressed_on(self, dispute: Dispute, until: date) -> date:
        """The last day, up to `until`, the dispute was pressed: its raising, or for a
        challenge a later escalation, referral to Cafcass or arbitration, or legal step. A
        retaliation window runs from it: an old challenge taken to the director or to court
        is a live dispute again (the management's answers do not count)."""
        pressed = [dispute.raised]
        if dispute.kind == "challenge" and dispute.id in self.challenges:
            c = self.challenges[dispute.id]
            pressed += [*(s.start for s in c.stages[1:]), *c.legal_steps,
                        *(r for r in (c.left_protocol,) if r)]
        return max(r.occurred_on for r in pressed if r.occurred_on <= until)

    def linked(self, about: list[str]) -> list[Dispute]:
        """The records an act was recorded as being about (`kind:id` links), as disputes
        dated by their first event; links to records the book lacks are left out."""
        found = []
        for link in about:
            kind, _, ref = link.partition(":")
            facts = self.facts_of(kind, ref) if kind in _LINKED else None
            if facts is None:
                continue
            first: EventRef = getattr(facts, _LINKED[kind])
            case_id = (ref if kind == "case" else getattr(facts, "case_id", None))
            found.append(Dispute(kind=kind, id=ref, case_id=case_id, raised=first))
        return found

    def dispute_events(self, dispute: Dispute, until: date,
                       exempt_roles: list[str]) -> list[EventRef]:
        """The acts of a dispute up to `until`, for an episode: a challenge's raising, stages,
        answers, end and steps beyond the authority; a concern's raising; an annual report's
        interfering requests, withholdings and submissions (the author's refusal is one)."""
        refs: list[EventRef] = []
        if dispute.kind == "challenge" and dispute.id in self.challenges:
            c = self.challenges[dispute.id]
            refs = [c.raised, *(s.start for s in c.stages[1:]), *c.answers,
                    *(r for r in (c.ended, c.left_protocol, c.cafcass_outcome) if r),
                    *c.legal_steps]
        elif dispute.kind == "report" and dispute.id in self.reports:
            refs = [act.ref for _, act in self.report_acts(self.reports[dispute.id],
                                                            exempt_roles)]
            refs = [r for r in refs if r.occurred_on >= dispute.raised.occurred_on]
        else:
            refs = [dispute.raised]
        return [r for r in refs if r.occurred_on <= until]

    def edit_instructions(self, officer_id: str, day: date, window: timedelta,
                          exempt_roles: list[str]) -> list[InstructionFacts]:
        """Instructions to edit the annual report (`edit_report`) issued to the officer by name
        by someone outside the IRO service (not registered in an `exempt_roles` role), within
        `window` before `day`, in date order: the director's demand recorded as an instruction
        rather than as an edit request on the report."""
        found = []
        for instruction_id in self.instructions_to.get(officer_id, []):
            i = self.instructions[instruction_id]
            giver = self.officers.get(i.actor)
            if (i.kind == EDIT_REPORT and i.recorded.occurred_on <= day
                    <= i.recorded.occurred_on + window
                    and not (giver is not None and giver.role in exempt_roles)):
                found.append(i)
        return sorted(found, key=lambda i: (i.recorded.occurred_on, i.id))

    def report_parties(self, officer_id: str) -> list[str]:
        """Whom a late registration of `officer_id` bears on, as a party to a report dispute:
        the authors of reports they asked to edit or edited, and those they instructed to edit
        the report (the registration may show them to be the IRO service's own)."""
        found = [r.author for r in self.reports.values()
                 if any(a.actor == officer_id for a in (*r.edit_requests, *r.outside_revisions))]
        found += [to for i in self.instructions.values()
                  if i.kind == EDIT_REPORT and i.actor == officer_id for to in i.issued_to]
        return list(dict.fromkeys(found))

    def instructions_for(self, officer_id: str) -> list[InstructionFacts]:
        ids = self.instructions_to.get(officer_id, []) + self.instructions_to.get(ALL_IROS, [])
        return sorted((self.instructions[i] for i in dict.fromkeys(ids)),
                      key=lambda i: (i.recorded.occurred_on, i.id))

    # Flags

    def add_flag(self, flag: Flag) -> None:
        self.flags[flag.id] = flag
        self._flags_by_rule[flag.rule].append(flag)
        self.index_flag(flag)

    def index_flag(self, flag: Flag) -> None:
        """Index the flag under its subjects and text details as they now are. Call it again
        after they change: entries for values it no longer has stay (the index only ever
        holds too many flags, and `in_scope` checks each)."""
        for name, value in (*flag.details.items(), *flag.subjects.items()):
            if isinstance(value, str):
                self._flags_by_subject[(flag.rule, name, value)][flag.id] = flag

    def rule_flags(self, rule: str) -> list[Flag]:
        return list(self._flags_by_rule.get(rule, []))

    def in_scope(self, rule: str, scope: dict[str, str]) -> list[Flag]:
        """The rule's flags that match `scope` (`Flag.matches`), looked up by its first name."""
        if not scope:
            return self.rule_flags(rule)
        name, value = next(iter(scope.items()))
        found = self._flags_by_subject.get((rule, name, value), {})
        return [f for f in found.values() if f.matches(scope)]

    # Facts several rules weigh

    def is_report_dispute(self, report: ReportFacts, act: ReportAct, kind: str,
                          exempt_roles: list[str]) -> bool:
        """Whether `act` on `report` is interference: an edit request, or an edit made
        (`edited`, a revision), by someone outside the IRO service (not the author, not
        registered in an `exempt_roles` role), a withholding, or a submission differing from
        the author's draft of its day."""
        if kind in ("edit_requested", "edited"):
            requester = self.officers.get(act.actor)
            return act.actor != report.author and not (
                requester is not None and requester.role in exempt_roles)
        if kind == "submitted":
            return act.sha256 != report.author_sha256_at(act.ref)
        return kind == "withheld"

    def report_acts(self, report: ReportFacts,
                    exempt_roles: list[str]) -> list[tuple[str, ReportAct]]:
        """The report's interfering edit requests and edits, its withholdings and all its
        submissions, as (kind, act) in valid-time order (on one day, in the report's own
        order)."""
        return sorted([*(("edit_requested", a) for a in report.edit_requests
                         if self.is_report_dispute(report, a, "edit_requested", exempt_roles)),
                       *(("edited", a) for a in report.outside_revisions
                         if self.is_report_dispute(report, a, "edited", exempt_roles)),
                       *(("withheld", a) for a in report.withholdings),
                       *(("submitted", a) for a in report.submissions)],
                      key=lambda t: (t[1].ref.occurred_on, t[1].ref.event_number))

    def report_disputes(self, report: ReportFacts,
                        exempt_roles: list[str]) -> list[tuple[str, ReportAct]]:
        """Each act that is a dispute over the report, with its pattern (`edit_requested`,
        `edited`, `withheld`, `altered_submission`), in valid-time order."""
        return [("altered_submission" if kind == "submitted" else kind, act)
                for kind, act in self.report_acts(report, exempt_roles)
                if kind != "submitted"
                or self.is_report_dispute(report, act, kind, exempt_roles)]

    def report_refusals(self, report: ReportFacts,
                        exempt_roles: list[str]) -> list[tuple[str, ReportAct]]:
        """The author's own faithful submissions after the report was first in dispute
        (`refused`): the author standing by what she wrote, the latest act of her side of the
        dispute, from which a retaliation window runs as from an escalation."""
        disputes = self.report_disputes(report, exempt_roles)
        if not disputes:
            return []
        first = disputes[0][1].ref
        return [("refused", act) for kind, act in self.report_acts(report, exempt_roles)
                if kind == "submitted" and act.actor == report.author
                and (act.ref.occurred_on, act.ref.event_number)
                > (first.occurred_on, first.event_number)
                and not self.is_report_dispute(report, act, kind, exempt_roles)]

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


_Raised = TypeVar("_Raised", ChallengeFacts, ConcernFacts)


def _by_raising(found: Iterable[_Raised]) -> list[_Raised]:
    """Records in the order they were raised, then by id: never in the order they were stored
    or loaded, so a rule words a flag the same in a followed run and a rebuild."""
    return sorted(found, key=lambda r: (r.raised.occurred_on, r.id))


def episode(refs: list[EventRef]) -> list[dict[str, str]]:
    """Every act of one episode (dispute, edit, refusal, ending...) in valid-time order, as a
    flag's details name them, so a reader sees the whole course in one place."""
    unique = {r.key: r for r in refs}
    ordered = sorted(unique.values(), key=lambda r: (r.occurred_on, r.position))
    return [{"what": r.event_type, "on": r.occurred_on.isoformat(), "event": r.key}
            for r in ordered]


def said(day: date) -> str:
    """A date as it is read aloud: 2 April 2024."""
    return f"{day.day} {day:%B %Y}"
