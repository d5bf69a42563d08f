"""A concern an IRO raised outside the dispute resolution protocol.

IROs often raise what worries them first in review minutes, in a recommendation, in an email
or a meeting, before (or instead of) a formal challenge. NAIRO's letter tells of IROs
threatened "because they have raised ... legitimate concerns regarding children's cases", not
only formal challenges: a concern is a dispute the rules weigh like a challenge, and a threat
that stops a challenge ever being raised can only be tied to the concern that preceded it.
"""

from __future__ import annotations

from datetime import date

from iro_ledger.domain.case import Case
from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import LedgerRecord, Stamp, check_choice
from iro_ledger.domain.values import ConcernSetting


class Concern(LedgerRecord):
    KIND = "concern"

    def __init__(self, la_code: str, ref: str, occurred_on: date, officer_id: str,
                 case_id: str | None, raised_in: str, raised_with: str, summary: str) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.officer_id = officer_id
        self.case_id = case_id
        self.raised_in = raised_in
        self.raised_with = raised_with

    class Raised(LedgerRecord.Created):

        ERASABLE = ("summary",)
        officer_id: str
        case_id: str | None
        """The child's case it is about; None for a concern about the service as a whole."""
        raised_in: str
        raised_with: str
        """Who it was raised with (an officer id or a plain description), as recorded."""
        summary: str

    @classmethod
    def raise_(cls, concern_id: str, officer: Officer, case: Case | None, raised_in: str,
               raised_with: str, summary: str, stamp: Stamp) -> Concern:
        """A concern by an IRO or IRO manager; it cannot predate them or its case."""
        check_choice("raised_in", raised_in, ConcernSetting)
        officer.check_can_challenge()
        officer.check_not_before_start(stamp.occurred_on)
        if case is not None:
            case.check_not_before_start(stamp.occurred_on)
        if not summary.strip():
            raise InvalidValue("summary", "say what the concern was")
        return cls._begin(cls.Raised, officer.la_code, concern_id, stamp,
                          officer_id=officer.ref, case_id=case.ref if case else None,
                          raised_in=raised_in, raised_with=raised_with, summary=summary)
