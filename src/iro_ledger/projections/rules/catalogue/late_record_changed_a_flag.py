"""late_record_changed_a_flag: a record made long after the day it claims that defeated a flag.

Basis: the ledger exists so that management cannot quietly suppress what an IRO recorded. A
back-dated record (an answer "dated" three days after a challenge, made three years later)
can make a flag stop applying; that is allowed, since records are often made late, but it
is done in the open.

Raised when a record, made more than `after_days` (30) after the day it claims
(`occurred_on` to the day in England it was stored), cleared or withdrew a flag that stood
open on the day the record was made, resting only on records made before that day (the
engine's reading of the flags just before and just after it: `lifecycle.defeats`). One flag
per defeated flag, anchored on the late record; it names both: the defeated flag's id, rule
and subjects, and the late record's event, its day and how late it was. The defeated flag is
never lost: it is cleared or withdrawn with the late record in its history (a deadline flag it
made vanish is kept, withdrawn). Severity `high`. Never cleared: what was done stays done.

A history recorded in one go (a bulk import) defeats nothing: no flag rested on records made
before the day it was made.
"""

from __future__ import annotations

from collections.abc import Iterable

from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "late_record_changed_a_flag"
BASIS = ("The ledger exists so that management cannot quietly suppress what an IRO recorded: "
         "a record made long after the day it claims that clears or withdraws a flag is "
         "itself shown, beside the flag it changed.")


def reads(book: Book, env: Envelope) -> Iterable[str]:
    """The defeats the event's record made (found by the engine just now)."""
    yield from (d.id for d in book.defeats.values() if d.late.key == env.ref.key)


def judge(book: Book, defeat_id: str, config: RulesConfig) -> Verdict:
    defeat = book.defeats[defeat_id]
    rule = config.late_record_changed_a_flag
    late = defeat.late
    days_late = (defeat.recorded_on - late.occurred_on).days
    scope = {"flag_id": defeat.flag_id, "late_record": late.key}
    if days_late <= rule.after_days:
        return Verdict(scope, [])
    what = "cleared" if defeat.effect == "cleared" else "withdrew"
    explanation = (
        f"On {said(defeat.recorded_on)}, {late.event_type} on {late.kind} {late.id} was recorded "
        f"as having happened on {said(late.occurred_on)}, {days_late} days earlier; it "
        f"{what} the {defeat.flag_rule.replace('_', ' ')} flag {defeat.flag_id}, raised on "
        f"{said(defeat.flag_raised_on)}, which stood open until then. A record made this late "
        "that undoes a flag may be an attempt to bend the record; both stay visible.")
    return Verdict(scope, [Finding(
        key={"flag_id": defeat.flag_id}, anchor=late, severity=rule.severity,
        subjects={**defeat.flag_subjects, "flag_id": defeat.flag_id},
        timeline=[raised(defeat.recorded_on, late,
                         f"a record made {days_late} days late {what} flag {defeat.flag_id}")],
        evidence=defeat.flag_evidence, explanation=explanation,
        details={"flag_id": defeat.flag_id, "flag_rule": defeat.flag_rule,
                 "effect": defeat.effect, "late_record": late.key,
                 "late_event_type": late.event_type,
                 "occurred_on": late.occurred_on.isoformat(),
                 "recorded_on": defeat.recorded_on.isoformat(), "days_late": days_late,
                 "after_days": rule.after_days})])


RULE = Rule(NAME, BASIS, reads=reads, judge=judge, on_changes=True)
