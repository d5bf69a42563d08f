"""instruction_in_force: an instruction to drop or hold back challenges that stands, and the
challenges it held back.

Basis: the IRO's duty to challenge the authority, to escalate a dispute through its protocol
and to refer a case to Cafcass is the IRO's own (Children Act 1989 s.25B; IRO Handbook,
chapter 6); NAIRO's letter reports "management constraints to genuinely independent
practice, with legitimate challenges being suppressed", authorities that "take steps to
discourage or suppress" challenges. The Handbook (6.2) expects a whole dispute resolved within
20 working days: an instruction not to escalate that outlasts that is no short pause.

Instructions of a `kinds` kind (withdraw_challenge, do_not_escalate) only: their kind says
what they demand. Instructions of kind `other` are not judged (only their text, which the
rules never read, says what they ask), and permission rules are `permission_required`'s. A
challenge withdrawn under such an instruction is `suppressed_challenge`'s
(`withdrawn_after_instruction`). Two patterns, named in the flag's `details.pattern`:

- `stood` (a deadline, judged as of a day): the instruction not rescinded by the end of the
  `window_working_days`th working day (20; England's bank holidays excluded) after it was
  given. Raised the day after; cleared by its `Instruction.Rescinded`. One flag per
  instruction. Severity `severity` (high). Its details name the recipients' challenges that
  were open while it stood (`challenges_open`).
- `challenge_not_pursued`: a challenge of a recipient (the officers named, or every IRO)
  resolved with an outcome of `not_pursued_outcomes` (not upheld, partially upheld) on a day
  the instruction was in force (given on or before it, not rescinded by it), and neither
  escalated, referred to Cafcass or arbitration, nor taken to law from the day the
  instruction was given to the day it was resolved: the IRO accepted the answer they were
  told not to take further. Raised on the resolution's day; never cleared. One flag per
  instruction and challenge. Severity `not_pursued_severity` (high). A later referral to
  Cafcass does not withdraw it: the challenge was not pursued while the instruction stood.

Ties on one day count the instruction as given first (an investigator cannot tell the order).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.instruction import Instruction
from iro_ledger.projections.base import Envelope, EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import ALL_IROS, ChallengeFacts, InstructionFacts
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "instruction_in_force"
BASIS = ("The IRO's duty to challenge, to escalate a dispute and to refer to Cafcass is the "
         "IRO's own (Children Act 1989 s.25B; IRO Handbook, chapter 6); NAIRO reports "
         "management constraints on independent practice, with legitimate challenges "
         "suppressed.")
_WHAT = {"withdraw_challenge": "withdraw a challenge",
         "do_not_escalate": "not escalate a challenge"}
_PURSUED = (Challenge.Escalated, Challenge.ReferredToCafcass, Challenge.ArbitrationRequested,
            Challenge.LegalStepRecorded, Challenge.Resolved, Challenge.Raised)


def reads(book: Book, env: Envelope) -> Iterable[str]:
    if isinstance(env.event, Instruction.Recorded | Instruction.Rescinded):
        yield env.record
    elif isinstance(env.event, _PURSUED):
        challenge = book.challenges[env.record]
        yield from (i.id for i in book.instructions_for(challenge.officer_id))


def judge(book: Book, instruction_id: str, config: RulesConfig) -> Verdict:
    """The recipients' challenges resolved against them, not pursued, while it stood."""
    instruction = book.instructions[instruction_id]
    found: list[Finding] = []
    if instruction.kind in config.instruction_in_force.kinds:
        found = [f for f in (_not_pursued(book, instruction, c, config)
                             for c in _recipients_challenges(book, instruction))
                 if f is not None]
    return Verdict({"instruction_id": instruction.id}, found)


def _recipients_challenges(book: Book, instruction: InstructionFacts) -> list[ChallengeFacts]:
    found = (book.challenges.values() if ALL_IROS in instruction.issued_to
             else {c.id: c for o in instruction.issued_to
                   for c in book.officer_challenges(o)}.values())
    return sorted(found, key=lambda c: (c.raised.occurred_on, c.id))


def _in_force_on(instruction: InstructionFacts, day: date) -> bool:
    rescinded = instruction.rescinded
    return instruction.recorded.occurred_on <= day and (
        rescinded is None or rescinded.occurred_on > day)


def _to(book: Book, instruction: InstructionFacts) -> str:
    return (f"every IRO of {book.place()}" if ALL_IROS in instruction.issued_to
            else ", ".join(book.who(o) for o in instruction.issued_to))


def _subjects(instruction: InstructionFacts) -> dict[str, str]:
    subjects = {"instruction_id": instruction.id}
    if ALL_IROS not in instruction.issued_to and len(instruction.issued_to) == 1:
        subjects["officer_id"] = instruction.issued_to[0]
    return subjects


