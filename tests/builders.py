"""Small builders for tests: a stamp, the usual records of a fictional authority, commands.

Every date is fixed in the past, so no test depends on the day it runs. The authority,
its officers and the child are fictional.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from iro_ledger.application.commands import CommandBase, parse_command
from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import Stamp

LA = "FX1"
"""The fictional authority of Fenwick Cross."""
RECORDED_AT = datetime(2024, 12, 2, 10, 30, tzinfo=UTC)
"""When the ledger stores everything the builders make; later than every default date."""
LATER = "2024-06-03"
"""The default day things happen on, after every record below has begun."""


def day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def stamp(on: date | str = LATER, actor: str = "mgr-ada", **provenance: Any) -> Stamp:
    """Provenance for one command; `provenance` overrides recorded_at, recorded_by, source..."""
    fields: dict[str, Any] = {"recorded_at": RECORDED_AT, "recorded_by": actor,
                              "source": "api", "command_id": None, **provenance}
    return Stamp(occurred_on=day(on), actor=actor, **fields)


def officer(ref: str = "iro-kit", role: str = "iro", employment: str = "employed",
            on: date | str = "2024-01-15", la_code: str = LA) -> Officer:
    return Officer.register(la_code, ref, role, employment, stamp(on))


def open_case(ref: str = "case-7", on: date | str = "2024-03-01") -> Case:
    return Case.open(LA, ref, "child-fc-0193", "C2", day("2024-02-20"), stamp(on))


def challenge(raiser: Officer | None = None, case: Case | None = None, ref: str = "ch-1",
              about: str = "care_plan", on: date | str = "2024-04-02") -> Challenge:
    """A challenge raised informally by `raiser` (an IRO by default) on an open case."""
    raiser = raiser or officer()
    return Challenge.raise_(ref, case or open_case(), raiser, about,
                            "the placement plan ignores the child's wishes",
                            stamp(on, actor=raiser.ref))


SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

EXAMPLES: dict[str, dict[str, Any]] = {
    "register_authority": {"name": "Fenwick Cross"},
    "record_data_quality": {"dataset": "ssda903", "counts": {"no_case": 1},
                            "rows": ["no_case reviews.csv:3"]},
    "record_source_period": {"dataset": "ssda903", "begins_on": "2017-04-01",
                             "ends_on": "2018-03-31"},
    "register_officer": {"officer_id": "iro-kit", "role": "iro", "employment": "freelance"},
    "record_fte": {"officer_id": "iro-kit", "fte": 0.6, "reason": "part-time from June"},
    "end_engagement": {"officer_id": "iro-kit", "how": "contract_terminated",
                       "actor": "hos-sam", "reason": "budget"},
    "record_disciplinary_action": {"officer_id": "iro-kit", "stage": "threatened",
                                   "actor": "hos-sam", "stated_reason": "tone"},
    "open_case": {"case_id": "case-7", "child_ref": "child-fc-0193", "legal_status": "C2",
                  "entered_care_on": "2024-02-20"},
    "record_short_breaks": {"case_id": "case-7", "short_breaks": True},
    "assign_iro": {"case_id": "case-7", "officer_id": "iro-kit", "reason": "first_allocation"},
    "revise_care_plan": {"case_id": "case-7", "change": "placement_move", "summary": "moved",
                         "via_review": False, "iro_consulted": False},
    "hold_review": {"case_id": "case-7", "chaired_by": "iro-kit",
                    "child_participation": "attended", "child_seen_before": True},
    "require_review": {"case_id": "case-7", "officer_id": "iro-kit",
                       "reason": "the placement is at risk", "hold_by": "2024-06-17"},
    "make_recommendation": {"case_id": "case-7", "recommendation_id": "rec-1",
                            "text": "sibling contact", "due_on": "2024-07-01"},
    "record_recommendation_outcome": {"case_id": "case-7", "recommendation_id": "rec-1",
                                      "outcome": "declined", "reason": "no budget"},
    "record_decision": {"case_id": "case-7", "decision_id": "dec-1", "kind": "placement",
                        "summary": "residential"},
    "close_case": {"case_id": "case-7", "reason": "adopted"},
    "erase_case": {"case_id": "case-7", "reason": "erasure request SAR-0042"},
    "raise_challenge": {"challenge_id": "ch-1", "case_id": "case-7", "officer_id": "iro-kit",
                        "about": "dec-1", "grounds": "against the child's wishes"},
    "escalate_challenge": {"challenge_id": "ch-1", "to_stage": "stage_2",
                           "addressed_to": "hos-sam"},
    "respond_to_challenge": {"challenge_id": "ch-1", "response": "plan stands"},
    "resolve_challenge": {"challenge_id": "ch-1", "outcome": "partially_upheld"},
    "withdraw_challenge": {"challenge_id": "ch-1", "reason": "resolved informally"},
    "refer_to_cafcass": {"challenge_id": "ch-1"},
    "record_cafcass_outcome": {"challenge_id": "ch-1", "outcome": "no action", "summary": ""},
    "request_arbitration": {"challenge_id": "ch-1", "body": "Northbridge Arbitration Panel"},
    "record_legal_step": {"challenge_id": "ch-1", "step": "legal_advice", "taken_by": "child",
                          "summary": "advice from a housing charity"},
    "record_concern": {"concern_id": "con-1", "officer_id": "iro-kit", "case_id": "case-7",
                       "raised_in": "review_minutes", "raised_with": "hos-sam",
                       "summary": "no plan for accommodation after 18"},
    "record_instruction": {"instruction_id": "ins-1", "actor": "hos-sam",
                           "issued_to": ["all_iros"], "kind": "do_not_escalate"},
    "rescind_instruction": {"instruction_id": "ins-1"},
    "draft_annual_report": {"report_id": "rep-2024", "year": 2024, "author": "iro-mgr-jo",
                            "content_sha256": SHA},
    "request_report_edit": {"report_id": "rep-2024", "sections": ["challenges"]},
    "revise_annual_report": {"report_id": "rep-2024", "content_sha256": SHA},
    "submit_annual_report": {"report_id": "rep-2024", "to": "ofsted", "content_sha256": SHA},
    "withhold_annual_report": {"report_id": "rep-2024", "reason": "not yet"},
    "correct_record": {"kind": "case", "record_id": "case-7", "corrects_event": 2,
                       "reason": "wrong date", "details": {"occurred_on": "2024-06-01"}},
}
"""Good fields for every command of the domain language, naming the records above."""


def batch_line(name: str, /, **overrides: Any) -> dict[str, Any]:
    """A line of a batch file: `name`'s example in the fictional authority, dated LATER."""
    return {"command": name, "la_code": LA, "occurred_on": LATER, **EXAMPLES[name], **overrides}


def command(name: str, /, **overrides: Any) -> CommandBase:
    """The parsed command of `batch_line(name, **overrides)`."""
    return parse_command(batch_line(name, **overrides))
