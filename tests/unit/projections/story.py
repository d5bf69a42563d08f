"""A fictional authority's history told in the domain language, kept in memory (no I/O).

Commands run through the real Ledger on eventsourcing's in-memory store; `envelopes()` hands
their events over exactly as the projection machinery would, so a read model's pure core can be
fed a literal list of what happened.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime
from typing import Any

from iro_ledger.application import Ledger, Outcome, Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.domain.errors import DomainError
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.docs import Docs
from iro_ledger.projections.runner import Decoder, Projections

LA = "FX1"
"""The fictional authority of Fenwick Cross."""
NOW = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
ADMIN = Principal("test-admin", Role.ADMIN)


class Story:
    def __init__(self, la_code: str = LA) -> None:
        self.la_code = la_code
        self.ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.decoder = Decoder(self.ledger.mapper)
        self._read = 0

    def do(self, command: str, on: str | date, source: str = "cli", **fields: Any) -> Outcome:
        data = {"command": command, "la_code": self.la_code, "occurred_on": str(on), **fields}
        return self.ledger.execute(parse_command(data), ADMIN, source, now=NOW)

    def envelopes(self) -> list[Envelope]:
        """Every event so far, in store order."""
        notes = self.ledger.recorder.select_notifications(start=1, limit=1_000_000)
        return Decoder(self.ledger.mapper).decode(notes)

    def new(self) -> list[Envelope]:
        """The events recorded since the last call."""
        notes = self.ledger.recorder.select_notifications(start=self._read + 1, limit=1_000_000)
        if notes:
            self._read = notes[-1].id
        return self.decoder.decode(notes)

    # The usual cast

    def authority(self, on: str = "2024-01-02") -> Story:
        self.do("register_authority", on, name="Fenwick Cross")
        return self

    def officer(self, officer_id: str, role: str = "iro", on: str = "2024-01-02",
                employment: str = "employed") -> Story:
        self.do("register_officer", on, officer_id=officer_id, role=role, employment=employment)
        return self

    def case(self, case_id: str, on: str, iro: str | None = None,
             entered_care_on: str | None = None) -> Story:
        self.do("open_case", on, case_id=case_id, child_ref=f"child-{case_id}",
                legal_status="C2", entered_care_on=entered_care_on or on)
        if iro is not None:
            self.do("assign_iro", on, case_id=case_id, officer_id=iro,
                    reason="first_allocation")
        return self

    def challenge(self, challenge_id: str, case_id: str, officer_id: str, on: str) -> Story:
        self.do("raise_challenge", on, challenge_id=challenge_id, case_id=case_id,
                officer_id=officer_id, about="care_plan", grounds="the plan ignores the child")
        return self


def fold(apply_events: Any, envelopes: list[Envelope]) -> Docs:
    """A read model's pure core run over the events from an empty world."""
    docs = Docs()
    apply_events(docs, envelopes)
    return docs


IROS = ("iro-0", "iro-1", "iro-2")
STAGES = ("stage_1", "stage_2", "stage_3", "director")


