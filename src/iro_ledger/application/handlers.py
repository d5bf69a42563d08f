"""Each command of the domain language turned into domain behaviour.

A handler loads the records a command refers to, calls the domain, and returns the records
to save together. It knows nothing of storage beyond the `Records` it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import singledispatch
from typing import Protocol, TypeVar

from iro_ledger.application import commands as c
from iro_ledger.application.access import Principal, check_owner, own_act
from iro_ledger.domain.authority import Authority
from iro_ledger.domain.case import Case, Consultation
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.concern import Concern
from iro_ledger.domain.errors import InvalidValue, NotPermitted
from iro_ledger.domain.instruction import Instruction
from iro_ledger.domain.links import parse_link
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import LedgerRecord, Stamp
from iro_ledger.domain.report import AnnualReport
from iro_ledger.domain.values import ALL_IROS

R = TypeVar("R", bound=LedgerRecord)

RECORD_CLASSES: dict[str, type[LedgerRecord]] = {
    cls.KIND: cls for cls in (Authority, Officer, Case, Challenge, Instruction, AnnualReport,
                              Concern)
}


class Records(Protocol):
    def get(self, cls: type[R], la_code: str, ref: str) -> R: ...

    def check_new(self, cls: type[LedgerRecord], la_code: str, ref: str) -> None: ...


@dataclass(frozen=True)
class HandlerContext:
    """What a handler needs: where records come from, the stamp, and who is acting."""

    records: Records
    stamp: Stamp
    principal: Principal


@singledispatch
def handle(command: c.CommandBase, ctx: HandlerContext) -> list[LedgerRecord]:
    raise TypeError(f"no handler for {type(command).__name__}")  # pragma: no cover


def _act_on(ctx: HandlerContext, cls: type[R], la_code: str, ref: str,
            act: Callable[[R], None]) -> list[LedgerRecord]:
    """Load one record, act on it, and hand it back to be saved."""
    record = ctx.records.get(cls, la_code, ref)
    act(record)
    return [record]


def _new(ctx: HandlerContext, cls: type[LedgerRecord], la_code: str, ref: str) -> None:
    """A new record needs its authority registered and its id unused."""
    ctx.records.get(Authority, la_code, la_code)
    ctx.records.check_new(cls, la_code, ref)


@handle.register
def _(cmd: c.RegisterAuthority, ctx: HandlerContext) -> list[LedgerRecord]:
    ctx.records.check_new(Authority, cmd.la_code, cmd.la_code)
    return [Authority.register(cmd.la_code, cmd.name, ctx.stamp)]


@handle.register
def _(cmd: c.RecordDataQuality, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Authority, cmd.la_code, cmd.la_code,
                   lambda a: a.record_data_quality(cmd.dataset, cmd.counts, tuple(cmd.rows),
                                                   ctx.stamp))


@handle.register
def _(cmd: c.RecordSourcePeriod, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Authority, cmd.la_code, cmd.la_code,
                   lambda a: a.record_source_period(cmd.dataset, cmd.begins_on, cmd.ends_on,
                                                    ctx.stamp))


@handle.register
def _(cmd: c.RegisterOfficer, ctx: HandlerContext) -> list[LedgerRecord]:
    _new(ctx, Officer, cmd.la_code, cmd.officer_id)
    return [Officer.register(cmd.la_code, cmd.officer_id, cmd.role, cmd.employment, ctx.stamp,
                             fte=cmd.fte)]


def _linked(ctx: HandlerContext, la_code: str, about: list[str]) -> tuple[str, ...]:
    """The links of `about`, each naming a record this authority holds (else 404)."""
    for link in about:
        kind, ref = parse_link("about", link)
        ctx.records.get(RECORD_CLASSES[kind], la_code, ref)
    return tuple(about)


@handle.register
def _(cmd: c.RecordFte, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Officer, cmd.la_code, cmd.officer_id,
                    lambda o: o.record_fte(cmd.fte, cmd.reason, ctx.stamp))


@handle.register
def _(cmd: c.EndEngagement, ctx: HandlerContext) -> list[LedgerRecord]:
    about = _linked(ctx, cmd.la_code, cmd.about)
    return _act_on(ctx, Officer, cmd.la_code, cmd.officer_id,
                    lambda o: o.end_engagement(cmd.how, cmd.reason, ctx.stamp, about=about))


@handle.register
def _(cmd: c.RecordDisciplinaryAction, ctx: HandlerContext) -> list[LedgerRecord]:
    about = _linked(ctx, cmd.la_code, cmd.about)
    return _act_on(ctx, Officer, cmd.la_code, cmd.officer_id,
                    lambda o: o.record_disciplinary_action(cmd.stage, cmd.stated_reason,
                                                           ctx.stamp, about=about))


@handle.register
def _(cmd: c.OpenCase, ctx: HandlerContext) -> list[LedgerRecord]:
    _new(ctx, Case, cmd.la_code, cmd.case_id)
    return [Case.open(cmd.la_code, cmd.case_id, cmd.child_ref, cmd.legal_status,
                      cmd.entered_care_on, ctx.stamp, short_breaks=cmd.short_breaks)]


@handle.register
def _(cmd: c.AssignIro, ctx: HandlerContext) -> list[LedgerRecord]:
    officer = ctx.records.get(Officer, cmd.la_code, cmd.officer_id)
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id,
                 lambda k: k.assign_iro(officer, cmd.reason, ctx.stamp))


@handle.register
def _(cmd: c.RecordShortBreaks, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id,
                 lambda k: k.record_short_breaks(cmd.short_breaks, ctx.stamp))


@handle.register
def _(cmd: c.ReviseCarePlan, ctx: HandlerContext) -> list[LedgerRecord]:
    consultation = Consultation(child_consulted=cmd.child_consulted,
                                distance_miles=cmd.distance_miles)
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.revise_care_plan(
        cmd.change, cmd.summary, cmd.via_review, cmd.iro_consulted, ctx.stamp,
        emergency=cmd.emergency, consultation=consultation))


@handle.register
def _(cmd: c.HoldReview, ctx: HandlerContext) -> list[LedgerRecord]:
    chair = ctx.records.get(Officer, cmd.la_code, cmd.chaired_by)
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.hold_review(
        chair, cmd.child_participation, cmd.child_seen_before, ctx.stamp))


@handle.register
def _(cmd: c.RequireReview, ctx: HandlerContext) -> list[LedgerRecord]:
    officer = ctx.records.get(Officer, cmd.la_code, cmd.officer_id)
    stamp = _officers_own(ctx, cmd.actor, cmd.officer_id)
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.require_review(
        officer, cmd.reason, cmd.hold_by, stamp))


@handle.register
def _(cmd: c.MakeRecommendation, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.make_recommendation(
        cmd.recommendation_id, cmd.text, cmd.due_on, ctx.stamp, repeats=cmd.repeats))


@handle.register
def _(cmd: c.RecordRecommendationOutcome, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.record_recommendation_outcome(
        cmd.recommendation_id, cmd.outcome, cmd.reason, ctx.stamp))


@handle.register
def _(cmd: c.RecordDecision, ctx: HandlerContext) -> list[LedgerRecord]:
    consultation = Consultation(
        child_consulted=cmd.child_consulted, iro_consulted=cmd.iro_consulted,
        parents_consulted=cmd.parents_consulted, distance_miles=cmd.distance_miles)
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.record_decision(
        cmd.decision_id, cmd.kind, cmd.summary, ctx.stamp, consultation=consultation))


@handle.register
def _(cmd: c.CloseCase, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.close(cmd.reason, ctx.stamp))


@handle.register
def _(cmd: c.EraseCase, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Case, cmd.la_code, cmd.case_id, lambda k: k.erase(cmd.reason, ctx.stamp))


@handle.register
def _(cmd: c.RaiseChallenge, ctx: HandlerContext) -> list[LedgerRecord]:
    _new(ctx, Challenge, cmd.la_code, cmd.challenge_id)
    case = ctx.records.get(Case, cmd.la_code, cmd.case_id)
    officer = ctx.records.get(Officer, cmd.la_code, cmd.officer_id)
    stamp = _officers_own(ctx, cmd.actor, cmd.officer_id)
    return [Challenge.raise_(cmd.challenge_id, case, officer, cmd.about, cmd.grounds, stamp)]


def _officers_own(ctx: HandlerContext, actor: str | None, officer_id: str) -> Stamp:
    """The stamp of an IRO's own act (raising a challenge or a concern, requiring a review):
    theirs, shown as on their behalf when someone else (an IRO manager, an admin) records it."""
    stamp = ctx.stamp.as_actor(actor or officer_id)
    if ctx.principal.sub != officer_id:
        stamp = stamp.own_act_of(stamp.actor, on_behalf_of=officer_id)
    return stamp


def _raisers_act(cmd: c.CommandBase, ctx: HandlerContext, challenge_id: str, verb: str,
                 act: Callable[[Challenge, Stamp], None]) -> list[LedgerRecord]:
    """An act on a challenge that only its raiser makes: the raiser is the actor, from the
    caller, never from the client's `actor`; an admin may record it visibly on their behalf."""
    challenge = ctx.records.get(Challenge, cmd.la_code, challenge_id)
    raiser = challenge.officer_id
    what = f"{verb} challenge {challenge_id}, which they raised"
    on_behalf_of = own_act(ctx.principal, raiser, what)
    if cmd.actor is not None and cmd.actor != raiser:
        raise NotPermitted(f"only {raiser} may {what}; actor may not name {cmd.actor}")
    act(challenge, ctx.stamp.own_act_of(raiser, on_behalf_of))
    return [challenge]


