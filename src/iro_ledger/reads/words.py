"""The words reads are filtered by, defined once for every surface (API, dashboard, CLI).

Flag severities and statuses are the rules' own enums; challenge stages the domain's; the
register's statuses the challenge register's. Surfaces offer these and nothing else.
"""

from __future__ import annotations

from iro_ledger.domain.values import ChallengeStage
from iro_ledger.projections.challenges import RegisterStatus
from iro_ledger.projections.rules.catalogue import RULE_NAMES
from iro_ledger.projections.rules.flag import Action as FlagAction
from iro_ledger.projections.rules.flag import Severity
from iro_ledger.projections.rules.flag import Status as FlagStatus

SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
"""Least grave first: info, warning, high, critical."""
FLAG_STATUSES: tuple[str, ...] = tuple(s.value for s in FlagStatus)
REGISTER_STATUSES: tuple[str, ...] = tuple(s.value for s in RegisterStatus)
STAGES: tuple[str, ...] = tuple(s.value for s in ChallengeStage)

__all__ = ["FLAG_STATUSES", "REGISTER_STATUSES", "RULE_NAMES", "SEVERITIES", "STAGES",
           "ChallengeStage", "FlagAction", "FlagStatus", "RegisterStatus", "Severity"]
