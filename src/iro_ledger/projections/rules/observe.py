"""Turning each domain event into facts in its authority's book, before any rule looks.

Only the facts some rule needs are kept. Events the rules do not use (Cafcass outcomes'
text, corrections, reads) change nothing here. An event's record is
named by the machinery's `Decoder`, in the envelope.
"""

from __future__ import annotations

from typing import Any

from iro_ledger.domain.authority import Authority
from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.concern import Concern
from iro_ledger.domain.instruction import Instruction
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import LedgerRecord, england_date
from iro_ledger.domain.report import AnnualReport
from iro_ledger.domain.values import ChallengeStage
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import Book
from iro_ledger.projections.rules.facts import (
    Assignment,
    AuthorityFacts,
    CaseFacts,
    ChallengeFacts,
    ConcernFacts,
    Decision,
    Disciplinary,
    FteChange,
    InstructionFacts,
    OfficerFacts,
    PlanRevision,
    Recommendation,
    RecordedFor,
    RecordFacts,
    ReportAct,
    ReportFacts,
    RequiredReview,
    ShortBreaks,
    Stage,
)

IMPORT = "import"
"""The `source` of records made by importing a history (a batch, an SSDA903 return)."""


def observe(book: Book, env: Envelope) -> None:
    """Record in `book` what `env`'s event establishes."""
    handler = _HANDLERS.get(type(env.event))
    if handler is not None:
        handler(book, env)
    facts = book.facts_of(env.kind, env.record)
    if isinstance(env.event, LedgerRecord.Created) and isinstance(facts, RecordFacts):
        facts.recorded_on = england_date(env.event.recorded_at)
    if isinstance(facts, CaseFacts) and env.event.source != IMPORT and (
            facts.live_until is None or facts.live_until < env.occurred_on):
        facts.live_until = env.occurred_on
        book.touch("case", env.record)


def _authority(book: Book, s: Envelope) -> None:
    e = s.event
    book.put("authority", AuthorityFacts(id=s.record, originator_id=str(e.originator_id),
                                         name=e.name, registered=s.ref))


def _source_period(book: Book, s: Envelope) -> None:
    authority = book.authority
    if authority is None:
        return
    e = s.event
    last = authority.source_ends.get(e.dataset)
    authority.source_ends = {**authority.source_ends,
                             e.dataset: e.ends_on if last is None else max(last, e.ends_on)}
    book.touch("authority", s.record)


def _officer(book: Book, s: Envelope) -> None:
    e = s.event
    fte = [] if e.fte is None else [FteChange(fte=e.fte, on=s.occurred_on, ref=s.ref)]
    book.put("officer", OfficerFacts(id=s.record, originator_id=str(e.originator_id),
                                     role=e.role, employment=e.employment, registered=s.ref,
                                     fte=fte))


def _fte(book: Book, s: Envelope) -> None:
    book.officers[s.record].fte.append(FteChange(fte=s.event.fte, on=s.occurred_on, ref=s.ref))
    book.touch("officer", s.record)


def _engagement_ended(book: Book, s: Envelope) -> None:
    officer = book.officers[s.record]
    officer.ended, officer.ended_how = s.ref, s.event.how
    officer.ended_about = list(s.event.about)
    book.touch("officer", s.record)


def _disciplinary(book: Book, s: Envelope) -> None:
    book.officers[s.record].disciplinary.append(Disciplinary(
        stage=s.event.stage, actor=s.actor, stated_reason=s.event.stated_reason, ref=s.ref,
        about=list(s.event.about)))
    book.touch("officer", s.record)


def _case(book: Book, s: Envelope) -> None:
    e = s.event
    book.put("case", CaseFacts(id=s.record, originator_id=str(e.originator_id),
                               child_ref=e.child_ref, entered_care_on=e.entered_care_on,
                               opened=s.ref, short_breaks=[ShortBreaks(
                                   short_breaks=e.short_breaks, on=e.entered_care_on)],
                               imported=e.source == IMPORT))


def _short_breaks(book: Book, s: Envelope) -> None:
    book.cases[s.record].short_breaks.append(ShortBreaks(short_breaks=s.event.short_breaks,
                                                         on=s.occurred_on))
    book.touch("case", s.record)