@handle.register
def _(cmd: c.EscalateChallenge, ctx: HandlerContext) -> list[LedgerRecord]:
    return _raisers_act(cmd, ctx, cmd.challenge_id, "escalate",
                        lambda x, stamp: x.escalate(cmd.to_stage, cmd.addressed_to, stamp))


@handle.register
def _(cmd: c.RespondToChallenge, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Challenge, cmd.la_code, cmd.challenge_id,
                   lambda x: x.respond(cmd.response, ctx.stamp))


@handle.register
def _(cmd: c.ResolveChallenge, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Challenge, cmd.la_code, cmd.challenge_id,
                   lambda x: x.resolve(cmd.outcome, ctx.stamp))


@handle.register
def _(cmd: c.WithdrawChallenge, ctx: HandlerContext) -> list[LedgerRecord]:
    return _raisers_act(cmd, ctx, cmd.challenge_id, "withdraw",
                        lambda x, stamp: x.withdraw(cmd.reason, stamp))


@handle.register
def _(cmd: c.ReferToCafcass, ctx: HandlerContext) -> list[LedgerRecord]:
    return _raisers_act(cmd, ctx, cmd.challenge_id, "refer to Cafcass",
                        lambda x, stamp: x.refer_to_cafcass(stamp))


@handle.register
def _(cmd: c.RecordCafcassOutcome, ctx: HandlerContext) -> list[LedgerRecord]:
    def record(challenge: Challenge) -> None:
        check_owner(ctx.principal, challenge.officer_id, f"challenge {cmd.challenge_id}")
        challenge.record_cafcass_outcome(cmd.outcome, cmd.summary, ctx.stamp)

    return _act_on(ctx, Challenge, cmd.la_code, cmd.challenge_id, record)


