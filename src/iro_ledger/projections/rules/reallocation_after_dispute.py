"""reallocation_after_dispute: a case taken from an officer after that officer challenged on it.

Basis: NAIRO reports cases reallocated away from IROs after "unwanted" challenges; a child's
IRO should change only for the child's sake.

Judged in valid time over the case's `Case.IroAssigned` events in order of their dates (ties
in the order the case recorded them): an assignment to Q replaces P, the officer who held the
case just before it in that order. It raises a flag when P raised a challenge on the case dated
on or before the reassignment and either within `window_days` (90) of it or still open (not
resolved or withdrawn) on the day of reassignment; not when P's engagement had ended on or
before that day. Severity `high`. Cleared by the next assignment (in valid time) giving the
case back to P.

Records come late, so the case is judged again whenever one of its assignments, a challenge on
it, a challenge's resolution or withdrawal, or an officer's ending is recorded. A flag the
facts as now known no longer support (a resolution dated before the reassignment, recorded
after it; a back-dated ending; a back-dated assignment showing P did not hold the case then)
is *withdrawn*: its history keeps the raising and gains a `withdrawn` entry naming the late
record and why, and it leaves the listings; it is raised again if later records restore it.
"""

from __future__ import annotations

from datetime import timedelta

from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.officer import Officer
from iro_ledger.projections.rules.facts import Assignment, Book, CaseFacts, said
from iro_ledger.projections.rules.flag import Flag, Ref, Status
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "reallocation_after_dispute"
BASIS = ("NAIRO reports cases reallocated away from IROs after unwanted challenges; a child's "
         "IRO should change for the child's sake, never because the IRO challenged.")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    event = seen.event
    if isinstance(event, Case.IroAssigned):
        _judge_case(book, book.cases[seen.record], seen.ref, ctx)
    elif isinstance(event, Challenge.Raised | Challenge.Resolved | Challenge.Withdrawn):
        case = book.cases.get(book.challenges[seen.record].case_id)
        if case is not None:
            _judge_case(book, case, seen.ref, ctx)
    elif isinstance(event, Officer.EngagementEnded):
        for case in book.cases.values():
            if any(a.officer_id == seen.record for a in case.assignments):
                _judge_case(book, case, seen.ref, ctx)


def _judge_case(book: Book, case: CaseFacts, by: Ref, ctx: Context) -> None:
    """Raise, clear or withdraw every flag on the case as the facts now known require."""
    held = sorted(case.assignments, key=lambda a: (a.ref.occurred_on, a.ref.event_number))
    kept: set[str] = set()
    reasons: dict[str, str] = {}
    for index in range(1, len(held)):
        previous, assignment = held[index - 1].officer_id, held[index]
        if previous == assignment.officer_id:
            continue
        flag, reason = _judge(book, case, previous, assignment, held[index + 1:], ctx)
        if flag is not None:
            kept.add(flag.id)
        else:
            reasons[assignment.ref.key] = reason
    for flag in book.rule_flags(RULE):
        if (flag.subjects["case_id"] == case.id and flag.id not in kept
                and flag.status is not Status.WITHDRAWN):
            anchor = flag.history[0].event
            reason = reasons.get(anchor.key if anchor else "", (
                f"the case was not taken from {flag.subjects['officer_id']} on "
                f"{said(flag.raised_on)}: another officer held it then"))
            book.withdraw_flag(flag, by, f"{_late(book, by)} shows that {reason}.")


def _judge(book: Book, case: CaseFacts, officer_id: str, assignment: Assignment,
           later: list[Assignment], ctx: Context) -> tuple[Flag | None, str]:
    """The flag for `assignment` taking the case from `officer_id`, or why there is none."""
    config = ctx.config.reallocation_after_dispute
    day = assignment.ref.occurred_on
    officer = book.officers.get(officer_id)
    if officer is not None and officer.ended is not None and officer.ended.occurred_on <= day:
        return None, (f"{officer_id}'s engagement had already ended on "
                      f"{said(officer.ended.occurred_on)}, before the case was reassigned on "
                      f"{said(day)}")
    window = timedelta(days=config.window_days)
    disputes = sorted(
        (c for c in book.case_challenges(case.id)
         if c.officer_id == officer_id and c.raised.occurred_on <= day
         and (day - c.raised.occurred_on <= window or c.open_on(day))),
        key=lambda c: (c.raised.occurred_on, c.id))
    if not disputes:
        return None, (f"no challenge by {officer_id} on this case was still open, or raised "
                      f"within {config.window_days} days, when the case was reassigned on "
                      f"{said(day)}")
    latest = disputes[-1]
    still_open = latest.open_on(day)
    explanation = (
        f"On {said(day)}, {book.child(case.id)} was reassigned from {book.who(officer_id)} to "
        f"{book.who(assignment.officer_id)} by {book.who(assignment.actor)}, the stated "
        f"reason being \"{assignment.reason.replace('_', ' ')}\", "
        f"{(day - latest.raised.occurred_on).days} days after {officer_id} raised challenge "
        f"{latest.id} on this case on {said(latest.raised.occurred_on)}"
        f"{', which was still open' if still_open else ''}. Taking a case from an IRO soon "
        "after they challenged on it is a recognised sign of retaliation.")
    flag = book.raise_flag(
        RULE, config.severity,
        {"officer_id": officer_id, "case_id": case.id, "challenge_id": latest.id},
        key={"officer_id": officer_id, "case_id": case.id}, anchor=assignment.ref, on=day,
        by=assignment.ref, note=f"the case was reassigned to {assignment.officer_id}",
        evidence=[c.raised for c in disputes] + [assignment.ref], explanation=explanation,
        basis=BASIS,
        details={"to_officer_id": assignment.officer_id, "reason": assignment.reason,
                 "challenge_ids": [c.id for c in disputes],
                 "days_after_challenge": (day - latest.raised.occurred_on).days,
                 "challenge_open": still_open})
    back = next((a for a in later if a.officer_id == officer_id), None)
    if back is not None:
        book.clear_flag(flag, back.ref, f"the case was given back to {book.who(officer_id)}.")
    return flag, ""


def _late(book: Book, ref: Ref) -> str:
    """A late record named as a tribunal would read it."""
    what = {
        "Challenge.Resolved": f"the resolution of challenge {ref.id}",
        "Challenge.Withdrawn": f"the withdrawal of challenge {ref.id}",
        "Challenge.Raised": f"challenge {ref.id}",
        "Officer.EngagementEnded": f"the end of {ref.id}'s engagement",
        "Case.IroAssigned": f"an assignment of case {ref.id}",
    }.get(ref.event_type, f"{ref.event_type} on {ref.kind} {ref.id}")
    return f"{what}, dated {said(ref.occurred_on)} and recorded after the flag was raised,"


UNIT = RuleUnit(RULE, BASIS, react=react)
