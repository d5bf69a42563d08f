"""engagement_ended_after_dispute: an officer's engagement ended within a year of a dispute.

Basis: NAIRO reports a freelance IRO whose contract was ended, and his cases reallocated, after
unwanted challenges, and an IRO manager whose post was deleted after refusing to let the
director edit the IRO annual report.

Raised by `Officer.EngagementEnded` of a configured kind (contract_terminated, post_deleted,
redundancy, dismissed, moved_role: not resigned or retired) dated within `window_days` (366)
on or after a dispute of the officer was raised or last pressed: a challenge (counted from its
raising, or a later escalation, referral to Cafcass or arbitration, or legal step) or a
concern raised by them, or a dispute over an annual report they wrote (an act on it that
report_interference would flag: an edit request, or an edit made, from outside the IRO
service, a withholding, a submission differing from the author's draft, and after one of
those the author's own submission of her draft, `refused`: her refusal is the latest act of
her side, as an escalation is of a challenge's), each act counting on its own date, or an
instruction to edit the annual report (`edit_report`) issued to the officer by name by
someone outside the IRO service (the director's demand recorded as an instruction rather than
as an edit request on the report: the same story told through the other door). Also raised,
whatever the dates, when the ending is recorded as being about a challenge, concern, report
or case (its `about` links).
Severity `high`. Never cleared: the ledger has no way to undo an ending, and a later
re-engagement would not unmake it. `details.episode` lists every act of the episode in order
(the dispute, the edit, the author's refusal, the ending), so an investigator sees one course
of events, not separate flags.

Records come late, so the ending is judged again whenever a challenge or concern by the
officer, an event on a report the officer wrote, an instruction to edit the report issued to
them, or a requester's (or instructing officer's) registration is recorded
after it: the flag is the same whatever the order. If later records leave no dispute in the
window (a requester turns out to be an IRO manager; a back-dated draft shows a submission was
the author's), the flag is *withdrawn*, naming that record (see `flag.py`). Ties on a day are
broken by record ids, never by recording order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.concern import Concern
from iro_ledger.domain.instruction import Instruction
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.report import AnnualReport
from iro_ledger.projections.base import Envelope, EventRef
from iro_ledger.projections.rules.book import EDIT_REPORT, Book, Dispute, episode, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import InstructionFacts
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "engagement_ended_after_dispute"
BASIS = ("NAIRO reports a freelance IRO's contract ended after unwanted challenges, and an IRO "
         "manager's post deleted after refusing to let the director edit the IRO annual "
         "report; an IRO's engagement must not depend on the authority liking their challenges.")


_PATTERN_WORDS = {"refused": "submitted by its author as written, refusing the changes"}


def reads(book: Book, env: Envelope) -> Iterable[str]:
    """The officer whose ending an event bears on, once the ending is known."""
    event = env.event
    if isinstance(event, Officer.EngagementEnded):
        yield env.record
        return
    authors: list[str] = []
    if isinstance(event, Challenge.Raised | Challenge.Escalated | Challenge.ReferredToCafcass
                  | Challenge.ArbitrationRequested | Challenge.LegalStepRecorded):
        authors = [book.challenges[env.record].officer_id]
    elif isinstance(event, Concern.Raised):
        authors = [book.concerns[env.record].officer_id]
    elif isinstance(event, AnnualReport.EditRequested | AnnualReport.Withheld
                    | AnnualReport.Submitted | AnnualReport.Revised):
        report = book.reports.get(env.record)
        authors = [report.author] if report is not None else []
    elif isinstance(event, Instruction.Recorded):
        authors = list(event.issued_to) if event.kind == EDIT_REPORT else []
    elif isinstance(event, Officer.Registered):
        # A requester registered late may turn out to be the IRO service's own: judge again.
        authors = book.report_parties(env.record)
    for author in dict.fromkeys(authors):
        officer = book.officers.get(author)
        if officer is not None and officer.ended is not None:
            yield author


def judge(book: Book, officer_id: str, config: RulesConfig) -> Verdict:
    rule = config.engagement_ended_after_dispute
    officer = book.officers[officer_id]
    scope = {"officer_id": officer_id}
    if officer.ended is None or officer.ended_how not in rule.how:
        return Verdict(scope, [])
    day, window = officer.ended.occurred_on, timedelta(days=rule.window_days)
    raised_by = [d for d in book.disputes_of(officer.id)
                 if d.raised.occurred_on <= day <= book.pressed_on(d, day) + window]
    known = {(d.kind, d.id) for d in raised_by}
    linked = [d for d in book.linked(officer.ended_about) if (d.kind, d.id) not in known]
    exempt = config.report_interference.exempt_roles
    reports = sorted(((report, pattern, act) for report in book.reports.values()
                      if report.author == officer.id
                      for pattern, act in [*book.report_disputes(report, exempt),
                                           *book.report_refusals(report, exempt)]
                      if act.ref.occurred_on <= day <= act.ref.occurred_on + window),
                     key=lambda t: (t[2].ref.occurred_on, t[0].id, t[2].ref.event_number))

    def why_not(flag: Flag, by: EventRef) -> str:
        return (f"{by.event_type} on {by.kind} {by.id}, dated {said(by.occurred_on)} and "
                "recorded after the flag was raised, shows that no challenge, concern or "
                f"dispute over an annual report by {officer_id} fell within the "
                f"{rule.window_days} days before the engagement ended.")

    edits = book.edit_instructions(officer.id, day, window, exempt)
    if not raised_by and not reports and not linked and not edits:
        return Verdict(scope, [], why_not)
    disputes: list[tuple[str, EventRef]] = [
        (f"raised {d.words(book)}", d.raised) for d in raised_by]
    disputes += [(f"was in dispute over annual report {report.id} "
                  f"({_PATTERN_WORDS.get(pattern, pattern.replace('_', ' '))}) on "
                  f"{said(act.ref.occurred_on)}", act.ref)
                 for report, pattern, act in reports]
    disputes += [(f"was instructed by {book.who(i.actor)} to edit the annual report "
                  f"(instruction {i.id}) on {said(i.recorded.occurred_on)}", i.recorded)
                 for i in edits]
    subjects = {"officer_id": officer.id}
    for dispute in [*raised_by, *linked]:
        key, value = dispute.subject()
        subjects[key] = value
    if reports:
        subjects["report_id"] = reports[-1][0].id
    refs = [r for d in [*raised_by, *linked] for r in book.dispute_events(d, day, exempt)]
    first_act = {report.id: book.report_disputes(report, exempt)[0][1].ref
                 for report, _, _ in reports}
    refs += [r for report_id, start in first_act.items()
             for r in book.dispute_events(Dispute("report", report_id, None, start), day, exempt)]
    refs += [r for i in edits for r in _after_instruction(book, officer.id, i, day, exempt)]
    if edits and "instruction_id" not in subjects:
        subjects["instruction_id"] = edits[-1].id
    latest = max([ref.occurred_on for _, ref in disputes] or [day])
    since = (f"{(day - latest).days} days after the officer "
             f"{'; and '.join(t for t, _ in disputes)}" if disputes else "")
    about = ("recorded as being about " + "; ".join(d.words(book) for d in linked)
             if linked else "")
    explanation = (
        f"On {said(day)}, the engagement of {book.who(officer.id)} ended "
        f"({officer.ended_how.replace('_', ' ') if officer.ended_how else 'ended'}), "
        f"{', and '.join(p for p in (since, about) if p)}. Ending an IRO's engagement after a "
        "dispute is a recognised sign of retaliation against their independence.")
    return Verdict(scope, [Finding(
        key={"officer_id": officer.id}, anchor=officer.ended, severity=rule.severity,
        subjects=subjects,
        timeline=[raised(day, officer.ended, f"the engagement ended ({officer.ended_how})")],
        evidence=[ref for _, ref in disputes] + [d.raised for d in linked],
        explanation=explanation,
        details={"how": officer.ended_how, "employment": officer.employment,
                 "challenge_ids": [d.id for d in raised_by if d.kind == "challenge"],
                 "concern_ids": [d.id for d in raised_by if d.kind == "concern"],
                 "report_ids": sorted({report.id for report, _, _ in reports}),
                 "instruction_ids": [i.id for i in edits],
                 "about": list(officer.ended_about),
                 "days_after_dispute": (day - latest).days,
                 "episode": episode([*refs, officer.ended])})], why_not)


def _after_instruction(book: Book, officer_id: str, instruction: InstructionFacts, until: date,
                       exempt: list[str]) -> list[EventRef]:
    """The instruction and, for the episode, what then happened to the reports the officer
    wrote (edit requests, withholdings, submissions: submitting it as written is the
    refusal), up to `until`."""
    start = instruction.recorded.occurred_on
    refs = [instruction.recorded]
    for report in book.reports.values():
        if report.author == officer_id:
            refs += [act.ref for _, act in book.report_acts(report, exempt)
                     if start <= act.ref.occurred_on <= until]
    return refs


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
