"""A flag's title on the dashboard says what the flag shows, not more (issue 10)."""

from __future__ import annotations

from iro_ledger.web.present import flag_title


def test_a_stalled_challenge_is_titled_by_its_delay_not_as_suppressed() -> None:
    stalled = {"rule": "suppressed_challenge",
               "details": {"pattern": "stalled", "limit_working_days": 20}}
    assert flag_title(stalled) == "Challenge not resolved within 20 working days"
    longer = {**stalled, "details": {"pattern": "stalled", "limit_working_days": 30}}
    assert flag_title(longer) == "Challenge not resolved within 30 working days"


def test_a_withdrawal_under_instruction_keeps_its_rules_name() -> None:
    withdrawn = {"rule": "suppressed_challenge",
                 "details": {"pattern": "withdrawn_after_instruction"}}
    assert flag_title(withdrawn) == "Suppressed challenge"


def test_a_flag_without_a_pattern_is_titled_by_its_rule() -> None:
    assert flag_title({"rule": "review_overdue", "details": {}}) == "Review overdue"
