"""What stands around a dispute: the records it takes in, and which flags touch it.

A dispute is a challenge. Around it stand its case, the officer who raised it, the
instructions that officer received that were in force while it ran (and those on the case's
timeline, given to whoever held the case), and what management did
to the officer (disciplinary action, an engagement ended, cases taken away). A flag touches
the dispute when one of its subjects or one of its evidence events is one of those records.
The same `Scope` decides what a dispute bundle holds and what an arbitrator the dispute is
referred to may open on the dashboard: everything in the bundle, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from iro_ledger.projections.rules.flag import Flag

ENDINGS_NOT_BY_MANAGEMENT = frozenset({"resigned", "retired"})
"""How an engagement ends by the officer's own doing; every other ending is management's."""


@dataclass
class Scope:
    """The records around one or more disputes of one authority, by kind and id."""

    la_code: str
    challenges: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)
    officers: set[str] = field(default_factory=set)
    instructions: set[str] = field(default_factory=set)

    def holds(self, kind: str, ref: str) -> bool:
        chosen = {"challenge": self.challenges, "case": self.cases, "officer": self.officers,
                  "instruction": self.instructions}.get(kind)
        return chosen is not None and ref in chosen

    def touches(self, flag: Flag) -> bool:
        """Whether a flag of this authority is about, or rests on, a record in scope."""
        if flag.la_code != self.la_code:
            return False
        subjects = {"challenge_id": "challenge", "case_id": "case", "officer_id": "officer",
                    "instruction_id": "instruction"}
        return (any(self.holds(subjects[k], v) for k, v in flag.subjects.items()
                    if k in subjects)
                or any(self.holds(ref.kind, ref.id) for ref in flag.evidence))

    def add(self, challenge: dict[str, Any], officer: dict[str, Any] | None,
            timeline: dict[str, Any] | None, as_of: str) -> None:
        """Take in one dispute (a register document) with its officer's record and its case's
        timeline (whose instructions, given to whoever held the case, are in the bundle too)."""
        if timeline is not None:
            self.instructions.update(e["ref"]["id"] for e in timeline["entries"]
                                     if e["ref"]["kind"] == "instruction")
        self.challenges.add(challenge["challenge_id"])
        self.cases.add(challenge["case_id"])
        self.officers.add(challenge["officer_id"])
        if officer is not None:
            self.instructions.update(i["instruction_id"] for i in
                                     in_force(officer["instructions"], challenge, as_of))


def in_force(instructions: Iterable[dict[str, Any]], challenge: dict[str, Any],
             as_of: str) -> list[dict[str, Any]]:
    """The officer's instructions in force at some time from the challenge's raising to its
    close (or `as_of` while it runs): given by then and not rescinded before it was raised."""
    start, end = challenge["raised_on"], challenge["closed_on"] or as_of
    return [i for i in instructions
            if i["issued_on"] <= end and (i["rescinded_on"] is None or i["rescinded_on"] >= start)]


def acts_against(officer: dict[str, Any]) -> list[dict[str, Any]]:
    """What management did to the officer, oldest first: disciplinary action threatened,
    started or concluded; the engagement ended (unless by resigning or retiring); cases
    taken from them by reassignment while they were still engaged. Each with the event
    that records it (`ref`)."""
    acts = [{"on": d["on"], "act": f"disciplinary action {d['stage']}", "by": d["actor"],
             "detail": d["stated_reason"], "ref": d["ref"]} for d in officer["disciplinary"]]
    ended = officer["ended"]
    if ended is not None and ended["how"] not in ENDINGS_NOT_BY_MANAGEMENT:
        acts.append({"on": ended["on"], "act": f"engagement ended: {ended['how']}",
                     "by": ended["actor"], "detail": ended["reason"], "ref": ended["ref"]})
    gone = ended["on"] if ended is not None else None
    for holding in officer["holdings"]:
        taken = holding.get("to_ref")
        if (taken is not None and taken["type"] == "Case.IroAssigned"
                and (gone is None or holding["to"] < gone)):
            acts.append({"on": holding["to"], "act": f"case {holding['case_id']} reassigned",
                         "by": None, "detail": None, "ref": taken})
    return sorted(acts, key=lambda a: (a["on"], a["ref"]["position"]))
