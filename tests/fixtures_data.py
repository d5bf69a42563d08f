"""Valid synthetic batch files in the domain language, for ingest and CLI tests.

`batch_commands()` builds a chronological history for several fictional authorities: officers,
cases with allocations, reviews, recommendations, decisions and care plan revisions, challenges
through every path of their lifecycle, management instructions, disciplinary action, an ended
engagement and an annual report. Every line is valid for an admin principal: the tests add the
bad lines themselves. All dates lie before a fixed anchor in the past, so the data is the same
on every run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ANCHOR = date(2026, 3, 31)
"""The day the synthetic story ends; everything happens within two years before it."""

AUTHORITIES = (
    ("EMR", "Borough of Eastmere"),
    ("FNW", "Fenwold District Council"),
    ("KDL", "Kestrel Dale Borough Council"),
)
"""Fictional authorities: none is a real English council."""

IROS = ("iro-1", "iro-2", "iro-3")
FREELANCE_IRO = "iro-4"
MANAGERS = {
    "dir-1": "director", "hos-1": "head_of_service", "sm-1": "service_manager",
    "tm-1": "team_manager", "irom-1": "iro_manager", "sw-1": "social_worker",
}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _History:
    """Commands of one authority, each with its day, sorted into time order at the end."""

    la_code: str
    start: date
    lines: list[tuple[date, dict[str, Any]]] = field(default_factory=list)

    def add(self, day: int, command: str, **fields: Any) -> None:
        on = self.start + timedelta(days=day)
        assert on <= ANCHOR, f"{command} on {on} is after the anchor"
        self.lines.append((on, {"command": command, "la_code": self.la_code,
                                "occurred_on": on.isoformat(), **fields}))

    def at(self, day: int) -> str:
        return (self.start + timedelta(days=day)).isoformat()


def _people(h: _History, name: str) -> None:
    h.add(0, "register_authority", name=name)
    for officer_id, role in MANAGERS.items():
        h.add(1, "register_officer", officer_id=officer_id, role=role, employment="employed")
    for officer_id in IROS:
        h.add(1, "register_officer", officer_id=officer_id, role="iro", employment="employed")
    h.add(1, "register_officer", officer_id=FREELANCE_IRO, role="iro", employment="freelance")
    h.add(3, "record_instruction", instruction_id="ins-permission", actor="hos-1",
          issued_to=["all_iros"], kind="permission_before_challenge",
          text="Challenges to be agreed with the head of service before they are raised.")


def _case(h: _History, n: int, day: int, iro: str) -> None:
    case = f"case-{n:03d}"
    h.add(day, "open_case", case_id=case, child_ref=f"child-{h.la_code}-{n:03d}",
          legal_status="C2", entered_care_on=h.at(day - 2))
    h.add(day, "assign_iro", case_id=case, officer_id=iro, reason="first_allocation",
          actor="tm-1")
    h.add(day + 18, "hold_review", case_id=case, chaired_by=iro,
          child_participation="attended", child_seen_before=True)
    h.add(day + 18, "make_recommendation", case_id=case, recommendation_id="rec-1",
          text="Arrange a life-story worker.", due_on=h.at(day + 60), actor=iro)
    h.add(day + 19, "revise_care_plan", case_id=case, change="contact",
          summary="Fortnightly contact with siblings.", via_review=True, iro_consulted=True,
          actor="sw-1")
    h.add(day + 30, "record_decision", case_id=case, decision_id="dec-1",
          kind="placement", summary="Move to an out-of-area residential placement.",
          actor="sm-1")
    h.add(day + 60, "record_recommendation_outcome", case_id=case, recommendation_id="rec-1",
          outcome="completed" if n % 3 else "lapsed", actor="tm-1")
    h.add(day + 105, "hold_review", case_id=case, chaired_by=iro,
          child_participation="views_conveyed", child_seen_before=n % 2 == 0)


def _challenge(h: _History, n: int, day: int, iro: str) -> None:
    """The lifecycle paths in turn: escalated and upheld, withdrawn under instruction,
    taken to Cafcass and arbitration, answered and not upheld."""
    ch = f"ch-{n:03d}"
    h.add(day + 33, "raise_challenge", challenge_id=ch, case_id=f"case-{n:03d}",
          officer_id=iro, about="dec-1", grounds="The move separates the child from school.")
    path = (n // 2) % 4
    if path == 0:
        h.add(day + 38, "escalate_challenge", challenge_id=ch, to_stage="stage_1",
              addressed_to="tm-1", actor=iro)
        h.add(day + 43, "respond_to_challenge", challenge_id=ch, actor="tm-1",
              response="The placement is the only one available.")
        h.add(day + 48, "escalate_challenge", challenge_id=ch, to_stage="stage_2",
              addressed_to="sm-1", actor=iro)
        h.add(day + 58, "resolve_challenge", challenge_id=ch, outcome="upheld", actor="sm-1")
    elif path == 1:
        h.add(day + 35, "record_instruction", instruction_id=f"ins-{ch}", actor="sm-1",
              issued_to=[iro], kind="do_not_escalate", text="Do not take this further.")
        h.add(day + 40, "withdraw_challenge", challenge_id=ch, actor=iro,
              reason="Instructed not to escalate.")
    elif path == 2:
        h.add(day + 36, "escalate_challenge", challenge_id=ch, to_stage="director",
              addressed_to="dir-1", actor=iro)
        h.add(day + 50, "refer_to_cafcass", challenge_id=ch, actor=iro)
        h.add(day + 80, "record_cafcass_outcome", challenge_id=ch, outcome="court_application",
              summary="Cafcass applied to court.")
        h.add(day + 85, "request_arbitration", challenge_id=ch, body="NAIRO", actor=iro)
    else:
        h.add(day + 40, "respond_to_challenge", challenge_id=ch, actor="tm-1",
              response="The decision stands.")
        h.add(day + 45, "resolve_challenge", challenge_id=ch, outcome="not_upheld",
              actor="tm-1")


def _after(h: _History, last_day: int) -> None:
    """Pressure after the challenges: a threat, a reallocation, a contract ended, a report."""
    h.add(last_day + 10, "record_disciplinary_action", officer_id="iro-2", stage="threatened",
          actor="hos-1", stated_reason="Tone of correspondence.")
    h.add(last_day + 12, "assign_iro", case_id="case-004", officer_id="iro-2",
          reason="after_dispute", actor="tm-1")
    h.add(last_day + 14, "end_engagement", officer_id=FREELANCE_IRO, how="contract_terminated",
          actor="hos-1", reason="Budget.")
    h.add(last_day + 15, "rescind_instruction", instruction_id="ins-permission", actor="hos-1")
    h.add(last_day + 16, "revise_care_plan", case_id="case-001", change="placement_move",
          summary="Emergency move.", via_review=False, iro_consulted=False, actor="sw-1")
    h.add(last_day + 20, "close_case", case_id="case-002", reason="Returned home.")
    year = (h.start + timedelta(days=last_day + 30)).year
    draft = sha(f"{h.la_code} report draft")
    h.add(last_day + 30, "draft_annual_report", report_id=f"ar-{year}", year=year,
          author="irom-1", content_sha256=draft)
    h.add(last_day + 35, "request_report_edit", report_id=f"ar-{year}", actor="dir-1",
          sections=["challenges", "caseloads"])
    h.add(last_day + 40, "revise_annual_report", report_id=f"ar-{year}",
          content_sha256=sha(f"{h.la_code} report edited"), actor="dir-1")
    h.add(last_day + 45, "submit_annual_report", report_id=f"ar-{year}", to="ofsted",
          content_sha256=sha(f"{h.la_code} report edited"), actor="dir-1")


def authority_history(la_code: str, name: str, cases: int) -> list[dict[str, Any]]:
    """One authority's commands in time order (same-day commands keep their causal order)."""
    h = _History(la_code, ANCHOR - timedelta(days=700))
    _people(h, name)
    everyone = (*IROS, FREELANCE_IRO)
    for n in range(1, cases + 1):
        day, iro = 5 + 3 * n, everyone[(n - 1) % len(everyone)]
        _case(h, n, day, iro)
        if n % 2 == 0:
            _challenge(h, n, day, iro)
    _after(h, 5 + 3 * cases + 110)
    h.lines.sort(key=lambda line: line[0])
    return [command for _, command in h.lines]


