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

from datetime import timedelta

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.officer import Officer
from iro_ledger.projections.rules.facts import Book, ChallengeFacts, Disciplinary, said
from iro_ledger.projections.rules.flag import Flag, Status
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "disciplinary_after_challenge"
BASIS = ("NAIRO reports IROs threatened with disciplinary action after raising concerns about "
         "children's cases, one manager \"on two occasions\"; an IRO must be able to challenge "
         "without fear for their employment.")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    if isinstance(seen.event, Officer.DisciplinaryActionRecorded):
        _judge(book, seen.record, book.officers[seen.record].disciplinary[-1], ctx)
    elif isinstance(seen.event, Challenge.Raised):
        officer = book.officers.get(book.challenges[seen.record].officer_id)
        if officer is not None:
            for action in officer.disciplinary:
                _judge(book, officer.id, action, ctx)


def _judge(book: Book, officer_id: str, action: Disciplinary, ctx: Context) -> None:
    config = ctx.config.disciplinary_after_challenge
    if action.stage not in config.stages:
        return
    day, window = action.ref.occurred_on, timedelta(days=config.window_days)
    prior = sorted((c for c in book.officer_challenges(officer_id)
                    if c.raised.occurred_on <= day <= c.raised.occurred_on + window),
                   key=lambda c: (c.raised.occurred_on, c.id))
    if not prior:
        return
    latest = prior[-1]
    book.raise_flag(
        RULE, config.severity, {"officer_id": officer_id, "challenge_id": latest.id},
        key={"officer_id": officer_id}, anchor=action.ref, on=day, by=action.ref,
        note=f"disciplinary action {action.stage} by {action.actor}",
        evidence=[c.raised for c in prior] + [action.ref],
        explanation=_explain(book, officer_id, action, prior, config.window_days),
        basis=BASIS,
        details={"stage": action.stage, "actor": action.actor,
                 "stated_reason": action.stated_reason,
                 "challenge_ids": [c.id for c in prior],
                 "days_after_challenge": (day - latest.raised.occurred_on).days,
                 "occasion": 1})
    _score(book, action.actor, ctx)


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


def _score(book: Book, actor: str, ctx: Context) -> None:
    """The actor's first such action is `severity`; each later one is `repeat_severity`."""
    config = ctx.config.disciplinary_after_challenge
    mine = sorted((f for f in book.rule_flags(RULE) if f.details.get("actor") == actor
                   and f.status is not Status.WITHDRAWN), key=_order)
    for occasion, flag in enumerate(mine, start=1):
        severity = config.severity if occasion == 1 else config.repeat_severity
        if flag.severity != severity or flag.details.get("occasion") != occasion:
            flag.severity = severity
            flag.details = {**flag.details, "occasion": occasion}
            book.dirty_flags.add(flag.id)
        base = flag.explanation.split(" This is the ")[0]
        repeat = (f" This is the {_ordinal(occasion)} such action by {actor}."
                  if occasion > 1 else "")
        if flag.explanation != base + repeat:
            flag.explanation = base + repeat
            book.dirty_flags.add(flag.id)


def _order(flag: Flag) -> tuple[object, str, int]:
    first = flag.history[0].event
    return flag.raised_on, flag.subjects["officer_id"], first.event_number if first else 0


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


UNIT = RuleUnit(RULE, BASIS, react=react)
