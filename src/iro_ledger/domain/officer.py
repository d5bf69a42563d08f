"""An officer of an authority: IROs, their managers, and the managers they may challenge."""

from __future__ import annotations

from dataclasses import field
from datetime import date
from typing import Any

from iro_ledger.domain.errors import InvalidValue, InvariantViolation
from iro_ledger.domain.links import check_links
from iro_ledger.domain.record import LedgerRecord, Stamp, check_choice
from iro_ledger.domain.values import DisciplinaryStage, Employment, EngagementEnd, OfficerRole


class Officer(LedgerRecord):
    KIND = "officer"

    def __init__(
        self, la_code: str, ref: str, occurred_on: date, role: str, employment: str,
        fte: float | None = None,
    ) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.role = role
        self.employment = employment
        self.fte = fte
        """The share of a full-time post the officer works (1.0 full time); None: not stated."""
        self.ended_how: str | None = None
        """How the engagement ended (post_deleted, contract_terminated, ...), if it has."""
        self.disciplinary: list[str] = []

    class Registered(LedgerRecord.Created):
        role: str
        employment: str
        fte: float | None = field(default=None, kw_only=True)
        """Stored events from before FTE was recorded read None (not stated)."""

    class FteChanged(LedgerRecord.Event):
        fte: float
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.fte = self.fte

    class EngagementEnded(LedgerRecord.Event):

        ERASABLE = ("reason",)
        how: str
        reason: str
        about: tuple[str, ...] = field(default=(), kw_only=True)
        """Links (`kind:id`) to what the ending was about, by the recorder's account."""

        def apply(self, aggregate: Any) -> None:
            aggregate.ended_how = self.how

    class DisciplinaryActionRecorded(LedgerRecord.Event):

        ERASABLE = ("stated_reason",)
        stage: str
        stated_reason: str
        """The reason management gave; the record does not judge it."""
        about: tuple[str, ...] = field(default=(), kw_only=True)
        """Links (`kind:id`) to what the action was about: a challenge, a concern raised
        outside the protocol, an annual report, a case. Old events read () (not stated)."""

        def apply(self, aggregate: Any) -> None:
            aggregate.disciplinary.append(self.stage)

    @classmethod
    def register(
        cls, la_code: str, officer_id: str, role: str, employment: str, stamp: Stamp,
        fte: float | None = None,
    ) -> Officer:
        check_choice("role", role, OfficerRole)
        check_choice("employment", employment, Employment)
        if fte is not None:
            _check_fte(fte)
        return cls._begin(
            cls.Registered, la_code, officer_id, stamp, role=role, employment=employment,
            fte=fte,
        )

    def record_fte(self, fte: float, reason: str, stamp: Stamp) -> None:
        """The officer's working time changed (from `occurred_on`): caseload is per FTE."""
        _check_fte(fte)
        self.check_engaged()
        self._record(self.FteChanged, stamp, fte=fte, reason=reason)

    @property
    def is_engaged(self) -> bool:
        return self.ended_how is None

    def end_engagement(self, how: str, reason: str, stamp: Stamp,
                       about: tuple[str, ...] = ()) -> None:
        check_choice("how", how, EngagementEnd)
        self.check_engaged()
        self._record(self.EngagementEnded, stamp, how=how, reason=reason,
                     about=check_links("about", about))

    def record_disciplinary_action(self, stage: str, stated_reason: str, stamp: Stamp,
                                   about: tuple[str, ...] = ()) -> None:
        check_choice("stage", stage, DisciplinaryStage)
        self._record(self.DisciplinaryActionRecorded, stamp, stage=stage,
                     stated_reason=stated_reason, about=check_links("about", about))

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


def _check_fte(fte: float) -> None:
    if not 0 < fte <= 1:
        raise InvalidValue("fte", f"{fte} is not a share of a full-time post (0 < fte <= 1)")
