"""permission_required: an instruction that IROs must ask permission to challenge or refer.

Basis: the IRO's duty to challenge the authority and to refer a child's case to Cafcass is the
IRO's own (Children Act 1989 s.25B; IRO Handbook, dispute resolution); NAIRO reports
instructions requiring a senior manager's permission as constraints on independence.

Raised by `Instruction.Recorded` of a configured kind (permission_before_challenge,
permission_before_cafcass_referral), on the day it was given; cleared by that instruction's
`Instruction.Rescinded`.
"""

from __future__ import annotations

from iro_ledger.domain.instruction import Instruction
from iro_ledger.projections.rules.facts import ALL_IROS, Book, said
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "permission_required"
BASIS = ("The IRO's duty to challenge and to refer a child's case to Cafcass is the IRO's own "
         "(Children Act 1989 s.25B; IRO Handbook); NAIRO reports instructions requiring a "
         "manager's permission as constraints on IROs' independence.")
_WHAT = {
    "permission_before_challenge": "obtain a senior manager's permission before challenging",
    "permission_before_cafcass_referral":
        "obtain a senior manager's permission before referring a case to Cafcass",
}


def react(book: Book, seen: Seen, ctx: Context) -> None:
    config = ctx.config.permission_required
    if isinstance(seen.event, Instruction.Recorded) and seen.event.kind in config.kinds:
        instruction = book.instructions[seen.record]
        subjects = {"instruction_id": instruction.id}
        if instruction.issued_to != [ALL_IROS] and len(instruction.issued_to) == 1:
            subjects["officer_id"] = instruction.issued_to[0]
        to = (f"every IRO of {book.place()}" if ALL_IROS in instruction.issued_to
              else ", ".join(book.who(o) for o in instruction.issued_to))
        what = _WHAT.get(instruction.kind, f"act only with permission ({instruction.kind})")
        explanation = (
            f"On {said(seen.ref.occurred_on)}, {book.who(instruction.actor)} instructed {to} to "
            f"{what} (instruction {instruction.id}: \"{_quote(instruction.text)}\"). "
            "An IRO's duty to challenge and to refer to Cafcass is the IRO's own; while this "
            "instruction is in force it stands between the IRO and that duty.")
        book.raise_flag(RULE, config.severity, subjects, anchor=seen.ref,
                        on=seen.ref.occurred_on, by=seen.ref, note="the instruction was given",
                        evidence=[seen.ref], explanation=explanation, basis=BASIS,
                        details={"kind": instruction.kind,
                                 "issued_to": list(instruction.issued_to),
                                 "given_by": instruction.actor})
    elif isinstance(seen.event, Instruction.Rescinded):
        for flag in book.open_flags(RULE, instruction_id=seen.record):
            book.clear_flag(flag, seen.ref,
                            f"the instruction was rescinded by {book.who(seen.actor)}.")


def _quote(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


UNIT = RuleUnit(RULE, BASIS, react=react)
