"""suppressed_challenge: a legitimate challenge dropped, left to drift, or closed without an
outcome.

Basis: NAIRO reports legitimate challenges suppressed: raised but quietly dropped or never
answered. IRO Handbook 6.2: a dispute should be resolved within 20 working days in total.

Five patterns, named in the flag's `details.pattern`:

- `withdrawn_after_instruction`: `Challenge.Withdrawn` dated within `withdrawal_window_days`
  (30) on or after an `Instruction.Recorded` issued to the challenge's officer (or all_iros),
  or at any time while an instruction of a `critical_instruction_kinds` kind (withdraw a
  challenge, do not escalate) to them is in force (not rescinded by that day); also when the
  instruction is recorded after the withdrawal (back-dated). Severity `high`,
  `critical` when an instruction was of a `critical_instruction_kinds` kind. Never cleared.
- `withdrawn_after_threat`: `Challenge.Withdrawn` dated within `withdrawal_window_days` on or
  after disciplinary action (at a stage disciplinary_after_challenge weighs) threatened or
  started against its raiser after it was raised: the pressure came by another door than an
  instruction. Severity `critical`. Never cleared.
- `withdrawn_on_behalf`: `Challenge.Withdrawn` not recorded by the raiser with their own
  principal (`recorded_by` is not the raiser, or `on_behalf_of` is set), whatever `actor`
  says: an admin recording it for them, or, stored before that was refused, a manager naming
  them as actor. Not for a history imported in bulk (`source` import: the demo, generated
  data, a migration), whose every act an admin records for someone; those withdrawals are
  judged by the other patterns. Severity `on_behalf_severity` (high). Never cleared.
- `stalled` (a deadline, evaluated as of a day): a dispute not resolved by the end of the
  `dispute_limit_working_days`th working day (20; England's bank holidays excluded) after
  `Challenge.Raised`, in total, whatever its stages: the clock does not restart at an
  escalation, and a response that does not resolve it (a holding reply) does not stop it.
  The clock stops at `Resolved` or `Withdrawn`, at a referral to Cafcass, a request for
  arbitration or a court application (the dispute has left the authority), or when its case
  is closed after it was raised (judged by `closed_without_outcome`). Raised the day after the
  deadline; cleared by whichever stopped the clock. One flag per challenge. Severity `warning`,
  `high` once it has run `stalled_high_after_working_days` (60). A stalled dispute is called
  what it is, one left to drift: the ledger shows the delay, not why.
- `closed_without_outcome`: `Case.Closed`, by anyone but the raiser, while a challenge on the
  case is still open (not resolved or withdrawn, and no Cafcass outcome recorded, on or before
  the closure's date). Severity `high`. Cleared by the challenge's `Resolved` or
  `CafcassOutcomeRecorded` dated after the closure (the earliest, whatever order they came in).
  Judged again when the challenge is recorded after the closure (back-dated), and when its
  resolution, withdrawal or Cafcass outcome arrives: one dated on or before the closure but
  recorded after it shows the challenge was not open when the case closed, so the flag is
  *withdrawn* (kept, with a `withdrawn` history entry naming that record; see `flag.py`).

Ties between records on the same day are broken by their ids, never by the order they were
recorded in, so the flags do not depend on that order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.instruction import Instruction
from iro_ledger.domain.officer import Officer
from iro_ledger.projections.base import Envelope, EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import ChallengeFacts
from iro_ledger.projections.rules.flag import Flag, Severity
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "suppressed_challenge"
BASIS = ("NAIRO reports legitimate challenges suppressed: withdrawn under instruction, "
         "stalled, or never answered; IRO Handbook 6.2 expects a dispute to be resolved "
         "within 20 working days.")


def reads(book: Book, env: Envelope) -> Iterable[str]:
    event = env.event
    if isinstance(event, Challenge.Raised | Challenge.Resolved | Challenge.Withdrawn
                  | Challenge.CafcassOutcomeRecorded):
        yield env.record
    elif isinstance(event, Instruction.Recorded | Instruction.Rescinded):
        instruction = book.instructions[env.record]
        yield from (c.id for c in book.challenges.values()
                    if c.ended_as == "withdrawn" and instruction.is_to(c.officer_id))
    elif isinstance(event, Case.Closed):
        yield from (c.id for c in book.case_challenges(env.record))
    elif isinstance(event, Officer.DisciplinaryActionRecorded):
        yield from (c.id for c in book.officer_challenges(env.record)
                    if c.ended_as == "withdrawn")


def judge(book: Book, challenge_id: str, config: RulesConfig) -> Verdict:
    """The challenge's withdrawal after an instruction, and its case closing under it."""
    challenge = book.challenges[challenge_id]
    found = [f for f in (_withdrawal(book, challenge, config),
                         _withdrawn_after_threat(book, challenge, config),
                         _withdrawn_for(book, challenge, config),
                         _closure(book, challenge, config)) if f is not None]

    def why_not(flag: Flag, by: EventRef) -> str:
        return _why_not_closed(book, challenge, flag, by)


    return Verdict({"challenge_id": challenge.id}, found, why_not)


