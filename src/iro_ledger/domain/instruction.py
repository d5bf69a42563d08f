"""A management instruction to IROs, recorded by whoever can evidence it, often its recipient."""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.domain.errors import InvalidValue, InvariantViolation
from iro_ledger.domain.record import LedgerRecord, Stamp, check_choice, check_ref
from iro_ledger.domain.values import ALL_IROS, InstructionKind


class Instruction(LedgerRecord):
    KIND = "instruction"

    def __init__(self, la_code: str, ref: str, occurred_on: date, issued_to: list[str],
                 kind: str, text: str) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.issued_to = issued_to
        self.kind = kind
        self.in_force = True

    class Recorded(LedgerRecord.Created):

        ERASABLE = ("text",)
        issued_to: list[str]
        """Officer ids, or the single value `all_iros`."""
        kind: str
        text: str

    class Rescinded(LedgerRecord.Event):
        def apply(self, aggregate: Any) -> None:
            aggregate.in_force = False

    @classmethod
    def record(cls, la_code: str, instruction_id: str, issued_to: list[str], kind: str,
               text: str, stamp: Stamp) -> Instruction:
        """`stamp.actor` is who gave the instruction; the officers must already be checked."""
        check_choice("kind", kind, InstructionKind)
        if not issued_to:
            raise InvalidValue("issued_to", "name the officers, or all_iros")
        if ALL_IROS in issued_to and len(issued_to) > 1:
            raise InvalidValue("issued_to", "all_iros stands alone")
        for officer_id in issued_to:
            check_ref("issued_to", officer_id)
        return cls._begin(cls.Recorded, la_code, instruction_id, stamp, issued_to=issued_to,
                          kind=kind, text=text)

    def rescind(self, stamp: Stamp) -> None:
        if not self.in_force:
            raise InvariantViolation(f"instruction {self.ref} is already rescinded")
        self._record(self.Rescinded, stamp)
