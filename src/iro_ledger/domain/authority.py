"""A local authority: the employer of most IROs and the body they must challenge."""

from __future__ import annotations

from datetime import date

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.record import LedgerRecord, Stamp


class Authority(LedgerRecord):
    KIND = "authority"

    def __init__(self, la_code: str, ref: str, occurred_on: date, name: str) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.name = name

    class Registered(LedgerRecord.Created):
        name: str

    @classmethod
    def register(cls, la_code: str, name: str, stamp: Stamp) -> Authority:
        if not name.strip():
            raise InvalidValue("name", "an authority needs a name")
        return cls._begin(cls.Registered, la_code, la_code, stamp, name=name)