def _subjects(challenge: ChallengeFacts) -> dict[str, str]:
    return {"challenge_id": challenge.id, "case_id": challenge.case_id,
            "officer_id": challenge.officer_id}


def _withdrawal(book: Book, challenge: ChallengeFacts, rules: RulesConfig) -> Finding | None:
    config = rules.suppressed_challenge
    withdrawn = challenge.ended
    if withdrawn is None or challenge.ended_as != "withdrawn":
        return None
    day, window = withdrawn.occurred_on, timedelta(days=config.withdrawal_window_days)
    pressed = sorted((i for i in book.instructions_for(challenge.officer_id)
                      if i.recorded.occurred_on <= day <= i.recorded.occurred_on + window
                      or (i.kind in config.critical_instruction_kinds
                          and i.recorded.occurred_on <= day
                          and (i.rescinded is None or i.rescinded.occurred_on > day))),
                     key=lambda i: (i.recorded.occurred_on, i.id))
    if not pressed:
        return None
    critical = any(i.kind in config.critical_instruction_kinds for i in pressed)
    latest = pressed[-1]
    said_of = "; ".join(f"instruction {i.id} ({i.kind.replace('_', ' ')}) given by "
                        f"{book.who(i.actor)} on {said(i.recorded.occurred_on)}" for i in pressed)
    explanation = (
        f"On {said(day)}, {book.who(challenge.officer_id)} withdrew challenge {challenge.id} "
        f"about {book.child(challenge.case_id)}, raised on {said(challenge.raised.occurred_on)}, "
        f"{(day - latest.recorded.occurred_on).days} days after receiving {said_of}. "
        "A challenge withdrawn soon after a management instruction may have been suppressed.")
    return Finding(
        key={"challenge_id": challenge.id, "pattern": "withdrawn_after_instruction"},
        anchor=withdrawn, severity=Severity.CRITICAL if critical else config.withdrawn_severity,
        subjects={**_subjects(challenge), "instruction_id": latest.id},
        timeline=[raised(day, withdrawn, "the challenge was withdrawn")],
        evidence=[challenge.raised, *(i.recorded for i in pressed)],
        explanation=explanation,
        details={"pattern": "withdrawn_after_instruction",
                 "instruction_ids": [i.id for i in pressed],
                 "instruction_kinds": [i.kind for i in pressed],
                 "days_after_instruction": (day - latest.recorded.occurred_on).days})


def _withdrawn_after_threat(book: Book, challenge: ChallengeFacts,
                            rules: RulesConfig) -> Finding | None:
    """The challenge withdrawn within the window after disciplinary action was threatened or
    started against its raiser: the pressure came by another door than an instruction."""
    config = rules.suppressed_challenge
    withdrawn, officer = challenge.ended, book.officers.get(challenge.officer_id)
    if withdrawn is None or challenge.ended_as != "withdrawn" or officer is None:
        return None
    day, window = withdrawn.occurred_on, timedelta(days=config.withdrawal_window_days)
    threats = sorted((a for a in officer.disciplinary
                      if a.stage in rules.disciplinary_after_challenge.stages
                      and challenge.raised.occurred_on <= a.ref.occurred_on <= day
                      <= a.ref.occurred_on + window),
                     key=lambda a: (a.ref.occurred_on, a.ref.event_number))
    if not threats:
        return None
    latest = threats[-1]
    return Finding(
        key={"challenge_id": challenge.id, "pattern": "withdrawn_after_threat"},
        anchor=withdrawn, severity=Severity.CRITICAL, subjects=_subjects(challenge),
        timeline=[raised(day, withdrawn, "the challenge was withdrawn")],
        evidence=[challenge.raised, *(a.ref for a in threats)],
        explanation=(
            f"On {said(day)}, {book.who(challenge.officer_id)} withdrew challenge "
            f"{challenge.id} about {book.child(challenge.case_id)}, raised on "
            f"{said(challenge.raised.occurred_on)}, "
            f"{(day - latest.ref.occurred_on).days} days after disciplinary action against "
            f"them was {latest.stage} by {book.who(latest.actor)} on "
            f"{said(latest.ref.occurred_on)}. A challenge withdrawn soon after its raiser was "
            "threatened may have been suppressed."),
        details={"pattern": "withdrawn_after_threat", "actors": [a.actor for a in threats],
                 "days_after_threat": (day - latest.ref.occurred_on).days})