def move_commands(n: int, i: int, j: int) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every kind of move, on case/challenge/instruction number `n`, officer `i`, choice `j`."""
    case, ch, iro, other = f"c{n}", f"ch{n}", IROS[i % 3], IROS[j % 3]
    review = {"case_id": case, "chaired_by": iro, "child_participation": "attended",
              "child_seen_before": True}
    return {
        "open": ("open_case", {"case_id": case, "child_ref": f"child-{n}", "legal_status": "C2",
                               "entered_care_on": "2024-01-05"}),
        "assign": ("assign_iro", {"case_id": case, "officer_id": iro, "reason": "workload"}),
        "close": ("close_case", {"case_id": case, "reason": "returned home"}),
        "review": ("hold_review", review),
        "raise": ("raise_challenge", {"challenge_id": ch, "case_id": case, "officer_id": iro,
                                      "about": "care_plan", "grounds": "the plan"}),
        "escalate": ("escalate_challenge", {"challenge_id": ch, "to_stage": STAGES[j % 4],
                                            "addressed_to": "mgr-ada"}),
        "respond": ("respond_to_challenge", {"challenge_id": ch, "response": "noted",
                                             "actor": "mgr-ada"}),
        "resolve": ("resolve_challenge", {"challenge_id": ch, "actor": "mgr-ada",
                                          "outcome": ("upheld", "not_upheld")[j % 2]}),
        "withdraw": ("withdraw_challenge", {"challenge_id": ch, "actor": iro, "reason": "told"}),
        "cafcass": ("refer_to_cafcass", {"challenge_id": ch, "actor": iro}),
        "arbitration": ("request_arbitration", {"challenge_id": ch, "body": "Fictional Panel",
                                                "actor": iro}),
        "instruct": ("record_instruction", {"instruction_id": f"in{n}", "actor": "mgr-ada",
                                            "issued_to": ["all_iros"] if j % 2 else [other],
                                            "kind": "do_not_escalate"}),
        "rescind": ("rescind_instruction", {"instruction_id": f"in{n}", "actor": "mgr-ada"}),
        "discipline": ("record_disciplinary_action", {"officer_id": iro, "stage": "threatened",
                                                      "actor": "mgr-ada",
                                                      "stated_reason": "tone"}),
        "end": ("end_engagement", {"officer_id": IROS[2], "how": "post_deleted",
                                   "actor": "mgr-ada", "reason": "restructure"}),
    }


MOVES = tuple(move_commands(0, 0, 0))
Move = tuple[str, int, int, int, int]
"""(kind of move, record number, officer, choice, days after the move before)."""


def random_history(moves: list[Move]) -> Story:
    """A history made of the moves the ledger accepts; refused moves are simply not recorded."""
    story = Story().authority("2024-01-02").officer("mgr-ada", "team_manager", "2024-01-02")
    for iro in IROS:
        story.officer(iro, on="2024-01-02")
    for n in range(3):
        story.case(f"c{n}", "2024-01-05", iro=IROS[n])
    on = date(2024, 1, 5)
    for kind, n, i, j, days in moves:
        command, fields = move_commands(n, i, j)[kind]
        on = date.fromordinal(on.toordinal() + days)
        with contextlib.suppress(DomainError):
            story.do(command, on, **fields)
    return story


def busy_authority(cases: int, la_code: str = LA) -> list[dict[str, Any]]:
    """Commands for an authority with `cases` children: about eight events a child.

    Reviews, reassignments, challenges taken to stage 1 and resolved, instructions and
    closures, spread over 2024, so every read model has work to do.
    """
    def cmd(command: str, on: date, /, **fields: Any) -> dict[str, Any]:
        return {"command": command, "la_code": la_code, "occurred_on": on.isoformat(), **fields}

    start = date(2024, 1, 2)
    out = [cmd("register_authority", start, name="Busyford (fictional)"),
           cmd("register_officer", start, officer_id="mgr-ada", role="team_manager",
               employment="employed")]
    iros = [f"iro-{k}" for k in range(max(cases // 40, 2))]
    out += [cmd("register_officer", start, officer_id=i, role="iro", employment="employed")
            for i in iros]
    for n in range(cases):
        case, iro, other = f"c{n}", iros[n % len(iros)], iros[(n + 1) % len(iros)]
        on = date.fromordinal(start.toordinal() + 1 + n % 60)

        def later(days: int, base: date = on) -> date:
            return date.fromordinal(base.toordinal() + days)

        out += [cmd("open_case", on, case_id=case, child_ref=f"child-{n}", legal_status="C2",
                    entered_care_on=on.isoformat()),
                cmd("assign_iro", on, case_id=case, officer_id=iro, reason="first_allocation")]
        out += [cmd("hold_review", later(d), case_id=case, chaired_by=iro,
                    child_participation="attended", child_seen_before=True) for d in (25, 110)]
        if n % 3 == 0:
            ch = f"ch{n}"
            out += [cmd("raise_challenge", later(30), challenge_id=ch, case_id=case,
                        officer_id=iro, about="care_plan", grounds="the plan"),
                    cmd("escalate_challenge", later(40), challenge_id=ch, to_stage="stage_1",
                        addressed_to="mgr-ada"),
                    cmd("resolve_challenge", later(55), challenge_id=ch, actor="mgr-ada",
                        outcome="upheld")]
        if n % 5 == 0:
            out.append(cmd("assign_iro", later(120), case_id=case, officer_id=other,
                           reason="workload"))
        if n % 10 == 0:
            out.append(cmd("record_instruction", later(35), instruction_id=f"in{n}",
                           issued_to=[iro], kind="do_not_escalate", actor="mgr-ada"))
        if n % 4 == 0:
            out.append(cmd("close_case", later(150), case_id=case, reason="returned home"))
    return out


def record_all(ledger: Ledger, commands: list[dict[str, Any]], chunk: int = 400) -> None:
    """Record the commands in atomic chunks (fast, as `ingest --atomic` would)."""
    for start in range(0, len(commands), chunk):
        unit = ledger.unit_of_work(now=NOW)
        outcomes = [unit.apply(parse_command(c), ADMIN, "cli")
                    for c in commands[start:start + chunk]]
        unit.commit(outcomes)


def dump(projections: Projections) -> dict[str, list[str]]:
    """Every read model's rows, table by table, in a canonical order (for comparing views)."""
    out: dict[str, list[str]] = {}
    with projections.db.reading() as tx:
        for model in projections.models.values():
            for table in model.tables:
                rows = tx.query(f"SELECT * FROM {table}")
                out[table] = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
    return out
