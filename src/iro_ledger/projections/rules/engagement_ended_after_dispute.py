"""engagement_ended_after_dispute: an officer's engagement ended soon after a dispute.

Basis: NAIRO reports a freelance IRO whose contract was ended, and his cases reallocated, after
unwanted challenges, and an IRO manager whose post was deleted after refusing to let the
director edit the IRO annual report.

Raised by `Officer.EngagementEnded` of a configured kind (contract_terminated, post_deleted,
redundancy) dated within `window_days` (180) on or after a `Challenge.Raised` by that officer,
or after a dispute over an annual report the officer wrote (DESIGN.md counts it like a
challenge): an act on the report that report_interference flags (an edit request from outside
the IRO service, a withholding, a submission differing from the author's draft), each act
counting on its own date. Severity `high`. Never cleared: the ledger has no way to undo an
ending, and a later re-engagement would not unmake it.

Records come late, so the ending is judged again whenever a challenge by the officer, an event
on a report the officer wrote, or a requester's registration is recorded after it: the flag is
the same whatever the order. If later records leave no dispute in the window (a requester
turns out to be an IRO manager; a back-dated draft shows a submission was the author's), the
flag is *withdrawn*, naming that record (see `flag.py`). Ties on a day are broken by record
ids, never by recording order.
"""

from __future__ import annotations

from datetime import timedelta

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.report import AnnualReport
from iro_ledger.projections.rules import report_interference
from iro_ledger.projections.rules.facts import Book, OfficerFacts, said
from iro_ledger.projections.rules.flag import Ref
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "engagement_ended_after_dispute"
BASIS = ("NAIRO reports a freelance IRO's contract ended after unwanted challenges, and an IRO "
         "manager's post deleted after refusing to let the director edit the IRO annual "
         "report; an IRO's engagement must not depend on the authority liking their challenges.")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    event = seen.event
    if isinstance(event, Officer.EngagementEnded):
        _judge(book, book.officers[seen.record], seen.ref, ctx)
    elif isinstance(event, Challenge.Raised):
        officer = book.officers.get(book.challenges[seen.record].officer_id)
        if officer is not None and officer.ended is not None:
            _judge(book, officer, seen.ref, ctx)
    elif isinstance(event, AnnualReport.EditRequested | AnnualReport.Withheld
                    | AnnualReport.Submitted | AnnualReport.Revised):
        report = book.reports.get(seen.record)
        officer = book.officers.get(report.author) if report is not None else None
        if officer is not None and officer.ended is not None:
            _judge(book, officer, seen.ref, ctx)
    elif isinstance(event, Officer.Registered):
        # A requester registered late may turn out to be the IRO service's own: judge again.
        for report in book.reports.values():
            officer = book.officers.get(report.author)
            if officer is not None and officer.ended is not None and any(
                    a.actor == seen.record for a in report.edit_requests):
                _judge(book, officer, seen.ref, ctx)


def _judge(book: Book, officer: OfficerFacts, by: Ref, ctx: Context) -> None:
    config = ctx.config.engagement_ended_after_dispute
    if officer.ended is None or officer.ended_how not in config.how:
        return
    day, window = officer.ended.occurred_on, timedelta(days=config.window_days)
    challenges = sorted((c for c in book.officer_challenges(officer.id)
                         if c.raised.occurred_on <= day <= c.raised.occurred_on + window),
                        key=lambda c: (c.raised.occurred_on, c.id))
    reports = sorted(((report, pattern, act) for report in book.reports.values()
                      if report.author == officer.id
                      for pattern, act in report_interference.disputes(
                          book, report, ctx.config.report_interference)
                      if act.ref.occurred_on <= day <= act.ref.occurred_on + window),
                     key=lambda t: (t[2].ref.occurred_on, t[0].id, t[2].ref.event_number))
    key = {"officer_id": officer.id}
    if not challenges and not reports:
        flag = book.find_flag(RULE, key, officer.ended)
        if flag is not None:
            book.withdraw_flag(flag, by, (
                f"{by.event_type} on {by.kind} {by.id}, dated {said(by.occurred_on)} and "
                "recorded after the flag was raised, shows that no challenge or dispute over "
                f"an annual report by {officer.id} fell within the {config.window_days} days "
                "before the engagement ended."))
        return
    disputes: list[tuple[str, Ref]] = [
        (f"raised challenge {c.id} about {book.child(c.case_id)} on "
         f"{said(c.raised.occurred_on)}", c.raised) for c in challenges]
    disputes += [(f"was in dispute over annual report {report.id} "
                  f"({pattern.replace('_', ' ')}) on {said(act.ref.occurred_on)}", act.ref)
                 for report, pattern, act in reports]
    subjects = {"officer_id": officer.id}
    if challenges:
        subjects["challenge_id"] = challenges[-1].id
    if reports:
        subjects["report_id"] = reports[-1][0].id
    latest = max(ref.occurred_on for _, ref in disputes)
    explanation = (
        f"On {said(day)}, the engagement of {book.who(officer.id)} ended "
        f"({officer.ended_how.replace('_', ' ') if officer.ended_how else 'ended'}), "
        f"{(day - latest).days} days after the officer {'; and '.join(t for t, _ in disputes)}. "
        "Ending an IRO's engagement soon after a dispute is a recognised sign of retaliation "
        "against their independence.")
    book.raise_flag(
        RULE, config.severity, subjects, key=key, anchor=officer.ended,
        on=day, by=officer.ended, note=f"the engagement ended ({officer.ended_how})",
        evidence=[ref for _, ref in disputes] + [officer.ended],
        explanation=explanation, basis=BASIS,
        details={"how": officer.ended_how, "employment": officer.employment,
                 "challenge_ids": [c.id for c in challenges],
                 "report_ids": sorted({report.id for report, _, _ in reports}),
                 "days_after_dispute": (day - latest).days})


UNIT = RuleUnit(RULE, BASIS, react=react)
