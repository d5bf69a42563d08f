"""reallocation_after_dispute: a case taken from an officer after that officer challenged on it.

Basis: NAIRO reports cases reallocated away from IROs after "unwanted" challenges; a child's
IRO should change only for the child's sake.

Raised by `Case.IroAssigned` that replaces officer P on case K when P raised a challenge on K
dated on or before the reassignment and either within `window_days` (90) of it or still open
(not resolved or withdrawn) on the day of reassignment; also when such a challenge is recorded
after the reassignment (back-dated). Not raised when P's engagement had already ended.
Severity `high`. Cleared by a later `Case.IroAssigned` giving K back to P.
"""

from __future__ import annotations

from datetime import timedelta

from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.projections.rules.facts import Assignment, Book, CaseFacts, said
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "reallocation_after_dispute"
BASIS = ("NAIRO reports cases reallocated away from IROs after unwanted challenges; a child's "
         "IRO should change for the child's sake, never because the IRO challenged.")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    if isinstance(seen.event, Case.IroAssigned):
        case = book.cases[seen.record]
        assignment = case.assignments[-1]
        for flag in book.open_flags(RULE, case_id=case.id, officer_id=assignment.officer_id):
            book.clear_flag(flag, seen.ref,
                            f"the case was given back to {book.who(assignment.officer_id)}.")
        _judge(book, case, assignment, ctx)
    elif isinstance(seen.event, Challenge.Raised):
        challenge = book.challenges[seen.record]
        disputed = book.cases.get(challenge.case_id)
        if disputed is not None:
            for assignment in disputed.assignments:
                if assignment.previous == challenge.officer_id:
                    _judge(book, disputed, assignment, ctx)


def _judge(book: Book, case: CaseFacts, assignment: Assignment, ctx: Context) -> None:
    config = ctx.config.reallocation_after_dispute
    officer_id, day = assignment.previous, assignment.ref.occurred_on
    if officer_id is None:
        return
    officer = book.officers.get(officer_id)
    if officer is not None and officer.ended is not None and officer.ended.occurred_on <= day:
        return
    window = timedelta(days=config.window_days)
    disputes = sorted(
        (c for c in book.case_challenges(case.id)
         if c.officer_id == officer_id and c.raised.occurred_on <= day
         and (day - c.raised.occurred_on <= window or c.open_on(day))),
        key=lambda c: (c.raised.occurred_on, c.raised.position))
    if not disputes:
        return
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
    book.raise_flag(
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


UNIT = RuleUnit(RULE, BASIS, react=react)
