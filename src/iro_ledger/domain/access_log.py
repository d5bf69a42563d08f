"""Reads by inspectors and arbitrators, recorded like any other act (DESIGN: privacy and access)."""

from __future__ import annotations

from datetime import date

from iro_ledger.domain.record import LedgerRecord, Stamp


class RecordRead(LedgerRecord):
    """One read of an authority's records by someone outside it; `ref` is a fresh id."""

    KIND = "read"

    def __init__(self, la_code: str, ref: str, occurred_on: date, role: str, what: str) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.role = role
        self.what = what

    class Recorded(LedgerRecord.Created):
        role: str
        what: str
        """The record read, as `kind:id`."""

    @classmethod
    def record(cls, la_code: str, read_id: str, role: str, what: str,
               stamp: Stamp) -> RecordRead:
        return cls._begin(cls.Recorded, la_code, read_id, stamp, role=role, what=what)
