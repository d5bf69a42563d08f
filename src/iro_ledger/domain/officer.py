"""An officer of an authority: IROs, their managers, and the managers they may challenge."""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.domain.errors import InvalidValue, InvariantViolation
from iro_ledger.domain.record import LedgerRecord, Stamp, check_choice
from iro_ledger.domain.values import DisciplinaryStage, Employment, EngagementEnd, OfficerRole


class Officer(LedgerRecord):
    KIND = "officer"

    def __init__(
        self, la_code: str, ref: str, occurred_on: date, role: str, employment: str
    ) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.role = role
        self.employment = employment
        self.ended_how: str | None = None
        """How the engagement ended (post_deleted, contract_terminated, ...), if it has."""
        self.disciplinary: list[str] = []

    class Registered(LedgerRecord.Created):
        role: str
        employment: str

    class EngagementEnded(LedgerRecord.Event):
        how: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.ended_how = self.how

    class DisciplinaryActionRecorded(LedgerRecord.Event):
        stage: str
        stated_reason: str
        """The reason management gave; the record does not judge it."""

        def apply(self, aggregate: Any) -> None:
            aggregate.disciplinary.append(self.stage)

    @classmethod
    def register(
        cls, la_code: str, officer_id: str, role: str, employment: str, stamp: Stamp
    ) -> Officer:
        check_choice("role", role, OfficerRole)
        check_choice("employment", employment, Employment)
        return cls._begin(
            cls.Registered, la_code, officer_id, stamp, role=role, employment=employment
        )

    @property
    def is_engaged(self) -> bool:
        return self.ended_how is None

    def end_engagement(self, how: str, reason: str, stamp: Stamp) -> None:
        check_choice("how", how, EngagementEnd)
        self.check_engaged()
        self._record(self.EngagementEnded, stamp, how=how, reason=reason)

    def record_disciplinary_action(self, stage: str, stated_reason: str, stamp: Stamp) -> None:
        check_choice("stage", stage, DisciplinaryStage)
        self._record(self.DisciplinaryActionRecorded, stamp, stage=stage,
                     stated_reason=stated_reason)

    def check_engaged(self) -> None:
        if not self.is_engaged:
            raise InvariantViolation(
                f"officer {self.ref}'s engagement already ended ({self.ended_how})"
            )

    def check_can_review(self) -> None:
        """Only an engaged officer of role iro may be the IRO for a child."""
        if self.role != OfficerRole.IRO:
            raise InvalidValue("officer_id", f"officer {self.ref} is a {self.role}, not an iro")
        self.check_engaged()

    def check_can_challenge(self) -> None:
        if self.role not in (OfficerRole.IRO, OfficerRole.IRO_MANAGER):
            raise InvalidValue(
                "officer_id", f"officer {self.ref} is a {self.role}; challenges are raised by IROs"
            )
        self.check_engaged()
