"""review_overdue: a child's review later than the statutory timescales.

Basis: Care Planning, Placement and Case Review (England) Regulations 2010, reg 33: the first
review within 20 working days of the child entering care, the second within 3 months of the
first, and each later one within 6 months of the one before.

A deadline rule, judged as of a day. From `Case.Opened.entered_care_on` and the case's
`Case.ReviewHeld` dates, each review falls due in turn; a review held on its due date is on
time. One flag per late review: raised the day after its due date; cleared by the
`Case.ReviewHeld` that was finally held, or by `Case.Closed` (no review is owed after the case
closes; a case closed on or before a due date owes nothing). Severity `warning`, `high` once
`high_after_days` (28) late. Working days exclude weekends and England's bank holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.projections.base import EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.calendar import add_months
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import CaseFacts
from iro_ledger.projections.rules.flag import Severity
from iro_ledger.projections.rules.lifecycle import Finding, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "review_overdue"
BASIS = ("Care Planning, Placement and Case Review (England) Regulations 2010, reg 33: first "
         "review within 20 working days of entering care, the second within 3 months of the "
         "first, then at intervals of no more than 6 months.")


def as_of(book: Book, day: date, rules: RulesConfig) -> list[Finding]:
    found: list[Finding] = []
    for case in book.cases.values():
        if case.entered_care_on <= day:
            found.extend(_case_flags(book, case, day, rules))
    return found


def _case_flags(book: Book, case: CaseFacts, day: date, rules: RulesConfig) -> list[Finding]:
    config = rules.review_overdue
    reviews = sorted((r for r in case.reviews if r.occurred_on <= day),
                     key=lambda r: (r.occurred_on, r.position))
    closed = case.closed if case.closed and case.closed.occurred_on <= day else None
    calendar = rules.working_calendar()
    due = calendar.add_working_days(case.entered_care_on, config.first_within_working_days)
    anchor, number, flags = case.opened, 1, []
    for review in [*reviews, None]:
        if closed is not None and closed.occurred_on <= due:
            break  # no review is owed once the case has closed
        if review is None or review.occurred_on > due:
            if review is None and closed is None and day <= due:
                break  # not yet due
            flags.append(_flag(book, case, number, anchor, due, review or closed, day, rules))
        if review is None:
            break
        anchor, number = review, number + 1
        months = config.second_within_months if number == 2 else config.then_within_months
        due = add_months(review.occurred_on, months)
    return flags


def _flag(book: Book, case: CaseFacts, number: int, anchor: EventRef, due: date,
          ended_by: EventRef | None, day: date, rules: RulesConfig) -> Finding:
    config = rules.review_overdue
    late_on = due + timedelta(days=1)
    until = ended_by.occurred_on if ended_by is not None else day
    days_late = (until - due).days
    severity = Severity.HIGH if days_late >= config.high_after_days else config.severity
    which = _which(number, config.first_within_working_days, config.second_within_months,
                   config.then_within_months)
    history = [raised(late_on, None, f"review {number} was not held by {said(due)}")]
    if ended_by is not None:
        held = ended_by.event_type == "Case.ReviewHeld"
        history.append(cleared(ended_by, f"the review was held, {days_late} days late." if held
                               else "the case closed; the review was never held."))
        outcome = (f"It was held on {said(ended_by.occurred_on)}, {days_late} days late."
                   if held else f"The case closed on {said(ended_by.occurred_on)} "
                                "without it having been held.")
    else:
        outcome = f"As of {said(day)} it had not been held: {days_late} days late."
    iro = case.iro_on(due)
    subjects = {"case_id": case.id, **({"officer_id": iro} if iro else {})}
    since = (f"entered care on {said(case.entered_care_on)}" if number == 1
             else f"had review {number - 1} on {said(anchor.occurred_on)}")
    child = book.child(case.id)
    return Finding(
        key={"case_id": case.id}, anchor=anchor, severity=severity, subjects=subjects,
        timeline=history, evidence=[case.opened, anchor],
        explanation=(f"{child[0].upper()}{child[1:]} {since}; "
                     f"review {number} was due {which}, that is by {said(due)}"
                     f"{f' (the IRO was {book.who(iro)})' if iro else ''}. {outcome} "
                     "Regulation 33 of the Care Planning, Placement and Case Review (England) "
                     "Regulations 2010 sets these timescales."),
        details={"review_number": number, "due_on": due.isoformat(), "days_late": days_late,
                 "held_on": (ended_by.occurred_on.isoformat() if ended_by is not None
                             and ended_by.event_type == "Case.ReviewHeld" else None)})


def _which(number: int, working_days: int, second: int, then: int) -> str:
    if number == 1:
        return f"within {working_days} working days of entering care"
    if number == 2:
        return f"within {second} months of the first review"
    return f"within {then} months of the previous review"


RULE = Rule(NAME, BASIS, as_of=as_of)