def batch_commands(cases_per_authority: int = 10, with_command_ids: bool = True
                   ) -> list[dict[str, Any]]:
    """A valid batch for every fictional authority: about 40 + 13 commands per case each."""
    assert cases_per_authority >= 4, "the story reallocates case-004"
    commands = [command for la_code, name in AUTHORITIES
                for command in authority_history(la_code, name, cases_per_authority)]
    if with_command_ids:
        for n, command in enumerate(commands, start=1):
            command["command_id"] = f"fixture-{command['la_code']}-{n:05d}"
    return commands


def write_jsonl(path: Path, lines: Iterable[dict[str, Any] | str]) -> Path:
    """Write commands (or raw text lines, for malformed ones) as a JSON Lines file."""
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class BadLine:
    """A line the ledger must refuse, with what its report must say."""

    line: dict[str, Any] | str
    command: str
    """The command name the report names ('?' when the line has none)."""
    reason: str
    """A fragment the reason must contain: the field, or what was not found."""


def bad_lines(today: date | None = None) -> list[BadLine]:
    """One of each kind of bad line, valid in shape except for its one fault, for EMR.

    Meant to follow a `batch_commands()` history, whose records they refer to.
    """
    future = ((today or date.today()) + timedelta(days=30)).isoformat()
    past = ANCHOR.isoformat()
    base = {"la_code": "EMR", "occurred_on": past}
    return [
        BadLine('{"command": "open_case", "la_code": "EMR",', "?", "not JSON"),
        BadLine('["open_case"]', "?", "not a JSON object"),
        BadLine({**base, "officer_id": "iro-9"}, "?", "command: missing"),
        BadLine({**base, "command": "delete_case", "case_id": "case-001"}, "delete_case",
                "unknown command"),
        BadLine({**base, "command": "register_officer", "officer_id": "iro-9", "role": "wizard",
                 "employment": "employed"}, "register_officer", "role: Input should be"),
        BadLine({**base, "command": "open_case", "case_id": "case-900", "legal_status": "C2",
                 "entered_care_on": past}, "open_case", "child_ref: Field required"),
        BadLine({**base, "command": "raise_challenge", "challenge_id": "ch-900",
                 "case_id": "case-001", "officer_id": "iro-1", "about": "dec-1",
                 "grounds": "Too late.", "occurred_on": future}, "raise_challenge",
                "occurred_on: "),
        BadLine({**base, "command": "register_officer", "officer_id": "iro-1", "role": "iro",
                 "employment": "employed"}, "register_officer",
                "officer_id: officer 'iro-1' is already recorded"),
        BadLine({**base, "command": "hold_review", "case_id": "case-001", "chaired_by": "iro-1",
                 "child_participation": "attended", "child_seen_before": True,
                 "command_id": "fixture-EMR-00001"}, "hold_review",
                "command_id 'fixture-EMR-00001' was already used"),
        BadLine({**base, "command": "assign_iro", "case_id": "case-999", "officer_id": "iro-1",
                 "reason": "workload"}, "assign_iro", "case_id: no case 'case-999'"),
        BadLine({**base, "command": "raise_challenge", "challenge_id": "ch-901",
                 "case_id": "case-001", "officer_id": "iro-1", "about": "dec-77",
                 "grounds": "No such decision."}, "raise_challenge", "about: "),
    ]