def _not_pursued(book: Book, instruction: InstructionFacts, challenge: ChallengeFacts,
                 rules: RulesConfig) -> Finding | None:
    config = rules.instruction_in_force
    resolved = challenge.ended
    if (resolved is None or challenge.ended_as != "resolved"
            or challenge.outcome not in config.not_pursued_outcomes
            or not _in_force_on(instruction, resolved.occurred_on)):
        return None
    given, day = instruction.recorded.occurred_on, resolved.occurred_on
    pressed = [r for r in (*(s.start for s in challenge.stages[1:]), *challenge.legal_steps,
                           challenge.left_protocol) if r is not None]
    if any(given <= r.occurred_on <= day for r in pressed):
        return None
    stage = [s for s in challenge.stages if s.start.occurred_on <= day][-1]
    outcome = (challenge.outcome or "").replace("_", " ")
    explanation = (
        f"On {said(given)}, {book.who(instruction.actor)} instructed {_to(book, instruction)} "
        f"to {_WHAT.get(instruction.kind, instruction.kind.replace('_', ' '))} (instruction "
        f"{instruction.id}). Challenge {challenge.id}, raised by "
        f"{book.who(challenge.officer_id)} on {said(challenge.raised.occurred_on)} about "
        f"{book.child(challenge.case_id)}, was resolved as {outcome} at "
        f"{stage.stage.replace('_', ' ')} on {said(day)} while the instruction was in force, "
        "and was taken no further: not escalated, not referred to Cafcass or arbitration. "
        "Whether to press a dispute is the IRO's own judgement; one dropped under an "
        "instruction not to press it may have been suppressed.")
    return Finding(
        key={"instruction_id": instruction.id, "challenge_id": challenge.id,
             "pattern": "challenge_not_pursued"},
        anchor=resolved, severity=config.not_pursued_severity,
        subjects={**_subjects(instruction), "challenge_id": challenge.id,
                  "case_id": challenge.case_id, "officer_id": challenge.officer_id},
        timeline=[raised(day, resolved, f"the challenge was resolved as {outcome} and taken "
                                        "no further")],
        evidence=[instruction.recorded, challenge.raised, *challenge.answers],
        explanation=explanation,
        details={"pattern": "challenge_not_pursued", "kind": instruction.kind,
                 "given_by": instruction.actor, "outcome": challenge.outcome,
                 "stage": stage.stage, "days_after_instruction": (day - given).days})


# The stood pattern: a deadline, judged as of a day.


def stood_as_of(book: Book, day: date, rules: RulesConfig) -> list[Finding]:
    found = [_stood(book, i, day, rules)
             for i in sorted(book.instructions.values(), key=lambda i: i.id)
             if i.kind in rules.instruction_in_force.kinds and i.recorded.occurred_on <= day]
    return [f for f in found if f is not None]


def _stood(book: Book, instruction: InstructionFacts, day: date,
           rules: RulesConfig) -> Finding | None:
    config = rules.instruction_in_force
    calendar = rules.working_calendar()
    given = instruction.recorded.occurred_on
    deadline = calendar.add_working_days(given, config.window_working_days)
    rescinded = instruction.rescinded
    if rescinded is not None and rescinded.occurred_on > day:
        rescinded = None
    if day <= deadline or (rescinded is not None and rescinded.occurred_on <= deadline):
        return None
    timeline = [raised(deadline + timedelta(days=1), None,
                       f"still in force {config.window_working_days} working days after it "
                       f"was given (on {said(deadline)})")]
    until = day if rescinded is None else rescinded.occurred_on
    working = calendar.working_days_between(given, until)
    if rescinded is not None:
        timeline.append(cleared(rescinded, "the instruction was rescinded by "
                                f"{book.who(instruction.rescinded_by or '')}, after "
                                f"{working} working days."))
        course = f"It was rescinded on {said(rescinded.occurred_on)}, after {working} working days."
    else:
        course = f"As of {said(day)} it had stood {working} working days, never rescinded."
    held = [c for c in _recipients_challenges(book, instruction)
            if c.raised.occurred_on <= until
            and (c.ended is None or c.ended.occurred_on >= given)]
    during = ("" if not held else
              " While it stood, the recipients' challenges "
              + ", ".join(f"{c.id} ({book.child(c.case_id)})" for c in held) + " were open.")
    what = _WHAT.get(instruction.kind, instruction.kind.replace("_", " "))
    explanation = (
        f"On {said(given)}, {book.who(instruction.actor)} instructed {_to(book, instruction)} "
        f"to {what} (instruction {instruction.id}). {course}{during} Whether to challenge, "
        "escalate or refer to Cafcass is the IRO's own duty; an instruction to drop or hold "
        "back challenges that stands longer than a whole dispute should take (IRO Handbook "
        "6.2: 20 working days) constrains that duty.")
    evidence: list[EventRef] = [instruction.recorded, *(c.raised for c in held)]
    return Finding(
        key={"instruction_id": instruction.id, "pattern": "stood"},
        anchor=instruction.recorded, severity=config.severity,
        subjects=_subjects(instruction), timeline=timeline, evidence=evidence,
        explanation=explanation,
        details={"pattern": "stood", "kind": instruction.kind,
                 "issued_to": list(instruction.issued_to), "given_by": instruction.actor,
                 "window_working_days": config.window_working_days,
                 "deadline": deadline.isoformat(), "working_days": working,
                 "challenges_open": [c.id for c in held]})


RULE = Rule(NAME, BASIS, reads=reads, judge=judge, as_of=stood_as_of,
            watch=("Instruction.*",))
