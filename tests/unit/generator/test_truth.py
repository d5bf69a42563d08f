"""Comparing flags with the ground truth: keys, precision and recall per rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from iro_ledger.generator import truth_path
from iro_ledger.generator.truth import key_of, render, score
from iro_ledger.generator.workdays import add_months, add_working_days


def flag(rule: str, **subjects: str) -> dict[str, Any]:
    return {"rule": rule, "la_code": "WRE1", "subjects": subjects}


def test_a_flag_matches_on_its_rules_identifying_subjects_only() -> None:
    expected = flag("reallocation_after_dispute", officer_id="o1", case_id="c1")
    raised = flag("reallocation_after_dispute", officer_id="o1", case_id="c1",
                  challenge_id="x9")
    assert key_of(raised) == key_of(expected)
    assert key_of(flag("reallocation_after_dispute", officer_id="o1", case_id="c2")) \
        != key_of(expected)


def test_a_missing_flag_lowers_recall_and_an_extra_one_precision() -> None:
    expected = [flag("iro_churn", case_id="c1"), flag("iro_churn", case_id="c2")]
    raised = [flag("iro_churn", case_id="c1"), flag("iro_churn", case_id="c3"),
              flag("iro_churn", case_id="c1")]
    row = score(expected, raised)["iro_churn"]
    assert (row["true_positive"], row["false_positive"], row["false_negative"]) == (1, 1, 1)
    assert row["precision"] == 0.5 and row["recall"] == 0.5
    assert "iro_churn" in render(score(expected, raised))


def test_a_flag_in_another_authority_is_not_a_match() -> None:
    elsewhere = {**flag("caseload_excess", officer_id="o1"), "la_code": "KES1"}
    row = score([flag("caseload_excess", officer_id="o1")], [elsewhere])["caseload_excess"]
    assert row["recall"] == 0.0 and row["precision"] == 0.0


def test_no_flags_expected_and_none_raised_is_perfect() -> None:
    row = score([], [])["permission_required"]
    assert row["precision"] == row["recall"] == 1.0


def test_the_truth_sits_beside_the_history() -> None:
    assert truth_path(Path("/x/demo.jsonl")) == Path("/x/demo.truth.json")
    assert truth_path(Path("/x/demo")) == Path("/x/demo.truth.json")


def test_working_days_skip_weekends_and_englands_bank_holidays() -> None:
    # Friday 20 December 2024; Christmas Day and Boxing Day are bank holidays.
    assert add_working_days(date(2024, 12, 20), 3) == date(2024, 12, 27)
    assert add_working_days(date(2024, 12, 20), 20) == date(2025, 1, 22)


def test_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 5, 15), -12) == date(2023, 5, 15)
