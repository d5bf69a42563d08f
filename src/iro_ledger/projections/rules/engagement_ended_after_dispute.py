"""engagement_ended_after_dispute: an officer's engagement ended soon after a dispute.

Basis: NAIRO reports a freelance IRO whose contract was ended, and his cases reallocated, after
unwanted challenges, and an IRO manager whose post was deleted after refusing to let the
director edit the IRO annual report.

Raised by `Officer.EngagementEnded` of a configured kind (contract_terminated, post_deleted,
redundancy) dated within `window_days` (180) on or after a `Challenge.Raised` by that officer,
or after a report_interference flag on an annual report the officer wrote; also when such a
challenge is recorded after the ending (back-dated). Severity `high`. Never cleared: the
ledger has no way to undo an ending, and a later re-engagement would not unmake it.
"""

from __future__ import annotations

from datetime import timedelta

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.officer import Officer
from iro_ledger.projections.rules.facts import Book, OfficerFacts, said
from iro_ledger.projections.rules.flag import Ref
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "engagement_ended_after_dispute"
BASIS = ("NAIRO reports a freelance IRO's contract ended after unwanted challenges, and an IRO "
         "manager's post deleted after refusing to let the director edit the IRO annual "
         "report; an IRO's engagement must not depend on the authority liking their challenges.")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    if isinstance(seen.event, Officer.EngagementEnded):
        _judge(book, book.officers[seen.record], ctx)
    elif isinstance(seen.event, Challenge.Raised):
        officer = book.officers.get(book.challenges[seen.record].officer_id)
        if officer is not None and officer.ended is not None:
            _judge(book, officer, ctx)


def _judge(book: Book, officer: OfficerFacts, ctx: Context) -> None:
    config = ctx.config.engagement_ended_after_dispute
    if officer.ended is None or officer.ended_how not in config.how:
        return
    day, window = officer.ended.occurred_on, timedelta(days=config.window_days)
    challenges = sorted((c for c in book.officer_challenges(officer.id)
                         if c.raised.occurred_on <= day <= c.raised.occurred_on + window),
                        key=lambda c: (c.raised.occurred_on, c.raised.position))
    reports = sorted((f for f in book.rule_flags("report_interference")
                      if f.subjects.get("officer_id") == officer.id
                      and f.raised_on <= day <= f.raised_on + window),
                     key=lambda f: f.raised_on)
    if not challenges and not reports:
        return
    disputes: list[tuple[str, Ref]] = [
        (f"raised challenge {c.id} about {book.child(c.case_id)} on "
         f"{said(c.raised.occurred_on)}", c.raised) for c in challenges]
    report_refs = [h.event for f in reports for h in f.history[:1] if h.event is not None]
    disputes += [(f"was in dispute over annual report {f.subjects['report_id']} "
                  f"({f.details.get('pattern', '').replace('_', ' ')}) from "
                  f"{said(f.raised_on)}", ref) for f, ref in zip(reports, report_refs,
                                                                   strict=True)]
    subjects = {"officer_id": officer.id}
    if challenges:
        subjects["challenge_id"] = challenges[-1].id
    if reports:
        subjects["report_id"] = reports[-1].subjects["report_id"]
    latest = max(ref.occurred_on for _, ref in disputes)
    explanation = (
        f"On {said(day)}, the engagement of {book.who(officer.id)} ended "
        f"({officer.ended_how.replace('_', ' ') if officer.ended_how else 'ended'}), "
        f"{(day - latest).days} days after the officer {'; and '.join(t for t, _ in disputes)}. "
        "Ending an IRO's engagement soon after a dispute is a recognised sign of retaliation "
        "against their independence.")
    book.raise_flag(
        RULE, config.severity, subjects, key={"officer_id": officer.id}, anchor=officer.ended,
        on=day, by=officer.ended, note=f"the engagement ended ({officer.ended_how})",
        evidence=[c.raised for c in challenges] + report_refs + [officer.ended],
        explanation=explanation, basis=BASIS,
        details={"how": officer.ended_how, "employment": officer.employment,
                 "challenge_ids": [c.id for c in challenges],
                 "report_ids": sorted({f.subjects["report_id"] for f in reports}),
                 "days_after_dispute": (day - latest).days})


UNIT = RuleUnit(RULE, BASIS, react=react)
