"""permission_required: an instruction that IROs must ask permission to challenge or refer.

Basis: the IRO's duty to challenge the authority and to refer a child's case to Cafcass is the
IRO's own (Children Act 1989 s.25B; IRO Handbook, dispute resolution); NAIRO reports
instructions requiring a senior manager's permission as constraints on independence.

Raised by `Instruction.Recorded` of a configured kind (permission_before_challenge,
permission_before_cafcass_referral), on the day it was given; cleared by that instruction's
`Instruction.Rescinded`.
"""

from __future__ import annotations

from collections.abc import Iterable

from iro_ledger.domain.instruction import Instruction
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import ALL_IROS
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "permission_required"
BASIS = ("The IRO's duty to challenge and to refer a child's case to Cafcass is the IRO's own "
         "(Children Act 1989 s.25B; IRO Handbook); NAIRO reports instructions requiring a "
         "manager's permission as constraints on IROs' independence.")
_WHAT = {
    "permission_before_challenge": "obtain a senior manager's permission before challenging",
    "permission_before_cafcass_referral":
        "obtain a senior manager's permission before referring a case to Cafcass",
}


def reads(book: Book, env: Envelope) -> Iterable[str]:
    if isinstance(env.event, Instruction.Recorded | Instruction.Rescinded):
        yield env.record


def judge(book: Book, instruction_id: str, config: RulesConfig) -> Verdict:
    instruction = book.instructions[instruction_id]
    found: list[Finding] = []
    if instruction.kind in config.permission_required.kinds:
        subjects = {"instruction_id": instruction.id}
        if instruction.issued_to != [ALL_IROS] and len(instruction.issued_to) == 1:
            subjects["officer_id"] = instruction.issued_to[0]
        to = (f"every IRO of {book.place()}" if ALL_IROS in instruction.issued_to
              else ", ".join(book.who(o) for o in instruction.issued_to))
        what = _WHAT.get(instruction.kind, f"act only with permission ({instruction.kind})")
        given = instruction.recorded
        timeline = [raised(given.occurred_on, given, "the instruction was given")]
        if instruction.rescinded is not None:
            timeline.append(cleared(instruction.rescinded, "the instruction was rescinded by "
                                    f"{book.who(instruction.rescinded_by or '')}."))
        found.append(Finding(
            key=subjects, anchor=given, severity=config.permission_required.severity,
            subjects=subjects, timeline=timeline, evidence=[given],
            explanation=(
                f"On {said(given.occurred_on)}, {book.who(instruction.actor)} instructed {to} "
                f"to {what} (instruction {instruction.id}: \"{_quote(instruction.text)}\"). "
                "An IRO's duty to challenge and to refer to Cafcass is the IRO's own; while "
                "this instruction is in force it stands between the IRO and that duty."),
            details={"kind": instruction.kind, "issued_to": list(instruction.issued_to),
                     "given_by": instruction.actor}))
    return Verdict({"instruction_id": instruction.id}, found)


def _quote(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