@handle.register
def _(cmd: c.RequestArbitration, ctx: HandlerContext) -> list[LedgerRecord]:
    return _raisers_act(cmd, ctx, cmd.challenge_id, "request arbitration on",
                        lambda x, stamp: x.request_arbitration(cmd.body, stamp))


@handle.register
def _(cmd: c.RecordLegalStep, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Challenge, cmd.la_code, cmd.challenge_id,
                   lambda x: x.record_legal_step(cmd.step, cmd.taken_by, cmd.summary,
                                                 ctx.stamp))


@handle.register
def _(cmd: c.RecordConcern, ctx: HandlerContext) -> list[LedgerRecord]:
    _new(ctx, Concern, cmd.la_code, cmd.concern_id)
    officer = ctx.records.get(Officer, cmd.la_code, cmd.officer_id)
    case = None if cmd.case_id is None else ctx.records.get(Case, cmd.la_code, cmd.case_id)
    stamp = _officers_own(ctx, cmd.actor, cmd.officer_id)
    return [Concern.raise_(cmd.concern_id, officer, case, cmd.raised_in, cmd.raised_with,
                           cmd.summary, stamp)]


@handle.register
def _(cmd: c.RecordInstruction, ctx: HandlerContext) -> list[LedgerRecord]:
    if cmd.actor is None:
        raise InvalidValue("actor", "name who gave the instruction")
    _new(ctx, Instruction, cmd.la_code, cmd.instruction_id)
    for officer_id in cmd.issued_to:
        if officer_id != ALL_IROS:
            officer = ctx.records.get(Officer, cmd.la_code, officer_id)
            officer.check_not_before_start(ctx.stamp.occurred_on)
    return [Instruction.record(cmd.la_code, cmd.instruction_id, list(cmd.issued_to), cmd.kind,
                               cmd.text, ctx.stamp)]


@handle.register
def _(cmd: c.RescindInstruction, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, Instruction, cmd.la_code, cmd.instruction_id,
                   lambda i: i.rescind(ctx.stamp))


@handle.register
def _(cmd: c.DraftAnnualReport, ctx: HandlerContext) -> list[LedgerRecord]:
    _new(ctx, AnnualReport, cmd.la_code, cmd.report_id)
    stamp = ctx.stamp.as_actor(cmd.actor or cmd.author)
    return [AnnualReport.draft(cmd.la_code, cmd.report_id, cmd.year, cmd.author,
                               cmd.content_sha256, stamp)]


@handle.register
def _(cmd: c.RequestReportEdit, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, AnnualReport, cmd.la_code, cmd.report_id,
                   lambda r: r.request_edit(list(cmd.sections), ctx.stamp))


@handle.register
def _(cmd: c.ReviseAnnualReport, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, AnnualReport, cmd.la_code, cmd.report_id,
                   lambda r: r.revise(cmd.content_sha256, ctx.stamp))


@handle.register
def _(cmd: c.SubmitAnnualReport, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, AnnualReport, cmd.la_code, cmd.report_id,
                   lambda r: r.submit(cmd.to, cmd.content_sha256, ctx.stamp))


@handle.register
def _(cmd: c.WithholdAnnualReport, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, AnnualReport, cmd.la_code, cmd.report_id,
                   lambda r: r.withhold(cmd.reason, ctx.stamp))


@handle.register
def _(cmd: c.CorrectRecord, ctx: HandlerContext) -> list[LedgerRecord]:
    return _act_on(ctx, RECORD_CLASSES[cmd.kind], cmd.la_code, cmd.record_id,
                   lambda r: r.correct(cmd.corrects_event, cmd.reason, dict(cmd.details),
                                       ctx.stamp))
