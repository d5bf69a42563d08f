"""disciplinary_after_challenge: disciplinary action soon after the officer disputed something.

Basis: NAIRO's letter reports a head of service who "threatened IROs with disciplinary action"
on two occasions because they had "raised (in their opinion) legitimate concerns regarding
children's cases": concerns, not only formal challenges.

Raised by `Officer.DisciplinaryActionRecorded` at a configured stage (threatened, started), or
concluded when nothing earlier against the officer was recorded at one (the outcome may be
the only record an IRO has of the action),
dated within `window_days` (366) on or after a dispute of that officer was raised or last
pressed (an escalation, a referral to Cafcass or arbitration, a legal step): a challenge raised
by them, or a `Concern.Raised` (a concern raised outside the protocol: in review minutes, a
recommendation, an email), or a dispute over an annual report they wrote (an edit requested
or made from outside the IRO service, a withholding, an altered submission: the IRO manager
threatened after refusing the director's edit), the window running from its latest such act,
or an instruction to edit the annual report issued to them by name from outside the IRO
service.
Also raised, whatever the dates, when the action is recorded as
being about a challenge, concern, annual report or case (its `about` links): a threat that
stopped a challenge ever being raised can be tied only to what it was about. Judged again when
a dispute (or an act on the officer's report) is recorded after the action (back-dated), the
action still being the raising event.
Severity `high`; `critical` for the second and later such actions by the same actor (in date
order, anywhere in the authority; actions on the same day in order of the officer's id, then
of the officer's record, never in the order different records were recorded). Never cleared:
concluding the action does not unmake the threat. `details.episode` lists every act of the
dispute up to the action, and the action.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.concern import Concern
from iro_ledger.domain.instruction import Instruction
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.report import AnnualReport
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import EDIT_REPORT, Book, Dispute, episode, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import Disciplinary
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, raised
from iro_ledger.projections.rules.rule import Rule

PRESSED = (Challenge.Raised, Challenge.Escalated, Challenge.ReferredToCafcass,
           Challenge.ArbitrationRequested, Challenge.LegalStepRecorded)
"""The acts that raise or press a challenge: a window runs from the latest."""
NAME = "disciplinary_after_challenge"
BASIS = ("NAIRO reports IROs threatened with disciplinary action after raising concerns about "
         "children's cases, one manager \"on two occasions\"; an IRO must be able to challenge, "
         "formally or not, without fear for their employment.")


def reads(book: Book, env: Envelope) -> Iterable[str]:
    """The actor of a disciplinary action: their actions are counted together."""
    if isinstance(env.event, Officer.DisciplinaryActionRecorded):
        yield env.actor
        return
    raiser = None
    if isinstance(env.event, PRESSED):
        raiser = book.challenges[env.record].officer_id
    elif isinstance(env.event, Concern.Raised):
        raiser = book.concerns[env.record].officer_id
    elif isinstance(env.event, AnnualReport.EditRequested | AnnualReport.Withheld
                    | AnnualReport.Submitted | AnnualReport.Revised):
        report = book.reports.get(env.record)
        raiser = report.author if report is not None else None
    raisers = [raiser] if raiser else []
    if isinstance(env.event, Instruction.Recorded) and env.event.kind == EDIT_REPORT:
        raisers = list(env.event.issued_to)
    elif isinstance(env.event, Officer.Registered):
        raisers = book.report_parties(env.record)
    for officer in (book.officers.get(r) for r in raisers):
        if officer is not None:
            yield from dict.fromkeys(a.actor for a in officer.disciplinary)


def disputes_before(book: Book, officer_id: str, action: Disciplinary,
                    window_days: int, exempt_roles: list[str]) -> list[Dispute]:
    """The officer's disputes within the window before the action (their challenges and
    concerns, and annual reports they wrote that were in dispute: an edit requested or made
    from outside the IRO service, a withholding, an altered submission), and what the action
    was recorded as being about, in valid time. A report's dispute is dated by its first such
    act; the window runs from its latest before the action."""
    day, window = action.ref.occurred_on, timedelta(days=window_days)
    found = [d for d in book.disputes_of(officer_id)
             if d.raised.occurred_on <= day <= book.pressed_on(d, day) + window]
    for report in book.reports.values():
        if report.author != officer_id:
            continue
        acts = sorted((act.ref for _, act in [*book.report_disputes(report, exempt_roles),
                                              *book.report_refusals(report, exempt_roles)]
                       if act.ref.occurred_on <= day),
                      key=lambda r: (r.occurred_on, r.event_number))
        if acts and day <= acts[-1].occurred_on + window:
            found.append(Dispute("report", report.id, None, acts[0]))
    found += [Dispute("instruction", i.id, None, i.recorded)
              for i in book.edit_instructions(officer_id, day, window, exempt_roles)]
    known = {(d.kind, d.id) for d in found}
    found += [d for d in book.linked(action.about) if (d.kind, d.id) not in known]
    return sorted(found, key=lambda d: (d.raised.occurred_on, d.kind, d.id))


def _weighed(actions: list[Disciplinary], action: Disciplinary, stages: list[str]) -> bool:
    """Whether the action counts: at a configured stage, or concluded when nothing earlier
    against the officer was recorded at one (the outcome is the only record of the action)."""
    if action.stage in stages:
        return True
    return action.stage == "concluded" and not any(
        a.stage in stages and a.ref.occurred_on <= action.ref.occurred_on for a in actions)


def judge(book: Book, actor: str, config: RulesConfig) -> Verdict:
    """Each of the actor's actions after its officer disputed something; the first is
    `severity`, each later one (in order of date, then officer) `repeat_severity`."""
    rule = config.disciplinary_after_challenge
    flagged: list[tuple[str, Disciplinary, list[Dispute]]] = []
    for officer in book.officers.values():
        for action in officer.disciplinary:
            if action.actor != actor or not _weighed(officer.disciplinary, action,
                                                     rule.stages):
                continue
            prior = disputes_before(book, officer.id, action, rule.window_days,
                                    config.report_interference.exempt_roles)
            if prior:
                flagged.append((officer.id, action, prior))
    flagged.sort(key=lambda t: (t[1].ref.occurred_on, t[0], t[1].ref.event_number))
    found = []
    exempt = config.report_interference.exempt_roles
    for occasion, (officer_id, action, prior) in enumerate(flagged, start=1):
        day = action.ref.occurred_on
        latest = prior[-1]
        subjects = {"officer_id": officer_id}
        for dispute in prior:
            key, value = dispute.subject()
            subjects[key] = value
        repeat = (f" This is the {_ordinal(occasion)} such action by {actor}."
                  if occasion > 1 else "")
        refs = [r for d in prior for r in book.dispute_events(d, day, exempt)]
        found.append(Finding(
            key={"officer_id": officer_id}, anchor=action.ref,
            severity=rule.severity if occasion == 1 else rule.repeat_severity,
            subjects=subjects,
            timeline=[raised(day, action.ref,
                             f"disciplinary action {action.stage} by {action.actor}")],
            evidence=[d.raised for d in prior],
            explanation=_explain(book, officer_id, action, prior, rule.window_days) + repeat,
            details={"stage": action.stage, "actor": action.actor,
                     "stated_reason": action.stated_reason,
                     "challenge_ids": [d.id for d in prior if d.kind == "challenge"],
                     "concern_ids": [d.id for d in prior if d.kind == "concern"],
                     "report_ids": [d.id for d in prior if d.kind == "report"],
                     "instruction_ids": [d.id for d in prior if d.kind == "instruction"],
                     "about": list(action.about),
                     "days_after_dispute": (day - latest.raised.occurred_on).days,
                     "occasion": occasion,
                     "episode": episode([*refs, action.ref])}))
    return Verdict({"actor": actor}, found)


def _explain(book: Book, officer_id: str, action: Disciplinary, prior: list[Dispute],
             window: int) -> str:
    day = action.ref.occurred_on
    linked = {(d.kind, d.id) for d in book.linked(action.about)}
    raised_by = [d for d in prior if (d.kind, d.id) not in linked
                 and d.kind in ("challenge", "concern")]
    parts = []
    if raised_by:
        latest = raised_by[-1].raised.occurred_on
        parts.append(f"{(day - latest).days} days after that officer raised "
                     + "; ".join(d.words(book) for d in raised_by))
    reports = [d for d in prior if (d.kind, d.id) not in linked and d.kind == "report"]
    if reports:
        parts.append("after a dispute over the " + "; ".join(
            f"{d.words(book)} that officer wrote (edited, withheld or sent out altered by "
            "others)" for d in reports))
    demands = [d for d in prior if d.kind == "instruction"]
    if demands:
        parts.append(f"{(day - demands[-1].raised.occurred_on).days} days after an "
                     + "; an ".join(d.words(book) for d in demands)
                     + " was issued to that officer from outside the IRO service")
    if linked:
        parts.append("recorded as being about "
                     + "; ".join(d.words(book) for d in prior if (d.kind, d.id) in linked))
    return (f"On {said(day)}, disciplinary action against {book.who(officer_id)} was "
            f"{action.stage} by {book.who(action.actor)}, the stated reason being "
            f"\"{action.stated_reason}\", {', and '.join(parts)}. Disciplinary action after an "
            f"IRO has challenged or raised concerns (within {window} days, or tied to them by "
            "the record) is a recognised sign of retaliation against an IRO's independence.")


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