def _withdrawn_for(book: Book, challenge: ChallengeFacts, rules: RulesConfig) -> Finding | None:
    """A withdrawal the raiser did not record with their own principal, whatever `actor`
    says: the ledger holds no word of the raiser's that they withdrew. A history imported by
    an admin (`source` import) carries `on_behalf_of` on every act, and is judged only by the
    other patterns."""
    withdrawn, recorded = challenge.ended, challenge.withdrawn_for
    if (withdrawn is None or challenge.ended_as != "withdrawn" or recorded is None
            or recorded.source == "import"):
        return None
    day = withdrawn.occurred_on
    how = (f"on {book.who(recorded.on_behalf_of)}'s behalf" if recorded.on_behalf_of
           else f"naming {book.who(recorded.actor)} as the one who withdrew it")
    explanation = (
        f"Challenge {challenge.id}, raised by {book.who(challenge.officer_id)} on "
        f"{said(challenge.raised.occurred_on)} about {book.child(challenge.case_id)}, was "
        f"recorded as withdrawn on {said(day)} by {book.who(recorded.recorded_by)}, {how}, "
        f"not by {book.who(challenge.officer_id)} with their own sign-in. Only the raiser may "
        "withdraw a challenge; a withdrawal someone else records is how a challenge is "
        "quietly dropped.")
    return Finding(
        key={"challenge_id": challenge.id, "pattern": "withdrawn_on_behalf"}, anchor=withdrawn,
        severity=rules.suppressed_challenge.on_behalf_severity, subjects=_subjects(challenge),
        timeline=[raised(day, withdrawn, f"the withdrawal was recorded by "
                                         f"{recorded.recorded_by}")],
        evidence=[challenge.raised], explanation=explanation,
        details={"pattern": "withdrawn_on_behalf", "recorded_by": recorded.recorded_by,
                 "actor": recorded.actor, "on_behalf_of": recorded.on_behalf_of,
                 "source": recorded.source})


_OUTCOME_WORDS = {"Challenge.Resolved": "resolution", "Challenge.Withdrawn": "withdrawal",
                  "Challenge.CafcassOutcomeRecorded": "Cafcass outcome"}


def _closed(book: Book, challenge: ChallengeFacts) -> EventRef | None:
    """The closure of the challenge's case by anyone but its raiser, if any."""
    case = book.cases.get(challenge.case_id)
    if case is None or case.closed is None or case.closed_by == challenge.officer_id:
        return None
    return case.closed


def _outcomes(challenge: ChallengeFacts) -> list[EventRef]:
    """The resolution and the Cafcass outcome, in valid time."""
    return sorted((r for r in (challenge.ended if challenge.ended_as == "resolved" else None,
                               challenge.cafcass_outcome) if r is not None),
                  key=lambda r: (r.occurred_on, r.event_number))


def _closure(book: Book, challenge: ChallengeFacts, rules: RulesConfig) -> Finding | None:
    """The challenge's closed_without_outcome flag as now known."""
    closed = _closed(book, challenge)
    if closed is None:
        return None
    day = closed.occurred_on
    outcomes = _outcomes(challenge)
    if not challenge.open_on(day) or any(r.occurred_on <= day for r in outcomes):
        return None
    closer = book.cases[challenge.case_id].closed_by or "someone"
    stage = [s for s in challenge.stages if s.start.occurred_on <= day][-1]
    explanation = (
        f"On {said(day)}, {book.who(closer)} closed case {challenge.case_id} while challenge "
        f"{challenge.id}, raised by {book.who(challenge.officer_id)} on "
        f"{said(challenge.raised.occurred_on)}, was still open at "
        f"{stage.stage.replace('_', ' ')}, with no outcome recorded. A challenge ended by "
        "anyone but its raiser without an outcome has been suppressed.")
    timeline = [raised(day, closed, f"the case was closed by {closer}")]
    if outcomes:
        timeline.append(cleared(outcomes[0], "an outcome was recorded for the challenge."))
    return Finding(
        key={"challenge_id": challenge.id, "pattern": "closed_without_outcome"},
        anchor=closed, severity=rules.suppressed_challenge.closed_severity,
        subjects=_subjects(challenge), timeline=timeline, evidence=[challenge.raised],
        explanation=explanation,
        details={"pattern": "closed_without_outcome", "closed_by": closer})


