"""Management instructions to IROs, and their rescinding."""

from __future__ import annotations

import pytest

from iro_ledger.domain.errors import BadTiming, InvalidValue, InvariantViolation
from iro_ledger.domain.instruction import Instruction
from iro_ledger.domain.values import InstructionKind
from tests.builders import LA, stamp


def instruction(issued_to: list[str] | None = None, kind: str = "permission_before_challenge",
                on: str = "2024-04-01") -> Instruction:
    return Instruction.record(LA, "ins-1", issued_to or ["iro-kit"], kind,
                              "speak to me before raising anything formal",
                              stamp(on, actor="hos-sam", recorded_by="iro-kit"))


@pytest.mark.parametrize("kind", list(InstructionKind))
def test_an_instruction_is_in_force_once_recorded(kind: InstructionKind) -> None:
    given = instruction(kind=kind)

    assert (given.kind, given.issued_to, given.in_force) == (kind, ["iro-kit"], True)


def test_an_instruction_is_attributed_to_whoever_gave_it_not_who_recorded_it() -> None:
    recorded = instruction().collect_events()[0]

    assert isinstance(recorded, Instruction.Recorded)
    assert (recorded.actor, recorded.recorded_by) == ("hos-sam", "iro-kit")


def test_an_instruction_may_be_issued_to_all_iros() -> None:
    assert instruction(["all_iros"]).issued_to == ["all_iros"]


def test_all_iros_stands_alone() -> None:
    with pytest.raises(InvalidValue) as refused:
        instruction(["all_iros", "iro-kit"])
    assert refused.value.field == "issued_to"


def test_an_instruction_names_who_it_was_issued_to() -> None:
    with pytest.raises(InvalidValue) as refused:
        Instruction.record(LA, "ins-1", [], "other", "", stamp())
    assert refused.value.field == "issued_to"


def test_an_unknown_kind_of_instruction_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        instruction(kind="be_nice")
    assert refused.value.field == "kind"


def test_a_rescinded_instruction_is_no_longer_in_force() -> None:
    given = instruction()

    given.rescind(stamp(actor="hos-sam"))

    assert not given.in_force
    assert isinstance(given.collect_events()[-1], Instruction.Rescinded)


def test_an_instruction_is_rescinded_once() -> None:
    given = instruction()
    given.rescind(stamp())

    with pytest.raises(InvariantViolation, match="already rescinded"):
        given.rescind(stamp())


def test_an_instruction_cannot_be_rescinded_before_it_was_given() -> None:
    with pytest.raises(BadTiming):
        instruction(on="2024-04-01").rescind(stamp("2024-03-31"))
