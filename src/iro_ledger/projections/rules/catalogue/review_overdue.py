"""review_overdue: a child's review later than the statutory timescales, or than the IRO asked.

Basis: Care Planning, Placement and Case Review (England) Regulations 2010, reg 33: the first
review within 20 working days of the child entering care, the second within 3 months of the
first, and each later one within 6 months of the one before; reg 48: a child looked after in
a series of short breaks first within 3 months, then at most 6 months apart; reg 33(3)(a): a
review earlier than that when the IRO so requests.

A deadline rule, judged as of a day. From `Case.Opened.entered_care_on` and the case's
`Case.ReviewHeld` dates, each review falls due in turn (`details.pattern` `timetable`); a
review held on its due date is on time. Only a review chaired by an officer of `chair_roles`
(iro, iro_manager) engaged that day counts: a meeting chaired by a social worker, or by an IRO
whose engagement had ended, is not the statutory review and is named in `details.not_counted`.
A child in short breaks (`Case.Opened.short_breaks`, `Case.ShortBreaksRecorded`, as stood on
the day the schedule is counted from) is on reg 48's schedule. One flag per late review:
raised the day after its due date; cleared by the review that was finally held, or by
`Case.Closed` (no review is owed after the case closes; a case closed on or before a due date
owes nothing). Severity `warning`, `high` once `high_after_days` (28) late.

A case whose record begins after the child entered care (`Case.Opened.occurred_on` later
than `entered_care_on`: a return whose period began while the child was already in care, a
ledger started mid-way) cannot hold the reviews before its beginning, and the rule judges
only what the record can show: the first review it judges falls due `then_within_months` (6)
after the record begins, the longest interval any earlier review allows, and each later one
`then_within_months` after the one before (the record cannot say which was the first).
`details.review_number` is then null and `details.record_begins_on` says the day.

A case opened by an import (an SSDA903 return) shows only what its source covers: when the
authority has recorded the imported source's period (`Authority.SourcePeriodRecorded`, the
latest end), no review falling due after that end is judged, and a review due before it that
the record does not show is late by the days up to that end (`details.source_ends_on`), not
to today. Anything recorded on the case other than by import after the end (a review recorded
live) shows the case beyond it, and it is judged to the day asked about again.

`Case.ReviewRequired` (pattern `required`): a review the IRO required by `hold_by` and not
held (a counted review on or after the requirement, by then) is raised the day after
`hold_by`, cleared by the next counted review or the closure. Severity `required_severity`
(high). Working days exclude weekends and England's bank holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.projections.base import EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import CaseFacts
from iro_ledger.projections.rules.flag import Severity
from iro_ledger.projections.rules.lifecycle import Finding, cleared, raised
from iro_ledger.projections.rules.rule import Rule
from iro_ledger.projections.rules.schedule import NOT_AN_IRO, due_dates, not_counted

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


def _uncounted(book: Book, case: CaseFacts, review: EventRef,
               rules: RulesConfig) -> str | None:
    """Why a review does not count as the statutory review (None when it does)."""
    chair = case.review_chairs.get(review.key)
    officer = book.officers.get(chair) if chair else None
    why = not_counted(rules.review_overdue, officer.role if officer else None,
                      officer is not None and officer.engaged_on(review.occurred_on))
    if officer is None or why is None:
        return None
    if why == NOT_AN_IRO:
        return f"chaired by {book.who(officer.id)}, who is not an IRO"
    return f"chaired by {book.who(officer.id)}, whose engagement had ended"


def _case_flags(book: Book, case: CaseFacts, day: date, rules: RulesConfig) -> list[Finding]:
    ends = book.source_ends_on(case)
    seen = day if ends is None else min(day, ends)  # an imported case: to its source's end
    held = sorted((r for r in case.reviews if r.occurred_on <= seen),
                  key=lambda r: (r.occurred_on, r.position))
    why_not = {r.key: why for r in held if (why := _uncounted(book, case, r, rules))}
    reviews = [r for r in held if r.key not in why_not]
    not_counted = [{"on": r.occurred_on.isoformat(), "chaired_by": case.review_chairs[r.key],
                    "why": why_not[r.key]} for r in held if r.key in why_not]
    closed = case.closed if case.closed and case.closed.occurred_on <= day else None
    joined = case.opened.occurred_on > case.entered_care_on
    dues = due_dates(rules.review_overdue, rules.working_calendar(), case.entered_care_on,
                     case.opened.occurred_on, [r.occurred_on for r in reviews],
                     case.short_breaks_on)
    anchor, flags = case.opened, []
    for number, (due, review) in enumerate(zip(dues, [*reviews, None], strict=True), start=1):
        if closed is not None and closed.occurred_on <= due:
            break  # no review is owed once the case has closed
        if review is None and closed is None and seen <= due:
            break  # not yet due, or due after the end of what the record can show
        if review is None or review.occurred_on > due:
            flags.append(_flag(book, case, number, anchor, due, review or closed, seen, rules,
                               not_counted, joined, ends if seen < day else None))
        if review is not None:
            anchor = review
    return flags + _required(book, case, reviews, closed, day, rules)


def _required(book: Book, case: CaseFacts, reviews: list[EventRef], closed: EventRef | None,
              day: date, rules: RulesConfig) -> list[Finding]:
    """Each review the IRO required and that was not held by the day set."""
    found = []
    for required in case.required_reviews:
        asked, hold_by = required.ref.occurred_on, required.hold_by
        if day <= hold_by or asked > day:
            continue
        after = [r for r in reviews if r.occurred_on >= asked]
        if (after and after[0].occurred_on <= hold_by) or (
                closed is not None and closed.occurred_on <= hold_by):
            continue
        ended_by = min([*after[:1], *([closed] if closed else [])],
                       key=lambda r: (r.occurred_on, r.position), default=None)
        timeline = [raised(hold_by + timedelta(days=1), None,
                           f"the review the IRO required was not held by {said(hold_by)}")]
        if ended_by is not None:
            timeline.append(cleared(ended_by, "a review was held." if ended_by in after
                                    else "the case closed; the review was never held."))
        outcome = (f"As of {said(day)} it had not been held." if ended_by is None else
                   f"It was held on {said(ended_by.occurred_on)}." if ended_by in after else
                   f"The case closed on {said(ended_by.occurred_on)} without it.")
        found.append(Finding(
            key={"case_id": case.id, "pattern": "required"}, anchor=required.ref,
            severity=rules.review_overdue.required_severity,
            subjects={"case_id": case.id, "officer_id": required.officer_id},
            timeline=timeline, evidence=[required.ref],
            explanation=(f"On {said(asked)}, {book.who(required.officer_id)} required a review "
                         f"of {book.child(case.id)} to be held by {said(hold_by)}. "
                         f"{outcome} The authority must hold a review earlier than its "
                         "timetable if the IRO so requests (Care Planning, Placement and Case "
                         "Review (England) Regulations 2010, reg 33(3)(a))."),
            details={"pattern": "required", "hold_by": hold_by.isoformat(),
                     "held_on": (ended_by.occurred_on.isoformat()
                                 if ended_by is not None and ended_by in after else None)}))
    return found


def _flag(book: Book, case: CaseFacts, number: int, anchor: EventRef, due: date,
          ended_by: EventRef | None, day: date, rules: RulesConfig,
          not_counted: list[dict[str, str]], joined: bool = False,
          source_ends: date | None = None) -> Finding:
    """`joined`: the record begins after the child entered care, so reviews are counted from
    the record's beginning, not numbered from the child's first. `source_ends`: the record
    (an import) shows nothing after this day, and `day` is it."""
    config = rules.review_overdue
    late_on = due + timedelta(days=1)
    until = ended_by.occurred_on if ended_by is not None else day
    days_late = (until - due).days
    severity = Severity.HIGH if days_late >= config.high_after_days else config.severity
    short_breaks = case.short_breaks_on(anchor.occurred_on if number > 1
                                        else case.entered_care_on)
    which = (_which_joined(number, config.then_within_months) if joined
             else _which_short_breaks(number, config.short_breaks_first_within_months,
                                      config.short_breaks_then_within_months) if short_breaks
             else _which(number, config.first_within_working_days, config.second_within_months,
                         config.then_within_months))
    label = ("the first review in the record" if joined and number == 1
             else "the next review" if joined else f"review {number}")
    between = [n for n in not_counted if anchor.occurred_on <= date.fromisoformat(n["on"])
               and (ended_by is None or date.fromisoformat(n["on"]) <= ended_by.occurred_on)]
    uncounted = "".join(f" The meeting on {said(date.fromisoformat(n['on']))} was not counted: "
                        f"{n['why']}." for n in between)
    history = [raised(late_on, None, f"{label} was not held by {said(due)}")]
    if ended_by is not None:
        held = ended_by.event_type == "Case.ReviewHeld"
        history.append(cleared(ended_by, f"the review was held, {days_late} days late." if held
                               else "the case closed; the review was never held."))
        outcome = (f"It was held on {said(ended_by.occurred_on)}, {days_late} days late."
                   if held else f"The case closed on {said(ended_by.occurred_on)} "
                                "without it having been held.")
    elif source_ends is not None:
        outcome = (f"The imported record, which shows the case up to {said(source_ends)}, "
                   f"shows none held by then: at least {days_late} days late.")
    else:
        outcome = f"As of {said(day)} it had not been held: {days_late} days late."
    iro = case.iro_on(due)
    subjects = {"case_id": case.id, **({"officer_id": iro} if iro else {})}
    since = (f"entered care on {said(case.entered_care_on)}, before the record of the case "
             f"begins on {said(case.opened.occurred_on)}" if joined and number == 1
             else f"had a review on {said(anchor.occurred_on)}" if joined
             else f"entered care on {said(case.entered_care_on)}" if number == 1
             else f"had review {number - 1} on {said(anchor.occurred_on)}")
    child = book.child(case.id)
    return Finding(
        key={"case_id": case.id}, anchor=anchor, severity=severity, subjects=subjects,
        timeline=history, evidence=[case.opened, anchor],
        explanation=(f"{child[0].upper()}{child[1:]} {since}; "
                     f"{label} was due {which}, that is by {said(due)}"
                     f"{f' (the IRO was {book.who(iro)})' if iro else ''}. {outcome}"
                     f"{uncounted} Regulation {'48' if short_breaks else '33'} of the Care "
                     "Planning, Placement and Case Review (England) Regulations 2010 sets "
                     "these timescales."),
        details={"pattern": "timetable", "review_number": None if joined else number,
                 **({"record_begins_on": case.opened.occurred_on.isoformat()} if joined
                    else {}), "due_on": due.isoformat(),
                 "days_late": days_late, "short_breaks": short_breaks,
                 **({"source_ends_on": source_ends.isoformat()} if source_ends else {}),
                 "held_on": (ended_by.occurred_on.isoformat() if ended_by is not None
                             and ended_by.event_type == "Case.ReviewHeld" else None),
                 "not_counted": between})


def _which_joined(number: int, then: int) -> str:
    if number == 1:
        return (f"within {then} months of the record's beginning (the longest interval after "
                "any review held before it, which the record cannot hold)")
    return f"within {then} months of the previous review"


def _which_short_breaks(number: int, first: int, then: int) -> str:
    if number == 1:
        return f"within {first} months of the first short break"
    return f"within {then} months of the previous review"


def _which(number: int, working_days: int, second: int, then: int) -> str:
    if number == 1:
        return f"within {working_days} working days of entering care"
    if number == 2:
        return f"within {second} months of the first review"
    return f"within {then} months of the previous review"


RULE = Rule(NAME, BASIS, as_of=as_of, watch=("Case.*", "Officer.*"))
