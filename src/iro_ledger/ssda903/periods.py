"""Episodes of care grouped into periods of care: one period becomes one case.

An episode row says when a stretch of care with one legal status and one placement began
(DECOM) and ended (DEC, with its reason REC). A period of care runs on from episode to episode
while each ends with REC X1 and the next begins that same day; an episode ending with any
other REC (the child ceased to be looked after), or a gap before the next, ends the period,
and a later episode begins a new one. An episode that begins before the one before it ended
(or while that one has no end) contradicts it: it is skipped, not guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from iro_ledger.ssda903.codes import (
    LEGAL_STATUSES,
    NEW_EPISODE_REASONS,
    BadValue,
    ceased_code,
    ceased_to_be_looked_after,
    check_code,
    parse_date,
)
from iro_ledger.ssda903.files import Row, Skip


class FutureDate(BadValue):
    """A date after the day of the import: nothing may be recorded as happening then."""


@dataclass(frozen=True)
class Episode:
    row: Row
    child: str
    began: date
    ended: date | None
    rne: str
    legal_status: str
    rec: str | None
    """Why the episode ceased; None while it has not ended."""


@dataclass
class Period:
    """Consecutive episodes of one child's period of care, earliest first."""

    child: str
    episodes: list[Episode] = field(default_factory=list)

    @property
    def first(self) -> Episode:
        return self.episodes[0]

    @property
    def last(self) -> Episode:
        return self.episodes[-1]

    @property
    def began(self) -> date:
        return self.first.began

    @property
    def ended(self) -> date | None:
        return self.last.ended

    def holds(self, day: date) -> bool:
        return self.began <= day and (self.ended is None or day <= self.ended)


def shown(day: date) -> str:
    """A date as the return writes it, for reports about its rows."""
    return day.strftime("%d/%m/%Y")


def dated(field_name: str, text: str, today: date) -> date:
    day = parse_date(field_name, text)
    if day > today:
        raise FutureDate(f"{field_name} {text} is in the future")
    return day


def parse_episode(row: Row, today: date) -> Episode:
    """One episode row, or BadValue (FutureDate for a date after `today`) naming the field."""
    child = row["CHILD"]
    if not child:
        raise BadValue("CHILD is empty")
    began = dated("DECOM", row["DECOM"], today)
    ended = dated("DEC", row["DEC"], today) if row["DEC"] else None
    if ended is not None and ended < began:
        raise BadValue(f"DEC {row['DEC']} is before DECOM {row['DECOM']}")
    return Episode(
        row=row, child=child, began=began, ended=ended,
        rne=check_code("RNE", row["RNE"], NEW_EPISODE_REASONS),
        legal_status=check_code("LS", row["LS"], LEGAL_STATUSES),
        # REC only means something once the episode has ended; an open one's is ignored.
        rec=ceased_code(row["REC"]) if ended is not None else None,
    )


def periods_of_care(episodes: Iterable[Episode]) -> tuple[list[Period], list[Skip]]:
    """One child's episodes (any order) as periods of care, and the episodes skipped."""
    periods: list[Period] = []
    skips: list[Skip] = []
    last: Episode | None = None
    for episode in sorted(episodes, key=lambda e: (e.began, e.row.line)):
        if last is not None:
            if episode.began == last.began:
                skips.append(Skip(episode.row.file, episode.row.line, "duplicate_episode",
                                  f"another episode of this child beginning "
                                  f"{shown(episode.began)} is on {last.row.where()}"))
                continue
            clash = _overlap(last, episode)
            if clash is not None:
                skips.append(Skip(episode.row.file, episode.row.line, "overlapping_episode",
                                  clash))
                continue
        if last is None or _ends_period(last, episode):
            periods.append(Period(episode.child))
        periods[-1].episodes.append(episode)
        last = episode
    return periods, skips


def _overlap(last: Episode, episode: Episode) -> str | None:
    if last.ended is None:
        return (f"episode beginning {shown(episode.began)} overlaps the episode on "
                f"{last.row.where()}, which has no end date (DEC)")
    if episode.began < last.ended:
        return (f"episode beginning {shown(episode.began)} overlaps the episode on "
                f"{last.row.where()}, which ended {shown(last.ended)}")
    return None


def _ends_period(last: Episode, episode: Episode) -> bool:
    assert last.ended is not None and last.rec is not None
    return ceased_to_be_looked_after(last.rec) or episode.began > last.ended
