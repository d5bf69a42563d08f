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


class RecordFacts(BaseModel):
    """What every record's facts hold: its client id, stored id and the day it was recorded."""

    id: str
    originator_id: str
    recorded_on: date | None = None
    """The day (in England) the record's first event was stored: a flag resting on records
    made before a late record's day was there to be seen before it."""


class Disciplinary(BaseModel):
    stage: str
    actor: str
    stated_reason: str
    ref: EventRef
    about: list[str] = []
    """Links (`kind:id`) to what the action was about, by the recorder's account."""


class FteChange(BaseModel):
    fte: float
    on: date
    ref: EventRef | None = None


class OfficerFacts(RecordFacts):
    role: str
    employment: str
    registered: EventRef
    ended: EventRef | None = None
    ended_how: str | None = None
    ended_about: list[str] = []
    disciplinary: list[Disciplinary] = []
    fte: list[FteChange] = []
    """The officer's working time as recorded, in valid-time order; none: full time."""

    def fte_on(self, day: date) -> float:
        """The share of a full-time post worked at the end of `day` (1.0 when not stated)."""
        current = 1.0
        for change in sorted(self.fte, key=lambda c: c.on):
            if change.on > day:
                break
            current = change.fte
        return current

    def engaged_on(self, day: date) -> bool:
        return self.registered.occurred_on <= day and (
            self.ended is None or day <= self.ended.occurred_on)


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
    emergency: bool = False
    child_consulted: bool | None = None
    distance_miles: int | None = None


class Decision(BaseModel):
    """A decision on the case and who was consulted before it (None: not stated)."""

    id: str
    kind: str
    summary: str
    decided_by: str
    ref: EventRef
    child_consulted: bool | None = None
    iro_consulted: bool | None = None
    parents_consulted: bool | None = None
    distance_miles: int | None = None


class Recommendation(BaseModel):
    id: str
    made: EventRef
    due_on: date
    repeats: str | None = None
    outcome: str | None = None
    outcome_ref: EventRef | None = None


class RequiredReview(BaseModel):
    """A review the IRO required to be held by `hold_by` (reg 33(3)(a))."""

    officer_id: str
    hold_by: date
    ref: EventRef


class ShortBreaks(BaseModel):
    short_breaks: bool
    on: date


class CaseFacts(RecordFacts):
    child_ref: str
    entered_care_on: date
    opened: EventRef
    closed: EventRef | None = None
    closed_by: str | None = None
    assignments: list[Assignment] = []
    reviews: list[EventRef] = []
    review_chairs: dict[str, str] = {}
    """Each review's chair, by the review's event key."""
    plan_revisions: list[PlanRevision] = []
    decisions: list[Decision] = []
    recommendations: list[Recommendation] = []
    required_reviews: list[RequiredReview] = []
    short_breaks: list[ShortBreaks] = []
    """Whether the child is looked after in short breaks (reg 48), as recorded over time."""
    imported: bool = False
    """Whether the case was opened by an import (`source` import): its record then shows
    only what the imported source covers."""
    live_until: date | None = None
    """The latest day of anything recorded on the case other than by import: the record
    shows the case up to then whatever the imported source covers."""

    def short_breaks_on(self, day: date) -> bool:
        current = False
        for change in sorted(self.short_breaks, key=lambda c: c.on):
            if change.on > day:
                break
            current = change.short_breaks
        return current

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


class ChallengeFacts(RecordFacts):
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
    outcome: str | None = None
    """The resolution's outcome (upheld, partially_upheld, not_upheld), once resolved."""
    withdrawn_for: RecordedFor | None = None
    """Set when the withdrawal was not recorded by the raiser with their own principal."""
    left_protocol: EventRef | None = None
    """Referral to Cafcass, request for arbitration or an application to court: the dispute
    has left the authority, and its clock stops."""
    cafcass_outcome: EventRef | None = None
    legal_steps: list[EventRef] = []
    """Legal advice, a judicial review letter, a court application or order."""

    def open_on(self, day: date) -> bool:
        """Whether the challenge was still locally open at the end of `day`."""
        return self.raised.occurred_on <= day and (
            self.ended is None or self.ended.occurred_on > day)


class InstructionFacts(RecordFacts):
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


class ReportFacts(RecordFacts):
    year: int
    author: str
    drafted: EventRef
    author_drafts: list[ReportAct] = []
    """The `Drafted` event and the author's own `Revised` ones."""
    edit_requests: list[ReportAct] = []
    outside_revisions: list[ReportAct] = []
    """`Revised` events by anyone but the author: someone editing the report themselves."""
    withholdings: list[ReportAct] = []
    submissions: list[ReportAct] = []

    def author_sha256_at(self, ref: EventRef) -> str:
        """The hash of the author's latest draft at `ref` in valid time (same day: record order)."""
        before = [a for a in self.author_drafts
                  if (a.ref.occurred_on, a.ref.event_number) <= (ref.occurred_on, ref.event_number)]
        latest = max(before or self.author_drafts[:1],
                     key=lambda a: (a.ref.occurred_on, a.ref.event_number))
        return latest.sha256 or ""


class ConcernFacts(RecordFacts):
    """A concern an IRO raised outside the protocol: a dispute, as a challenge is."""

    officer_id: str
    case_id: str | None
    raised_in: str
    raised: EventRef


class AuthorityFacts(RecordFacts):
    name: str
    registered: EventRef
    source_ends: dict[str, date] = {}
    """The last day each imported source (dataset) covers, the latest recorded: records made
    by import show nothing after it."""


class DefeatFacts(BaseModel):
    """A record that, as of the day it was recorded, cleared or withdrew a flag that stood open
    the moment before, on records made before that day (`engine`): what the
    late_record_changed_a_flag rule judges."""

    id: str
    late: EventRef
    recorded_on: date
    effect: str
    """`cleared` or `withdrawn`."""
    flag_id: str
    flag_rule: str
    flag_raised_on: date
    flag_subjects: dict[str, str]
    flag_evidence: list[EventRef]


FACT_MODELS: dict[str, type[BaseModel]] = {
    "authority": AuthorityFacts, "officer": OfficerFacts, "case": CaseFacts,
    "challenge": ChallengeFacts, "instruction": InstructionFacts, "report": ReportFacts,
    "concern": ConcernFacts,
    "defeat": DefeatFacts,
}
