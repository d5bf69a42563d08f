from pathlib import Path

import pytest

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.projections.rules.config import load_config


def test_defaults_carry_the_statutory_timescales() -> None:
    config = load_config()
    assert config.review_overdue.first_within_working_days == 20
    assert config.review_overdue.second_within_months == 3
    assert config.review_overdue.then_within_months == 6
    assert config.suppressed_challenge.dispute_limit_working_days == 20
    assert config.caseload_excess.max_open_cases == 70
    assert (config.calendar.country, config.calendar.subdivision) == ("GB", "ENG")


def test_an_override_file_changes_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[caseload_excess]\nmax_open_cases = 60\n")
    config = load_config(path)
    assert config.caseload_excess.max_open_cases == 60
    assert config.caseload_excess.high_above == load_config().caseload_excess.high_above


@pytest.mark.parametrize("text", [
    "[caseload_excess]\nmax_open_case = 60\n",
    "[caseload]\nmax_open_cases = 60\n",
    "[caseload_excess]\nmax_open_cases = -1\n",
    "[caseload_excess\n",
])
def test_a_misspelt_or_impossible_override_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(InvalidValue, match="rules_path"):
        load_config(path)
