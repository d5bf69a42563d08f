"""The officer record: engagement, cases held over time, challenges raised, instructions
received, disciplinary actions.

Holdings are kept as dated spans per officer (from an assignment to the next assignment of the
case or its closure); the caseload on any day is counted from them when read. Instructions are
kept once per authority: an officer received those addressed to them by name, and those to
all IROs given while they were engaged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from iro_ledger.domain.values import ALL_IROS
from iro_ledger.projections.base import Envelope, ReadModel
from iro_ledger.projections.db import Tx
from iro_ledger.projections.docs import Doc, Docs, Table, keys_of, tx_docs
from iro_ledger.projections.periods import months

OFFICERS = Table("officers_v1", key=("la_code", "officer_id"), columns=("role", "status"))
CASES = Table("officers_cases_v1", key=("la_code", "case_id"))
INSTRUCTIONS = Table("officers_instructions_v1", key=("la_code", "instruction_id"),
                     columns=("kind",))
TABLES = (OFFICERS, CASES, INSTRUCTIONS)


def apply_events(docs: Docs, batch: Iterable[Envelope]) -> None:
    """The pure core: officers' documents, who holds each case, and the instructions given."""
    for env in batch:
        step = _STEPS.get(env.type)
        if step is not None:
            step(docs, env)


def _registered(docs: Docs, env: Envelope) -> None:
    docs.put(OFFICERS, {
        "la_code": env.la_code, "officer_id": env.record, "role": env.event.role,
        "employment": env.event.employment, "registered_on": env.occurred_on.isoformat(),
        "status": "engaged", "ended": None, "disciplinary": [], "challenges": [],
        "holdings": [], "evidence": [env.ref_doc()],
    })


def _officer(docs: Docs, la_code: str, officer_id: str | None) -> Doc | None:
    return None if officer_id is None else docs.get(OFFICERS, la_code, officer_id)


def _engagement_ended(docs: Docs, env: Envelope) -> None:
    doc = _officer(docs, env.la_code, env.record)
    if doc is None:
        return
    doc["status"] = "ended"
    doc["ended"] = {"on": env.occurred_on.isoformat(), "how": env.event.how,
                    "reason": env.event.reason, "actor": env.actor,
                    "ref": env.ref_doc()}
    doc["evidence"].append(env.ref_doc())
    docs.touch(OFFICERS, doc)


def _disciplinary(docs: Docs, env: Envelope) -> None:
    doc = _officer(docs, env.la_code, env.record)
    if doc is None:
        return
    doc["disciplinary"].append({"on": env.occurred_on.isoformat(), "stage": env.event.stage,
                                "actor": env.actor, "stated_reason": env.event.stated_reason,
                                "ref": env.ref_doc()})
    doc["evidence"].append(env.ref_doc())
    docs.touch(OFFICERS, doc)


def _release(docs: Docs, env: Envelope, case: Doc) -> None:
    """The case's current IRO stops holding it on this event's day."""
    holder = _officer(docs, env.la_code, case["iro"])
    if holder is None:
        return
    for holding in reversed(holder["holdings"]):
        if holding["case_id"] == case["case_id"] and holding["to"] is None:
            holding["to"] = env.occurred_on.isoformat()
            holding["to_ref"] = env.ref_doc()
            break
    docs.touch(OFFICERS, holder)


def _assigned(docs: Docs, env: Envelope) -> None:
    case = docs.get(CASES, env.la_code, env.record) or {
        "la_code": env.la_code, "case_id": env.record, "iro": None}
    _release(docs, env, case)
    officer = _officer(docs, env.la_code, env.event.officer_id)
    if officer is not None:
        officer["holdings"].append({"case_id": env.record, "from": env.occurred_on.isoformat(),
                                    "to": None, "from_ref": env.ref_doc(),
                                    "to_ref": None})
        docs.touch(OFFICERS, officer)
    case["iro"] = env.event.officer_id
    docs.put(CASES, case)


def _case_closed(docs: Docs, env: Envelope) -> None:
    case = docs.get(CASES, env.la_code, env.record)
    if case is None:
        return
    _release(docs, env, case)
    case["iro"] = None
    docs.touch(CASES, case)


def _challenge_raised(docs: Docs, env: Envelope) -> None:
    doc = _officer(docs, env.la_code, env.event.officer_id)
    if doc is None:
        return
    doc["challenges"].append({"challenge_id": env.record, "case_id": env.event.case_id,
                              "raised_on": env.occurred_on.isoformat(),
                              "ref": env.ref_doc()})
    docs.touch(OFFICERS, doc)


def _instruction(docs: Docs, env: Envelope) -> None:
    docs.put(INSTRUCTIONS, {
        "la_code": env.la_code, "instruction_id": env.record, "kind": env.event.kind,
        "issued_to": list(env.event.issued_to), "issued_on": env.occurred_on.isoformat(),
        "given_by": env.actor, "rescinded_on": None, "ref": env.ref_doc(),
        "rescinded_ref": None,
    })


