"""A local authority: the employer of most IROs and the body they must challenge."""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.record import LedgerRecord, Stamp


class Authority(LedgerRecord):
    KIND = "authority"

    def __init__(self, la_code: str, ref: str, occurred_on: date, name: str) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.name = name
        self.data_quality_batches = 0
        """How many batches of data-quality findings are recorded about the authority's data."""

    class Registered(LedgerRecord.Created):
        name: str

    @classmethod
    def register(cls, la_code: str, name: str, stamp: Stamp) -> Authority:
        if not name.strip():
            raise InvalidValue("name", "an authority needs a name")
        return cls._begin(cls.Registered, la_code, la_code, stamp, name=name)

    class DataQualityRecorded(LedgerRecord.Event):
        """Findings about the authority's own data (rows of a return that are impossible,
        contradictory, repeated or outside what it covers), one event per import. Not a flag:
        no rule sees it, it names no officer and judges nobody."""

        dataset: str
        """What the findings are about: `ssda903`, an SSDA903 return."""
        counts: dict[str, int]
        """Findings by kind (duplicate_episode, no_case, ...)."""
        rows: tuple[str, ...]
        """Each finding as `KIND FILE:LINE`, pointing back at the row of the source."""

        def apply(self, aggregate: Any) -> None:
            aggregate.data_quality_batches += 1

    def record_data_quality(self, dataset: str, counts: dict[str, int], rows: tuple[str, ...],
                            stamp: Stamp) -> None:
        if not counts or any(n < 1 for n in counts.values()):
            raise InvalidValue("counts", "give each kind of finding with a count of 1 or more")
        self._record(self.DataQualityRecorded, stamp, dataset=dataset, counts=dict(counts),
                     rows=tuple(rows))
