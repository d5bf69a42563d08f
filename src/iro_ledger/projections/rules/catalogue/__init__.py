"""The rules catalogue: one module per rule, and the list the engine runs, one line each.

A rule module holds one `RULE` (`rules.rule.Rule`) and imports no other rule (an
import-linter contract): order does not matter, since no rule reads another's flags, only the
book's facts.
"""

from __future__ import annotations

from iro_ledger.projections.rules.catalogue import (
    caseload_excess,
    decision_without_consultation,
    disciplinary_after_challenge,
    engagement_ended_after_dispute,
    instruction_in_force,
    iro_churn,
    late_record_changed_a_flag,
    permission_required,
    placement_instability,
    plan_changed_without_review,
    reallocation_after_dispute,
    recommendation_not_followed,
    report_interference,
    review_overdue,
    suppressed_challenge,
)
from iro_ledger.projections.rules.rule import Rule

RULES: tuple[Rule, ...] = (
    permission_required.RULE,
    disciplinary_after_challenge.RULE,
    reallocation_after_dispute.RULE,
    report_interference.RULE,
    engagement_ended_after_dispute.RULE,
    suppressed_challenge.RULE,
    plan_changed_without_review.RULE,
    review_overdue.RULE,
    caseload_excess.RULE,
    iro_churn.RULE,
    recommendation_not_followed.RULE,
    decision_without_consultation.RULE,
    placement_instability.RULE,
    instruction_in_force.RULE,
    late_record_changed_a_flag.RULE,
)
RULE_NAMES = tuple(rule.name for rule in RULES)
