"""A local authority: the employer of most IROs and the body they must challenge."""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.domain.errors import BadTiming, InvalidValue
from iro_ledger.domain.record import LedgerRecord, Stamp


class Authority(LedgerRecord):
    KIND = "authority"

    def __init__(self, la_code: str, ref: str, occurred_on: date, name: str) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.name = name
        self.data_quality_batches = 0
        """How many batches of data-quality findings are recorded about the authority's data."""
        self.source_periods: dict[str, tuple[date, date]] = {}
        """What each imported source (dataset) covers: its first and last day, the widest
        recorded."""

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

    class SourcePeriodRecorded(LedgerRecord.Event):
        """An imported source (an SSDA903 return) covers the authority's children from
        `begins_on` to `ends_on`: records made from it cannot show what happened after
        `ends_on`, so deadline rules never judge what falls due after it on those records."""

        dataset: str
        """The source: `ssda903`, an SSDA903 return."""
        begins_on: date
        ends_on: date
        """The last day the source covers (a return's period ends on 31 March)."""

        def apply(self, aggregate: Any) -> None:
            first, last = aggregate.source_periods.get(self.dataset,
                                                       (self.begins_on, self.ends_on))
            aggregate.source_periods[self.dataset] = (min(first, self.begins_on),
                                                      max(last, self.ends_on))

    def record_source_period(self, dataset: str, begins_on: date, ends_on: date,
                             stamp: Stamp) -> None:
        if ends_on < begins_on:
            raise BadTiming("ends_on", f"{ends_on.isoformat()} is before the period begins on "
                                       f"{begins_on.isoformat()}")
        if ends_on > stamp.occurred_on:
            raise BadTiming("ends_on", f"{ends_on.isoformat()} is after the day it is recorded "
                                       f"({stamp.occurred_on.isoformat()}): a source cannot show "
                                       "what has not happened")
        self._record(self.SourcePeriodRecorded, stamp, dataset=dataset, begins_on=begins_on,
                     ends_on=ends_on)