def _rescinded(docs: Docs, env: Envelope) -> None:
    doc = docs.get(INSTRUCTIONS, env.la_code, env.record)
    if doc is not None:
        doc["rescinded_on"] = env.occurred_on.isoformat()
        doc["rescinded_ref"] = env.ref_doc()
        docs.touch(INSTRUCTIONS, doc)


_STEPS = {
    "Officer.Registered": _registered, "Officer.EngagementEnded": _engagement_ended,
    "Officer.DisciplinaryActionRecorded": _disciplinary, "Case.IroAssigned": _assigned,
    "Case.Closed": _case_closed, "Challenge.Raised": _challenge_raised,
    "Instruction.Recorded": _instruction, "Instruction.Rescinded": _rescinded,
}


def received(officer: Doc, instruction: Doc) -> bool:
    """Addressed to the officer by name, or to all IROs while the officer was engaged."""
    if officer["officer_id"] in instruction["issued_to"]:
        return True
    if ALL_IROS not in instruction["issued_to"] or officer["role"] not in ("iro", "iro_manager"):
        return False
    ended = officer["ended"]["on"] if officer["ended"] else None
    return (officer["registered_on"] <= instruction["issued_on"]
            and (ended is None or instruction["issued_on"] <= ended))


def caseload_steps(holdings: Iterable[Doc], as_of: date) -> list[tuple[date, int]]:
    """(day, open cases held from that day) at each day the count changes, up to `as_of`.

    A case is held from its assignment day until the day before it is reassigned or closed.
    """
    changes: dict[date, int] = {}
    for holding in holdings:
        start = date.fromisoformat(holding["from"])
        end = date.fromisoformat(holding["to"]) if holding["to"] else None
        if start > as_of or (end is not None and end <= start):
            continue
        changes[start] = changes.get(start, 0) + 1
        if end is not None and end <= as_of:
            changes[end] = changes.get(end, 0) - 1
    steps: list[tuple[date, int]] = []
    count = 0
    for day in sorted(changes):
        count += changes[day]
        if not steps or steps[-1][1] != count:
            steps.append((day, count))
    return steps


def caseload_on(steps: Sequence[tuple[date, int]], day: date) -> int:
    count = 0
    for when, value in steps:
        if when > day:
            break
        count = value
    return count


def caseload_by_month(steps: Sequence[tuple[date, int]], first: date,
                      as_of: date) -> list[dict[str, Any]]:
    """Per calendar month: cases held at its end (or on `as_of`) and the most held on a day."""
    out = []
    for start, end in months(first, as_of):
        last = min(end, as_of)
        inside = [v for d, v in steps if start < d <= last]
        highest = max([caseload_on(steps, start), *inside])
        out.append({"month": start.strftime("%Y-%m"), "at_end": caseload_on(steps, last),
                    "max": highest})
    return out


def assemble(officer: Doc, instructions: Iterable[Doc], as_of: date) -> dict[str, Any]:
    """The officer's record as readers get it, with the caseload counted as of `as_of`."""
    steps = caseload_steps(officer["holdings"], as_of)
    first = date.fromisoformat(officer["registered_on"])
    got = sorted((i for i in instructions if received(officer, i)),
                 key=lambda i: (i["issued_on"], i["ref"]["position"]))
    return {
        **officer,
        "as_of": as_of.isoformat(),
        "open_cases": caseload_on(steps, as_of),
        "caseload": [{"from": d.isoformat(), "open_cases": n} for d, n in steps],
        "caseload_by_month": caseload_by_month(steps, first, as_of) if first <= as_of else [],
        "instructions": got,
    }


def read_officer(tx: Tx, la_code: str, officer_id: str, as_of: date) -> dict[str, Any] | None:
    officer = OFFICERS.load(tx, (la_code, officer_id))
    if officer is None:
        return None
    return assemble(officer, INSTRUCTIONS.select(tx, "la_code = ?", (la_code,)), as_of)


def read_officers(tx: Tx, la_code: str) -> list[Doc]:
    """Every officer registered in an authority, as stored (caseloads not counted)."""
    return OFFICERS.select(tx, "la_code = ?", (la_code,))


class OfficerRecord(ReadModel):
    name = "officers"
    version = 1
    tables = tuple(t.name for t in TABLES)

    def create(self, tx: Tx) -> None:
        for table in TABLES:
            table.create(tx)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        docs = tx_docs(tx)
        named = [(e.la_code, e.event.officer_id) for e in batch
                 if e.type in ("Case.IroAssigned", "Challenge.Raised")]
        docs.prefetch(OFFICERS, [*keys_of(batch, ["officer"]), *named])
        docs.prefetch(CASES, keys_of(batch, ["case"]))
        apply_events(docs, batch)
        docs.save(tx)