def _decided(book: Book, s: Envelope) -> None:
    e = s.event
    book.cases[s.record].decisions.append(Decision(
        id=e.decision_id, kind=e.kind, summary=e.summary, decided_by=s.actor, ref=s.ref,
        child_consulted=e.child_consulted, iro_consulted=e.iro_consulted,
        parents_consulted=e.parents_consulted, distance_miles=e.distance_miles))
    book.touch("case", s.record)


def _recommended(book: Book, s: Envelope) -> None:
    e = s.event
    book.cases[s.record].recommendations.append(Recommendation(
        id=e.recommendation_id, made=s.ref, due_on=e.due_on, repeats=e.repeats))
    book.touch("case", s.record)


def _recommendation_outcome(book: Book, s: Envelope) -> None:
    for recommendation in book.cases[s.record].recommendations:
        if recommendation.id == s.event.recommendation_id:
            recommendation.outcome, recommendation.outcome_ref = s.event.outcome, s.ref
    book.touch("case", s.record)


def _review_required(book: Book, s: Envelope) -> None:
    book.cases[s.record].required_reviews.append(RequiredReview(
        officer_id=s.event.officer_id, hold_by=s.event.hold_by, ref=s.ref))
    book.touch("case", s.record)


def _concern(book: Book, s: Envelope) -> None:
    e = s.event
    book.put("concern", ConcernFacts(id=s.record, originator_id=str(e.originator_id),
                                     officer_id=e.officer_id, case_id=e.case_id,
                                     raised_in=e.raised_in, raised=s.ref))


def _assigned(book: Book, s: Envelope) -> None:
    e = s.event
    book.cases[s.record].assignments.append(Assignment(
        officer_id=e.officer_id, previous=e.previous_officer_id, reason=e.reason,
        actor=s.actor, ref=s.ref))
    book.touch("case", s.record)


def _plan_revised(book: Book, s: Envelope) -> None:
    e = s.event
    book.cases[s.record].plan_revisions.append(PlanRevision(
        change=e.change, summary=e.summary, revised_by=s.actor, via_review=e.via_review,
        iro_consulted=e.iro_consulted, ref=s.ref, emergency=e.emergency,
        child_consulted=e.child_consulted, distance_miles=e.distance_miles))
    book.touch("case", s.record)


def _review(book: Book, s: Envelope) -> None:
    case = book.cases[s.record]
    case.reviews.append(s.ref)
    case.review_chairs[s.ref.key] = s.event.chaired_by
    book.touch("case", s.record)


def _case_closed(book: Book, s: Envelope) -> None:
    case = book.cases[s.record]
    case.closed, case.closed_by = s.ref, s.actor
    book.touch("case", s.record)


def _raised(book: Book, s: Envelope) -> None:
    e = s.event
    book.put("challenge", ChallengeFacts(
        id=s.record, originator_id=str(e.originator_id), case_id=e.case_id,
        officer_id=e.officer_id, about=e.about, raised=s.ref,
        stages=[Stage(stage=ChallengeStage.INFORMAL.value, start=s.ref)]))


def _escalated(book: Book, s: Envelope) -> None:
    book.challenges[s.record].stages.append(Stage(stage=s.event.to_stage, start=s.ref))
    book.touch("challenge", s.record)


def _answered(book: Book, s: Envelope) -> None:
    challenge = book.challenges[s.record]
    challenge.answers.append(s.ref)
    if isinstance(s.event, Challenge.Resolved):
        challenge.ended, challenge.ended_as = s.ref, "resolved"
        challenge.outcome = s.event.outcome
    book.touch("challenge", s.record)


def _withdrawn(book: Book, s: Envelope) -> None:
    challenge = book.challenges[s.record]
    challenge.ended, challenge.ended_as = s.ref, "withdrawn"
    e = s.event
    on_behalf_of = getattr(e, "on_behalf_of", None)  # None in events stored before it existed
    if e.recorded_by != challenge.officer_id or on_behalf_of is not None:
        # Not the raiser's own principal, whatever `actor` says.
        challenge.withdrawn_for = RecordedFor(recorded_by=e.recorded_by, actor=e.actor,
                                              on_behalf_of=on_behalf_of, source=e.source)
    book.touch("challenge", s.record)


