"""The rules catalogue: every rule the engine runs, one line each.

Order does not matter: no rule reads another's flags, only the book's facts.
"""

from __future__ import annotations

from iro_ledger.projections.rules import (
    caseload_excess,
    disciplinary_after_challenge,
    engagement_ended_after_dispute,
    iro_churn,
    permission_required,
    plan_changed_without_review,
    reallocation_after_dispute,
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
)
RULE_NAMES = tuple(rule.name for rule in RULES)