def _why_not_closed(book: Book, challenge: ChallengeFacts, flag: Flag, by: EventRef) -> str:
    """Why a closed_without_outcome flag no longer stands: its outcome came late."""
    closed = _closed(book, challenge)
    if closed is None or flag.details.get("pattern") != "closed_without_outcome":
        return (f"{by.event_type} on {by.kind} {by.id}, recorded after the flag was raised, "
                "shows it does not apply.")
    day = closed.occurred_on
    ended = next((r for r in _outcomes(challenge) if r.occurred_on <= day), challenge.ended)
    assert ended is not None
    return (f"the {_OUTCOME_WORDS[ended.event_type]} of challenge {challenge.id}, "
            f"dated {said(ended.occurred_on)} and recorded after the flag was raised, "
            f"shows the challenge was no longer open, or had its outcome, when case "
            f"{challenge.case_id} closed on {said(day)}.")


# The stalled pattern: a deadline, judged as of a day.


def stalled_as_of(book: Book, day: date, config: RulesConfig) -> list[Finding]:
    found = [_stalled(book, c, day, config)
             for c in sorted(book.challenges.values(), key=lambda c: c.id)
             if c.raised.occurred_on <= day]
    return [f for f in found if f is not None]


_STOPPED = {"Challenge.Resolved": "the dispute was resolved",
            "Challenge.Withdrawn": "the IRO withdrew the challenge",
            "Challenge.ReferredToCafcass": "the IRO referred the dispute to Cafcass",
            "Challenge.ArbitrationRequested": "the IRO asked for arbitration",
            "Challenge.LegalStepRecorded": "an application was made to the court",
            "Case.Closed": "the case was closed"}


def _clock_stop(book: Book, challenge: ChallengeFacts) -> EventRef | None:
    """What stopped the dispute's clock, in valid time: its end, its leaving the authority, or
    the closing of its case after it was raised (a challenge to the closure runs on)."""
    stops = [r for r in (challenge.ended, challenge.left_protocol) if r is not None]
    case = book.cases.get(challenge.case_id)
    if (case is not None and case.closed is not None
            and case.closed.occurred_on >= challenge.raised.occurred_on):
        stops.append(case.closed)
    return min(stops, key=lambda r: (r.occurred_on, r.position), default=None)


def _stalled(book: Book, challenge: ChallengeFacts, day: date,
             rules: RulesConfig) -> Finding | None:
    config = rules.suppressed_challenge
    limit = config.dispute_limit_working_days
    calendar = rules.working_calendar()
    start = challenge.raised.occurred_on
    deadline = calendar.add_working_days(start, limit)
    stop = _clock_stop(book, challenge)
    if stop is not None and stop.occurred_on > day:
        stop = None
    if day <= deadline or (stop is not None and stop.occurred_on <= deadline):
        return None
    timeline = [raised(deadline + timedelta(days=1), None,
                       f"not resolved within {limit} working days (by {said(deadline)})")]
    until = day if stop is None else stop.occurred_on
    working = calendar.working_days_between(start, until)
    answers = [a for a in challenge.answers if a.occurred_on <= until
               and a.event_type == "Challenge.Responded"]
    reached = [s for s in challenge.stages if s.start.occurred_on <= until]
    if stop is not None:
        what = _STOPPED.get(stop.event_type, "the dispute left the local protocol")
        timeline.append(cleared(stop, f"{what}, after {working} working days."))
        course = f"On {said(stop.occurred_on)}, after {working} working days, {what}."
    else:
        course = f"As of {said(day)} it had run {working} working days without resolution."
    replies = (f" The authority responded {len(answers)} time{'s' if len(answers) != 1 else ''}"
               " without resolving it." if answers else " The authority never responded.")
    stages = ("" if len(reached) == 1 else
              " It went through " + ", ".join(s.stage.replace("_", " ") for s in reached) + ".")
    explanation = (
        f"Challenge {challenge.id}, raised by {book.who(challenge.officer_id)} on "
        f"{said(start)} about {book.child(challenge.case_id)}, was not resolved within "
        f"{limit} working days of being raised, that is by {said(deadline)} (weekends and "
        f"England's bank holidays not counted). {course}{replies}{stages} The IRO Handbook "
        "(6.2) expects a dispute to be resolved within 20 working days in total, not at each "
        "stage; a dispute left to drift leaves the child's plan unsettled.")
    return Finding(
        key={"challenge_id": challenge.id, "pattern": "stalled"}, anchor=challenge.raised,
        severity=(Severity.HIGH if working > config.stalled_high_after_working_days
                  else config.stalled_severity),
        subjects=_subjects(challenge), timeline=timeline,
        evidence=[*(s.start for s in reached), *answers], explanation=explanation,
        details={"pattern": "stalled", "limit_working_days": limit,
                 "deadline": deadline.isoformat(), "working_days": working,
                 "responses": len(answers), "stages": [s.stage for s in reached],
                 "stopped_by": None if stop is None else stop.event_type})


RULE = Rule(NAME, BASIS, reads=reads, judge=judge, as_of=stalled_as_of,
            watch=("Challenge.*", "Case.Closed"))
