"""The case timeline: every event touching a case, its challenges, concerns raised about it
outside the protocol, and instructions to its IROs.

Case, challenge and concern events are filed under their case as they arrive. Instructions are
kept once per authority and joined at read time to the cases whose IRO they were addressed to on
the day they were given (or to every open case, for `all_iros`), because an IRO's holding of a
case is only known once every assignment, including backdated ones, has been recorded.
Entries are ordered by `occurred_on`, then store position; each carries its provenance,
including `on_behalf_of` when someone recorded one person's own act for them, and `days_late`:
how long after the day it claims it was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from iro_ledger.domain.record import days_late
from iro_ledger.domain.values import ALL_IROS
from iro_ledger.projections.base import Envelope, ReadModel
from iro_ledger.projections.db import Tx
from iro_ledger.projections.docs import Doc, Docs, Table, keys_of, tx_docs

ENTRIES = Table("timeline_v3", key=("la_code", "case_id", "position"),
                columns=("occurred_on",), integers=frozenset({"position"}), append_only=True)
"""An event is filed once, under one case, when it is applied (exactly once)."""
CASES = Table("timeline_cases_v3", key=("la_code", "case_id"))
CHALLENGES = Table("timeline_challenges_v3", key=("la_code", "challenge_id"))
INSTRUCTIONS = Table("timeline_instructions_v3", key=("la_code", "instruction_id"))
TABLES = (ENTRIES, CASES, CHALLENGES, INSTRUCTIONS)


def apply_events(docs: Docs, batch: Iterable[Envelope]) -> None:
    """The pure core: file each event under its case, remember who held each case when."""
    for env in batch:
        if env.kind == "case":
            _case_event(docs, env)
        elif env.kind == "challenge":
            _challenge_event(docs, env)
        elif env.kind == "instruction":
            _instruction_event(docs, env)
        elif env.kind == "concern" and getattr(env.event, "case_id", None):
            _file(docs, env, env.event.case_id, "concern")  # raised outside the protocol


def _file(docs: Docs, env: Envelope, case_id: str, via: str) -> None:
    docs.put(ENTRIES, {"la_code": env.la_code, "case_id": case_id, "position": env.position,
                       "via": via, **env.entry()})


def _case_event(docs: Docs, env: Envelope) -> None:
    _file(docs, env, env.record, "case")
    day = env.occurred_on.isoformat()
    if env.type == "Case.Opened":
        docs.put(CASES, {"la_code": env.la_code, "case_id": env.record, "opened_on": day,
                         "closed_on": None, "holdings": []})
        return
    case = docs.get(CASES, env.la_code, env.record)
    if case is None:
        return
    if env.type == "Case.IroAssigned":
        case["holdings"].append({"officer_id": env.event.officer_id, "from": day,
                                 "position": env.position})
    elif env.type == "Case.Closed":
        case["closed_on"] = day
    else:
        return
    docs.touch(CASES, case)


def _challenge_event(docs: Docs, env: Envelope) -> None:
    if env.type == "Challenge.Raised":
        case_id: str = env.event.case_id
        docs.put(CHALLENGES, {"la_code": env.la_code, "challenge_id": env.record,
                              "case_id": case_id})
    else:
        known = docs.get(CHALLENGES, env.la_code, env.record)
        if known is None:
            return
        case_id = known["case_id"]
    _file(docs, env, case_id, "challenge")


def _instruction_event(docs: Docs, env: Envelope) -> None:
    entry = {"via": "instruction", **env.entry()}
    if env.type == "Instruction.Recorded":
        docs.put(INSTRUCTIONS, {"la_code": env.la_code, "instruction_id": env.record,
                                "issued_to": list(env.event.issued_to),
                                "issued_on": env.occurred_on.isoformat(), "entries": [entry]})
        return
    instruction = docs.get(INSTRUCTIONS, env.la_code, env.record)
    if instruction is not None:
        instruction["entries"].append(entry)
        docs.touch(INSTRUCTIONS, instruction)


def holders(case: Doc) -> list[tuple[str, str, str | None]]:
    """(officer_id, from, to) for each holding of the case, to None while it runs."""
    ordered = sorted(case["holdings"], key=lambda h: (h["from"], h["position"]))
    spans = []
    for i, holding in enumerate(ordered):
        end = ordered[i + 1]["from"] if i + 1 < len(ordered) else case["closed_on"]
        spans.append((holding["officer_id"], holding["from"], end))
    return spans


def addressed_to_case(instruction: Doc, case: Doc) -> bool:
    """Whether the instruction was given, while the case was open, to an IRO then holding it."""
    day = instruction["issued_on"]
    if day < case["opened_on"] or (case["closed_on"] is not None and day > case["closed_on"]):
        return False
    if ALL_IROS in instruction["issued_to"]:
        return True
    return any(officer in instruction["issued_to"] and start <= day and (end is None or day <= end)
               for officer, start, end in holders(case))


def assemble(case: Doc, entries: Sequence[Doc], instructions: Iterable[Doc]) -> dict[str, Any]:
    """The timeline as readers get it: entries in order, the IROs who held the case."""
    relevant = [e for i in instructions if addressed_to_case(i, case) for e in i["entries"]]
    ordered = sorted([*entries, *relevant],
                     key=lambda e: (e["occurred_on"], e["ref"]["position"]))
    bodies = sorted({e["fields"]["body"] for e in ordered
                     if e["ref"]["type"] == "Challenge.ArbitrationRequested"})
    return {
        "la_code": case["la_code"], "case_id": case["case_id"],
        "opened_on": case["opened_on"], "closed_on": case["closed_on"],
        "iros": [{"officer_id": o, "from": s, "to": t} for o, s, t in holders(case)],
        "arbitration_bodies": bodies,
        "entries": [{**{k: v for k, v in e.items() if k not in ("la_code", "case_id", "position")},
                     "days_late": _days_late(e)} for e in ordered],
    }


def _days_late(entry: Doc) -> int:
    """How late the entry was recorded, worked out when read, so stored entries need no
    new version."""
    return days_late(date.fromisoformat(entry["occurred_on"]),
                     datetime.fromisoformat(entry["recorded_at"]))


def read_timeline(tx: Tx, la_code: str, case_id: str) -> dict[str, Any] | None:
    """A case's timeline from the tables, None when the case is not (yet) projected."""
    case = CASES.load(tx, (la_code, case_id))
    if case is None:
        return None
    entries = ENTRIES.select(tx, "la_code = ? AND case_id = ?", (la_code, case_id))
    instructions = INSTRUCTIONS.select(tx, "la_code = ?", (la_code,))
    return assemble(case, entries, instructions)


def read_cases(tx: Tx, la_code: str) -> list[Doc]:
    """Every case of an authority with who held it when (`iros`: officer_id, from, to)."""
    return [{**case, "iros": holders(case)} for case in CASES.select(tx, "la_code = ?",
                                                                      (la_code,))]


class Timeline(ReadModel):
    name = "timeline"
    version = 3
    """2: entries say `on_behalf_of` (who an act was recorded for, when not by themselves).
    3: concerns raised outside the protocol about a case are on its timeline."""
    tables = tuple(t.name for t in TABLES)

    def create(self, tx: Tx) -> None:
        for table in TABLES:
            table.create(tx)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        docs = tx_docs(tx)
        docs.prefetch(CASES, keys_of(batch, ["case"]))
        docs.prefetch(CHALLENGES, keys_of(batch, ["challenge"]))
        docs.prefetch(INSTRUCTIONS, keys_of(batch, ["instruction"]))
        apply_events(docs, batch)
        docs.save(tx)
