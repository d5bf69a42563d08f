"""The facts the rules keep per record: small JSON-able documents, one model per record kind.

Each is what the events of one record (officer, case, challenge, instruction, report,
authority) established that some rule needs, so a read model can persist just the records a
batch changed.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from iro_ledger.projections.base import EventRef

ALL_IROS = "all_iros"


class Disciplinary(BaseModel):
    stage: str
    actor: str
    stated_reason: str
    ref: EventRef


class OfficerFacts(BaseModel):
    id: str
    originator_id: str
    role: str
    employment: str
    registered: EventRef
    ended: EventRef | None = None
    ended_how: str | None = None
    disciplinary: list[Disciplinary] = []


class Assignment(BaseModel):
    officer_id: str
    previous: str | None
    reason: str
    actor: str
    ref: EventRef


class PlanRevision(BaseModel):
    """A change to the child's care plan, and whether it went through a review with the IRO."""

    change: str
    summary: str
    revised_by: str
    via_review: bool
    iro_consulted: bool
    ref: EventRef


class CaseFacts(BaseModel):
    id: str
    originator_id: str
    child_ref: str
    entered_care_on: date
    opened: EventRef
    closed: EventRef | None = None
    closed_by: str | None = None
    assignments: list[Assignment] = []
    reviews: list[EventRef] = []
    plan_revisions: list[PlanRevision] = []

    def iro_on(self, day: date) -> str | None:
        """The case's IRO at the end of `day` (valid time)."""
        current = None
        for a in sorted(self.assignments, key=lambda a: (a.ref.occurred_on, a.ref.position)):
            if a.ref.occurred_on > day:
                break
            current = a.officer_id
        return current


class Stage(BaseModel):
    stage: str
    start: EventRef


class RecordedFor(BaseModel):
    """Who recorded one person's own act when it was not that person with their own
    principal, and through which surface (`source`: api, cli, import)."""

    recorded_by: str
    actor: str
    on_behalf_of: str | None
    source: str


class ChallengeFacts(BaseModel):
    id: str
    originator_id: str
    case_id: str
    officer_id: str
    about: str
    raised: EventRef
    stages: list[Stage]
    answers: list[EventRef] = []
    """Responses and the resolution, in store order; a stage's answer is its first in valid
    time after the stage began."""
    ended: EventRef | None = None
    """The resolution or the raiser's withdrawal: the local protocol is over."""
    ended_as: str | None = None
    withdrawn_for: RecordedFor | None = None
    """Set when the withdrawal was not recorded by the raiser with their own principal."""
    left_protocol: EventRef | None = None
    """Referral to Cafcass or request for arbitration: the stage clock stops."""
    cafcass_outcome: EventRef | None = None

    def open_on(self, day: date) -> bool:
        """Whether the challenge was still locally open at the end of `day`."""
        return self.raised.occurred_on <= day and (
            self.ended is None or self.ended.occurred_on > day)


class InstructionFacts(BaseModel):
    id: str
    originator_id: str
    kind: str
    issued_to: list[str]
    actor: str
    text: str
    recorded: EventRef
    rescinded: EventRef | None = None
    rescinded_by: str | None = None

    def is_to(self, officer_id: str) -> bool:
        return officer_id in self.issued_to or ALL_IROS in self.issued_to


class ReportAct(BaseModel):
    """One event on an annual report that the rules weigh."""

    ref: EventRef
    actor: str
    sha256: str | None = None
    """The contents' hash, for drafts and submissions."""
    to: str | None = None
    """The recipient, for submissions."""
    said: str = ""
    """The sections asked to be edited, or the reason given for withholding."""


class ReportFacts(BaseModel):
    id: str
    originator_id: str
    year: int
    author: str
    drafted: EventRef
    author_drafts: list[ReportAct] = []
    """The `Drafted` event and the author's own `Revised` ones."""
    edit_requests: list[ReportAct] = []
    withholdings: list[ReportAct] = []
    submissions: list[ReportAct] = []

    def author_sha256_at(self, ref: EventRef) -> str:
        """The hash of the author's latest draft at `ref` in valid time (same day: record order)."""
        before = [a for a in self.author_drafts
                  if (a.ref.occurred_on, a.ref.event_number) <= (ref.occurred_on, ref.event_number)]
        latest = max(before or self.author_drafts[:1],
                     key=lambda a: (a.ref.occurred_on, a.ref.event_number))
        return latest.sha256 or ""


class AuthorityFacts(BaseModel):
    id: str
    originator_id: str
    name: str
    registered: EventRef


FACT_MODELS: dict[str, type[BaseModel]] = {
    "authority": AuthorityFacts, "officer": OfficerFacts, "case": CaseFacts,
    "challenge": ChallengeFacts, "instruction": InstructionFacts, "report": ReportFacts,
}