def _left_protocol(book: Book, s: Envelope) -> None:
    challenge = book.challenges[s.record]
    if challenge.left_protocol is None:
        challenge.left_protocol = s.ref
    book.touch("challenge", s.record)


def _legal_step(book: Book, s: Envelope) -> None:
    challenge = book.challenges[s.record]
    challenge.legal_steps.append(s.ref)
    if s.event.step == "court_application" and challenge.left_protocol is None:
        challenge.left_protocol = s.ref
    book.touch("challenge", s.record)


def _cafcass_outcome(book: Book, s: Envelope) -> None:
    book.challenges[s.record].cafcass_outcome = s.ref
    book.touch("challenge", s.record)


def _instruction(book: Book, s: Envelope) -> None:
    e = s.event
    book.put("instruction", InstructionFacts(
        id=s.record, originator_id=str(e.originator_id), kind=e.kind,
        issued_to=list(e.issued_to), actor=s.actor, text=e.text, recorded=s.ref))


def _rescinded(book: Book, s: Envelope) -> None:
    instruction = book.instructions[s.record]
    instruction.rescinded, instruction.rescinded_by = s.ref, s.actor
    book.touch("instruction", s.record)


def _drafted(book: Book, s: Envelope) -> None:
    e = s.event
    book.put("report", ReportFacts(
        id=s.record, originator_id=str(e.originator_id), year=e.year, author=e.author,
        drafted=s.ref, author_drafts=[ReportAct(ref=s.ref, actor=s.actor,
                                                sha256=e.content_sha256)]))


def _revised(book: Book, s: Envelope) -> None:
    report = book.reports[s.record]
    act = ReportAct(ref=s.ref, actor=s.actor, sha256=s.event.content_sha256)
    if s.actor == report.author:
        report.author_drafts.append(act)
    else:
        report.outside_revisions.append(act)
    book.touch("report", s.record)


def _edit_requested(book: Book, s: Envelope) -> None:
    book.reports[s.record].edit_requests.append(
        ReportAct(ref=s.ref, actor=s.actor, said=", ".join(s.event.sections)))
    book.touch("report", s.record)


def _withheld(book: Book, s: Envelope) -> None:
    book.reports[s.record].withholdings.append(
        ReportAct(ref=s.ref, actor=s.actor, said=s.event.reason))
    book.touch("report", s.record)


def _submitted(book: Book, s: Envelope) -> None:
    book.reports[s.record].submissions.append(
        ReportAct(ref=s.ref, actor=s.actor, sha256=s.event.content_sha256, to=s.event.to))
    book.touch("report", s.record)


_HANDLERS: dict[type[Any], Any] = {
    Authority.Registered: _authority,
    Authority.SourcePeriodRecorded: _source_period,
    Officer.Registered: _officer,
    Officer.FteChanged: _fte,
    Officer.EngagementEnded: _engagement_ended,
    Officer.DisciplinaryActionRecorded: _disciplinary,
    Case.Opened: _case,
    Case.IroAssigned: _assigned,
    Case.ShortBreaksRecorded: _short_breaks,
    Case.DecisionRecorded: _decided,
    Case.RecommendationMade: _recommended,
    Case.RecommendationOutcomeRecorded: _recommendation_outcome,
    Case.ReviewRequired: _review_required,
    Case.CarePlanRevised: _plan_revised,
    Case.ReviewHeld: _review,
    Case.Closed: _case_closed,
    Challenge.Raised: _raised,
    Challenge.Escalated: _escalated,
    Challenge.Responded: _answered,
    Challenge.Resolved: _answered,
    Challenge.Withdrawn: _withdrawn,
    Challenge.ReferredToCafcass: _left_protocol,
    Challenge.ArbitrationRequested: _left_protocol,
    Challenge.CafcassOutcomeRecorded: _cafcass_outcome,
    Challenge.LegalStepRecorded: _legal_step,
    Concern.Raised: _concern,
    Instruction.Recorded: _instruction,
    Instruction.Rescinded: _rescinded,
    AnnualReport.Drafted: _drafted,
    AnnualReport.Revised: _revised,
    AnnualReport.EditRequested: _edit_requested,
    AnnualReport.Withheld: _withheld,
    AnnualReport.Submitted: _submitted,
}
