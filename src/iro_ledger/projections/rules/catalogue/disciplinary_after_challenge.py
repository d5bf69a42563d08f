"""disciplinary_after_challenge: disciplinary action soon after the officer challenged.

Basis: NAIRO reports a manager who "threatened IROs with disciplinary action on two
occasions" after they raised concerns about children's cases.

Raised by `Officer.DisciplinaryActionRecorded` at a configured stage (threatened, started)
dated within `window_days` (180) on or after a `Challenge.Raised` by that officer; also when
such a challenge is recorded after the action (back-dated), the action still being the raising
event. Severity `high`; `critical` for the second and later such actions by the same actor
(in date order, anywhere in the authority; actions on the same day in order of the officer's
id, then of the officer's record, never in the order different records were recorded).
Never cleared: concluding the action does not unmake the threat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.officer import Officer
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import ChallengeFacts, Disciplinary
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "disciplinary_after_challenge"
BASIS = ("NAIRO reports IROs threatened with disciplinary action after raising concerns about "
         "children's cases, one manager \"on two occasions\"; an IRO must be able to challenge "
         "without fear for their employment.")


def reads(book: Book, env: Envelope) -> Iterable[str]:
    """The actor of a disciplinary action: their actions are counted together."""
    if isinstance(env.event, Officer.DisciplinaryActionRecorded):
        yield env.actor
    elif isinstance(env.event, Challenge.Raised):
        officer = book.officers.get(book.challenges[env.record].officer_id)
        if officer is not None:
            yield from dict.fromkeys(a.actor for a in officer.disciplinary)


def judge(book: Book, actor: str, config: RulesConfig) -> Verdict:
    """Each of the actor's actions soon after its officer challenged; the first is
    `severity`, each later one (in order of date, then officer) `repeat_severity`."""
    rule = config.disciplinary_after_challenge
    window = timedelta(days=rule.window_days)
    flagged: list[tuple[str, Disciplinary, list[ChallengeFacts]]] = []
    for officer in book.officers.values():
        for action in officer.disciplinary:
            if action.actor != actor or action.stage not in rule.stages:
                continue
            day = action.ref.occurred_on
            prior = sorted((c for c in book.officer_challenges(officer.id)
                            if c.raised.occurred_on <= day <= c.raised.occurred_on + window),
                           key=lambda c: (c.raised.occurred_on, c.id))
            if prior:
                flagged.append((officer.id, action, prior))
    flagged.sort(key=lambda t: (t[1].ref.occurred_on, t[0], t[1].ref.event_number))
    found = []
    for occasion, (officer_id, action, prior) in enumerate(flagged, start=1):
        latest = prior[-1]
        repeat = (f" This is the {_ordinal(occasion)} such action by {actor}."
                  if occasion > 1 else "")
        found.append(Finding(
            key={"officer_id": officer_id}, anchor=action.ref,
            severity=rule.severity if occasion == 1 else rule.repeat_severity,
            subjects={"officer_id": officer_id, "challenge_id": latest.id},
            timeline=[raised(action.ref.occurred_on, action.ref,
                             f"disciplinary action {action.stage} by {action.actor}")],
            evidence=[c.raised for c in prior],
            explanation=_explain(book, officer_id, action, prior, rule.window_days) + repeat,
            details={"stage": action.stage, "actor": action.actor,
                     "stated_reason": action.stated_reason,
                     "challenge_ids": [c.id for c in prior],
                     "days_after_challenge": (action.ref.occurred_on
                                              - latest.raised.occurred_on).days,
                     "occasion": occasion}))
    return Verdict({"actor": actor}, found)


def _explain(book: Book, officer_id: str, action: Disciplinary, prior: list[ChallengeFacts],
             window: int) -> str:
    raised = "; ".join(f"challenge {c.id} on {said(c.raised.occurred_on)} about "
                       f"{book.child(c.case_id)}" for c in prior)
    latest = prior[-1].raised.occurred_on
    return (f"On {said(action.ref.occurred_on)}, disciplinary action against "
            f"{book.who(officer_id)} was {action.stage} by {book.who(action.actor)}, "
            f"the stated reason being \"{action.stated_reason}\", "
            f"{(action.ref.occurred_on - latest).days} days after that officer raised "
            f"{raised}. Action within {window} days of a challenge is a recognised sign of "
            "retaliation against an IRO's independence.")


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