def iro_lines(officer_id: str = "iro-2") -> tuple[list[dict[str, Any]], list[BadLine]]:
    """Lines an EMR IRO may record about themselves, and lines their token must not carry."""
    on = {"la_code": "EMR", "occurred_on": ANCHOR.isoformat()}
    good = [
        {**on, "command": "raise_challenge", "challenge_id": "ch-iro-own", "case_id": "case-006",
         "officer_id": officer_id, "about": "care_plan", "grounds": "No permanence plan."},
        {**on, "command": "record_instruction", "instruction_id": "ins-iro-own",
         "issued_to": [officer_id], "kind": "do_not_escalate", "actor": "sm-1",
         "text": "Leave it."},
    ]
    refused = [
        BadLine({**on, "command": "register_officer", "officer_id": "iro-9", "role": "iro",
                 "employment": "employed"}, "register_officer", "may not register_officer"),
        BadLine({**on, "command": "raise_challenge", "challenge_id": "ch-iro-other",
                 "case_id": "case-003", "officer_id": "iro-3", "about": "care_plan",
                 "grounds": "Raised for a colleague."}, "raise_challenge", "only as themselves"),
        BadLine({**on, "command": "withdraw_challenge", "challenge_id": "ch-004",
                 "actor": officer_id}, "withdraw_challenge", "only iro-4 may withdraw"),
        BadLine({**on, "command": "resolve_challenge", "challenge_id": "ch-iro-own",
                 "outcome": "upheld"}, "resolve_challenge", "may not resolve_challenge"),
        BadLine({**on, "la_code": "FNW", "command": "record_decision", "case_id": "case-001",
                 "decision_id": "dec-9", "kind": "placement"}, "record_decision",
                "belongs to EMR, not FNW"),
    ]
    return good, refused
