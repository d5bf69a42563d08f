"""The rules' windows and thresholds: `defaults.toml`, optionally overridden by a TOML file.

An override names only what it changes; unknown sections or keys are refused, so a misspelt
threshold is an error rather than a silent default.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.projections.rules.calendar import WorkingCalendar, working_calendar
from iro_ledger.projections.rules.flag import Severity


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarConfig(_Section):
    country: str
    subdivision: str | None


class PermissionRequiredConfig(_Section):
    kinds: list[str]
    severity: Severity


class DisciplinaryConfig(_Section):
    window_days: PositiveInt
    stages: list[str]
    severity: Severity
    repeat_severity: Severity


class ReallocationConfig(_Section):
    window_days: PositiveInt
    severity: Severity


class EngagementEndedConfig(_Section):
    window_days: PositiveInt
    how: list[str]
    severity: Severity


class SuppressedChallengeConfig(_Section):
    withdrawal_window_days: PositiveInt
    withdrawn_severity: Severity
    critical_instruction_kinds: list[str]
    dispute_limit_working_days: PositiveInt
    stalled_severity: Severity
    stalled_high_after_working_days: PositiveInt
    closed_severity: Severity
    on_behalf_severity: Severity = Severity.HIGH
    """A withdrawal recorded by anyone but the raiser with their own principal (a rules file
    written before this pattern existed gets the default)."""


class ReportInterferenceConfig(_Section):
    exempt_roles: list[str]
    edit_severity: Severity
    withheld_severity: Severity
    altered_severity: Severity


class PlanChangedConfig(_Section):
    high_changes: list[str]


class ReviewOverdueConfig(_Section):
    first_within_working_days: PositiveInt
    second_within_months: PositiveInt
    then_within_months: PositiveInt
    severity: Severity
    high_after_days: PositiveInt
    chair_roles: list[str]
    short_breaks_first_within_months: PositiveInt
    short_breaks_then_within_months: PositiveInt
    required_severity: Severity


class RecommendationConfig(_Section):
    lapsed_severity: Severity
    repeated_at: int = Field(ge=2)
    repeated_severity: Severity


class ConsultationConfig(_Section):
    severity: Severity
    high_severity: Severity
    high_kinds: list[str]
    far_miles: PositiveInt


class InstabilityConfig(_Section):
    window_months: PositiveInt
    min_placements: int = Field(ge=2)
    severity: Severity
    high_at: int = Field(ge=2)


class InstructionInForceConfig(_Section):
    kinds: list[str]
    window_working_days: PositiveInt
    severity: Severity
    not_pursued_outcomes: list[str]
    not_pursued_severity: Severity


class CaseloadConfig(_Section):
    max_open_cases: PositiveInt
    high_above: PositiveInt
    severity: Severity


class ChurnConfig(_Section):
    window_months: PositiveInt
    min_iros: int = Field(ge=2)
    severity: Severity
    high_at: int = Field(ge=2)


class LateRecordConfig(_Section):
    after_days: PositiveInt
    severity: Severity


class RulesConfig(_Section):
    calendar: CalendarConfig
    permission_required: PermissionRequiredConfig
    disciplinary_after_challenge: DisciplinaryConfig
    reallocation_after_dispute: ReallocationConfig
    engagement_ended_after_dispute: EngagementEndedConfig
    suppressed_challenge: SuppressedChallengeConfig
    report_interference: ReportInterferenceConfig
    plan_changed_without_review: PlanChangedConfig
    review_overdue: ReviewOverdueConfig
    caseload_excess: CaseloadConfig
    iro_churn: ChurnConfig
    recommendation_not_followed: RecommendationConfig
    decision_without_consultation: ConsultationConfig
    placement_instability: InstabilityConfig
    instruction_in_force: InstructionInForceConfig
    late_record_changed_a_flag: LateRecordConfig

    def working_calendar(self) -> WorkingCalendar:
        """The calendar deadlines are counted in (one per country, shared)."""
        return working_calendar(self.calendar.country, self.calendar.subdivision)


def default_toml() -> dict[str, Any]:
    text = resources.files("iro_ledger.projections.rules").joinpath("defaults.toml").read_text()
    return tomllib.loads(text)


def load_config(path: Path | None = None) -> RulesConfig:
    """The defaults, with `path`'s values laid over them section by section."""
    data = default_toml()
    if path is not None:
        try:
            override = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as bad:
            raise InvalidValue("rules_path", f"cannot read {path}: {bad}") from None
        for section, values in override.items():
            if section not in data or not isinstance(values, dict):
                raise InvalidValue("rules_path", f"{path}: unknown section [{section}]")
            data[section] = {**data[section], **values}
    try:
        return RulesConfig.model_validate(data)
    except ValidationError as bad:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in bad.errors())
        raise InvalidValue("rules_path", f"{path or 'defaults.toml'}: {problems}") from None
