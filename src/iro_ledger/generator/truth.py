"""The ground truth: the flags a generated history must raise, and how to compare flags with it.

Each expected flag is `{"rule", "la_code", "subjects", "as_of", "pattern"}`: `as_of` is the
first day on which the flag must be present (for deadline rules, the day after the deadline
passed); `pattern` names the planted variant; `severity` appears where the rule fixes it
(the critical form of disciplinary_after_challenge). A flag and an expected flag are the
same when their rule, authority and `MATCH_ON` subjects agree: the subjects that identify
what the rule is about, so a rule may add further subjects of its own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from iro_ledger.generator.world import World

MATCH_ON: dict[str, tuple[str, ...]] = {
    "permission_required": ("instruction_id",),
    "disciplinary_after_challenge": ("officer_id",),
    "reallocation_after_dispute": ("officer_id", "case_id"),
    "engagement_ended_after_dispute": ("officer_id",),
    "suppressed_challenge": ("challenge_id",),
    "report_interference": ("report_id",),
    "plan_changed_without_review": ("case_id",),
    "review_overdue": ("case_id",),
    "caseload_excess": ("officer_id",),
    "iro_churn": ("case_id",),
    "recommendation_not_followed": ("case_id", "recommendation_id"),
    "decision_without_consultation": ("case_id", "decision_id"),
    "placement_instability": ("case_id",),
    "instruction_in_force": ("instruction_id", "challenge_id"),
}
CASELOAD_LIMIT = 70

Key = tuple[str, str, tuple[str | None, ...]]


def key_of(flag: dict[str, Any]) -> Key:
    """(rule, la_code, the identifying subjects) of a flag or an expected flag."""
    rule = str(flag["rule"])
    subjects = flag.get("subjects") or {}
    names = MATCH_ON.get(rule, tuple(sorted(subjects)))
    return rule, str(flag["la_code"]), tuple(subjects.get(n) for n in names)


def finish(world: World) -> list[dict[str, Any]]:
    """The authority's expected flags: caseload days worked out, one entry per key."""
    found: dict[Key, dict[str, Any]] = {}
    for entry in world.truth:
        if entry["rule"] == "caseload_excess":
            over = first_day_over(world, entry["subjects"]["officer_id"])
            if over is None:
                continue
            entry["as_of"] = over.isoformat()
        key = key_of(entry)
        if key not in found or entry["as_of"] < found[key]["as_of"]:
            found[key] = entry
    return sorted(found.values(), key=lambda e: (e["as_of"], e["rule"], str(e["subjects"])))


def first_day_over(world: World, officer_id: str) -> date | None:
    """The first day the officer ends holding more than CASELOAD_LIMIT open cases per
    full-time post (a half-time IRO: more than 35)."""
    fte = world.officers[officer_id].fte or 1.0
    changes: dict[date, int] = defaultdict(int)
    for case in world.cases.values():
        held = case.assignments
        for index, assignment in enumerate(held):
            if assignment.officer != officer_id:
                continue
            changes[assignment.day] += 1
            ends = held[index + 1].day if index + 1 < len(held) else case.closed_on
            if ends is not None:
                changes[ends] -= 1
    count = 0
    for day in sorted(changes):
        count += changes[day]
        if count > CASELOAD_LIMIT * fte:
            return day
    return None


def score(expected: list[dict[str, Any]], flags: list[dict[str, Any]],
          rules: tuple[str, ...] = tuple(MATCH_ON)) -> dict[str, dict[str, float | int]]:
    """Per rule: true positives, false positives, false negatives, precision and recall,
    comparing distinct keys (several flags about the same subjects count once)."""
    table: dict[str, dict[str, float | int]] = {}
    for rule in rules:
        want = {key_of(e) for e in expected if e["rule"] == rule}
        got = {key_of(f) for f in flags if f["rule"] == rule}
        hits = len(want & got)
        table[rule] = {
            "expected": len(want), "flagged": len(got), "true_positive": hits,
            "false_positive": len(got - want), "false_negative": len(want - got),
            "precision": hits / len(got) if got else 1.0,
            "recall": hits / len(want) if want else 1.0,
        }
    return table


def render(table: dict[str, dict[str, float | int]]) -> str:
    """The score table as aligned text."""
    lines = [f"{'rule':32} {'expected':>8} {'flagged':>8} {'fp':>4} {'fn':>4} "
             f"{'precision':>9} {'recall':>7}"]
    for rule, row in table.items():
        lines.append(f"{rule:32} {row['expected']:>8} {row['flagged']:>8} "
                     f"{row['false_positive']:>4} {row['false_negative']:>4} "
                     f"{row['precision']:>9.3f} {row['recall']:>7.3f}")
    return "\n".join(lines)
