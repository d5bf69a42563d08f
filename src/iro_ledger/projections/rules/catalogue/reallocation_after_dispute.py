"""reallocation_after_dispute: a case taken from an officer after that officer challenged on it.

Basis: NAIRO reports cases reallocated away from IROs after "unwanted" challenges; a child's
IRO should change only for the child's sake.

Judged in valid time over the case's `Case.IroAssigned` events in order of their dates (ties
in the order the case recorded them): an assignment to Q replaces P, the officer who held the
case just before it in that order. It raises a flag when P raised a challenge on the case dated
on or before the reassignment and either within `window_days` (90) of it or still open (not
resolved or withdrawn) on the day of reassignment, or a concern about the case outside the
protocol (review minutes, an email...) within `window_days` of it; not when P's engagement
had ended on or before that day. Severity `high`. Cleared by the next assignment (in valid
time) giving the case back to P.

Records come late, so the case is judged again whenever one of its assignments, a challenge on
it, a challenge's resolution or withdrawal, or an officer's ending is recorded. A flag the
facts as now known no longer support (a resolution dated before the reassignment, recorded
after it; a back-dated ending; a back-dated assignment showing P did not hold the case then)
is *withdrawn*: its history keeps the raising and gains a `withdrawn` entry naming the late
record and why, and it leaves the listings; it is raised again if later records restore it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.concern import Concern
from iro_ledger.domain.officer import Officer
from iro_ledger.projections.base import Envelope, EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import Assignment, CaseFacts
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "reallocation_after_dispute"
BASIS = ("NAIRO reports cases reallocated away from IROs after unwanted challenges; a child's "
         "IRO should change for the child's sake, never because the IRO challenged.")


def reads(book: Book, env: Envelope) -> Iterable[str]:
    event = env.event
    if isinstance(event, Case.IroAssigned):
        yield env.record
    elif isinstance(event, Challenge.Raised | Challenge.Resolved | Challenge.Withdrawn):
        case_id = book.challenges[env.record].case_id
        if case_id in book.cases:
            yield case_id
    elif isinstance(event, Concern.Raised):
        about = book.concerns[env.record].case_id
        if about is not None and about in book.cases:
            yield about
    elif isinstance(event, Officer.EngagementEnded):
        yield from (case.id for case in book.cases.values()
                    if any(a.officer_id == env.record for a in case.assignments))


def judge(book: Book, case_id: str, config: RulesConfig) -> Verdict:
    """Every reassignment of the case, in valid time, that took it from a disputing IRO."""
    case = book.cases[case_id]
    held = sorted(case.assignments, key=lambda a: (a.ref.occurred_on, a.ref.event_number))
    found: list[Finding] = []
    reasons: dict[str, str] = {}
    for index in range(1, len(held)):
        previous, assignment = held[index - 1].officer_id, held[index]
        if previous == assignment.officer_id:
            continue
        finding, reason = _judge(book, case, previous, assignment, held[index + 1:], config)
        if finding is not None:
            found.append(finding)
        else:
            reasons[assignment.ref.key] = reason

    def why_not(flag: Flag, by: EventRef) -> str:
        anchor = flag.history[0].event
        reason = reasons.get(anchor.key if anchor else "", (
            f"the case was not taken from {flag.subjects['officer_id']} on "
            f"{said(flag.raised_on)}: another officer held it then"))
        return f"{_late(by)} shows that {reason}."

    return Verdict({"case_id": case.id}, found, why_not)


def _judge(book: Book, case: CaseFacts, officer_id: str, assignment: Assignment,
           later: list[Assignment], config: RulesConfig) -> tuple[Finding | None, str]:
    """The flag for `assignment` taking the case from `officer_id`, or why there is none."""
    rule = config.reallocation_after_dispute
    day = assignment.ref.occurred_on
    officer = book.officers.get(officer_id)
    if officer is not None and officer.ended is not None and officer.ended.occurred_on <= day:
        return None, (f"{officer_id}'s engagement had already ended on "
                      f"{said(officer.ended.occurred_on)}, before the case was reassigned on "
                      f"{said(day)}")
    window = timedelta(days=rule.window_days)
    disputes = sorted(
        (c for c in book.case_challenges(case.id)
         if c.officer_id == officer_id and c.raised.occurred_on <= day
         and (day - c.raised.occurred_on <= window or c.open_on(day))),
        key=lambda c: (c.raised.occurred_on, c.id))
    concerns = sorted(
        (c for c in book.concerns.values()
         if c.officer_id == officer_id and c.case_id == case.id
         and c.raised.occurred_on <= day and day - c.raised.occurred_on <= window),
        key=lambda c: (c.raised.occurred_on, c.id))
    if not disputes and not concerns:
        return None, (f"no challenge by {officer_id} on this case was still open, nor a "
                      f"challenge or concern about it raised within {rule.window_days} days, "
                      f"when the case was reassigned on {said(day)}")
    raised_all = sorted([*((c.raised, "challenge", c.id) for c in disputes),
                         *((c.raised, "concern raised outside the protocol", c.id)
                           for c in concerns)], key=lambda t: (t[0].occurred_on, t[2]))
    latest_ref, latest_what, latest_id = raised_all[-1]
    still_open = bool(disputes) and disputes[-1].open_on(day)
    explanation = (
        f"On {said(day)}, {book.child(case.id)} was reassigned from {book.who(officer_id)} to "
        f"{book.who(assignment.officer_id)} by {book.who(assignment.actor)}, the stated "
        f"reason being \"{assignment.reason.replace('_', ' ')}\", "
        f"{(day - latest_ref.occurred_on).days} days after {officer_id} raised "
        f"{latest_what} {latest_id} about this case on {said(latest_ref.occurred_on)}"
        f"{_open_words(latest_id, disputes[-1].id if disputes else None, still_open)}. "
        "Taking a case from an IRO soon after they challenged on it, or raised concerns about "
        "it, is a recognised sign of retaliation.")
    timeline = [raised(day, assignment.ref, f"the case was reassigned to {assignment.officer_id}")]
    back = next((a for a in later if a.officer_id == officer_id), None)
    if back is not None:
        timeline.append(cleared(back.ref, f"the case was given back to {book.who(officer_id)}."))
    return Finding(
        key={"officer_id": officer_id, "case_id": case.id}, anchor=assignment.ref,
        severity=rule.severity,
        subjects={"officer_id": officer_id, "case_id": case.id,
                  **({"challenge_id": disputes[-1].id} if disputes
                     else {"concern_id": concerns[-1].id})},
        timeline=timeline, evidence=[r for r, _, _ in raised_all], explanation=explanation,
        details={"to_officer_id": assignment.officer_id, "reason": assignment.reason,
                 "challenge_ids": [c.id for c in disputes],
                 "concern_ids": [c.id for c in concerns],
                 "days_after_challenge": (day - latest_ref.occurred_on).days,
                 "challenge_open": still_open}), ""


def _open_words(latest: str, challenge: str | None, still_open: bool) -> str:
    if not still_open:
        return ""
    return ", which was still open" if latest == challenge else (
        f", while challenge {challenge} was still open")


def _late(ref: EventRef) -> str:
    """A late record named as a tribunal would read it."""
    what = {
        "Challenge.Resolved": f"the resolution of challenge {ref.id}",
        "Challenge.Withdrawn": f"the withdrawal of challenge {ref.id}",
        "Challenge.Raised": f"challenge {ref.id}",
        "Officer.EngagementEnded": f"the end of {ref.id}'s engagement",
        "Case.IroAssigned": f"an assignment of case {ref.id}",
    }.get(ref.event_type, f"{ref.event_type} on {ref.kind} {ref.id}")
    return f"{what}, dated {said(ref.occurred_on)} and recorded after the flag was raised,"


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
