"""An SSDA903 return as commands in the domain language, each pointing back at its row.

One case per period of care (see `periods`): `open_case` from its first episode, a
`revise_care_plan` placement move for each later episode whose RNE says the placement changed,
a `hold_review` for each review that falls within it, and `close_case` when its last episode
has ended. Rows that cannot be mapped are returned as skips with their reasons; nothing is
guessed. Every command carries a deterministic `command_id`, so importing the same return
again stores nothing new. docs/ssda903.md gives the whole mapping and what is dropped.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from iro_ledger.application.commands import DATA_QUALITY_MAX_ROWS
from iro_ledger.ssda903.codes import (
    CONTINUES_LOOKED_AFTER,
    PARTICIPATION,
    PLACEMENT_CHANGES,
    SHORT_BREAKS,
    BadValue,
    collection_year_of,
    collection_year_start,
)
from iro_ledger.ssda903.files import ReturnFiles, Row, Skip
from iro_ledger.ssda903.periods import (
    Episode,
    FutureDate,
    Period,
    dated,
    parse_episode,
    periods_of_care,
    shown,
)
from iro_ledger.ssda903.pseudonyms import Pseudonyms

PLACEHOLDER_IRO = "iro-903-unknown"
"""The return never names the IRO who chaired a review; every imported review is chaired,
in the record, by this one placeholder officer of the authority."""

MOVE_SUMMARY = ("placement changed (SSDA903 episode, RNE {rne}); the return does not record "
                "whether a review was held or the IRO consulted")


@dataclass(frozen=True)
class Mapped:
    """One command in the batch form, and the row it came from (None for the import's own)."""

    body: dict[str, Any]
    row: Row | None = None

    def where(self) -> str:
        return self.row.where() if self.row is not None else "(import)"


@dataclass
class Mapping:
    commands: list[Mapped] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    children: int = 0
    """Distinct children in header.csv."""
    counts: Counter[str] = field(default_factory=Counter)
    """Commands by name."""
    period_begins: date | None = None
    """The first day of the return's period: what happened before it is not in the return."""
    period_ends: date | None = None
    """The last day the return covers (its last year's 31 March, or today if sooner): it
    cannot show what happened after it."""

    def skipped_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(skip.kind for skip in self.skips).items()))

    def data_quality(self, la_code: str, today: date,
                     per_command: int = DATA_QUALITY_MAX_ROWS) -> list[dict[str, Any]]:
        """The skipped rows as `record_data_quality` commands (none when there are none), at
        most `per_command` rows each, so a return however bad loses no finding. Their ids are
        a digest of all the findings (and the part, when there are several), so importing
        the same return again stores nothing new."""
        if not self.skips:
            return []
        rows = [f"{skip.kind} {skip.file}:{skip.line}" for skip in self.skips]
        digest = hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()[:32]
        parts = [rows[i:i + per_command] for i in range(0, len(rows), per_command)]
        return [{"command": "record_data_quality", "la_code": la_code,
                 "occurred_on": today.isoformat(), "dataset": "ssda903",
                 "counts": dict(sorted(Counter(row.split(" ", 1)[0] for row in part).items())),
                 "rows": part,
                 "command_id": f"ssda903:{la_code}:data-quality:{digest}"
                               + (f":{number}" if len(parts) > 1 else "")}
                for number, part in enumerate(parts, start=1)]

    def summary(self) -> dict[str, Any]:
        return {
            "children": self.children,
            "cases_opened": self.counts["open_case"],
            "placement_moves": self.counts["revise_care_plan"],
            "reviews": self.counts["hold_review"],
            "cases_closed": self.counts["close_case"],
            "commands": len(self.commands),
            "skipped": len(self.skips),
            "skipped_by_reason": self.skipped_by_reason(),
            "period_begins": self.period_begins.isoformat() if self.period_begins else None,
            "period_ends": self.period_ends.isoformat() if self.period_ends else None,
        }


@dataclass(frozen=True)
class Options:
    la_code: str
    pseudonyms: Pseudonyms
    today: date
    """Dates after this day are refused: nothing is recorded as happening in the future."""
    authority_name: str | None = None
    """When given, the batch begins by registering the authority under this name."""
    register_officer: bool = True
    """Whether the batch registers the placeholder IRO (not when it is already recorded)."""
    year: int | None = None
    """The collection year (ending 31 March) the return covers, the first of several; None:
    the years the return states, else the year holding its latest episode's start."""
    recorded_periods: tuple[tuple[date, date], ...] = ()
    """What earlier imports of the authority recorded as covered: a period within one of
    them is not recorded again."""


def map_return(files: ReturnFiles, options: Options) -> Mapping:
    """The whole return as commands, cases in the order their care began."""
    mapping = Mapping()
    children = _children(files.header, mapping.skips)
    mapping.children = len(children)
    periods = _periods(files.episodes, children, options.today, mapping.skips)
    begins = _period_begins(files, options, periods)
    ends = _period_ends(files, options, periods, begins)
    mapping.period_begins, mapping.period_ends = begins, ends
    with_rows = {row["CHILD"] for row in files.episodes}
    mapping.skips.extend(
        Skip(row.file, row.line, "no_episodes", "no episode of this child in episodes.csv")
        for child, row in children.items() if child not in with_rows)
    reviews = _reviews(files.reviews, children, periods, options.today, (begins, ends),
                       mapping.skips)
    cases = []
    for child, child_periods in periods.items():
        for period in child_periods:
            if begins is not None and period.ended is not None and period.ended < begins:
                mapping.skips.extend(_skip(e.row, "before_period", _ended_before(period, begins))
                                     for e in period.episodes)
                continue
            cases.append(_case_commands(period, reviews.get((child, period.began), []),
                                        options, (begins, ends), mapping.skips))
    cases.sort(key=lambda case: (case[0].body["occurred_on"], case[0].body["case_id"]))
    body = [command for case in cases for command in case]
    mapping.commands = _preamble(body, options, begins, ends) + body
    mapping.counts = Counter(command.body["command"] for command in mapping.commands)
    mapping.skips.sort(key=lambda skip: (skip.file, skip.line))
    return mapping


def _period_begins(files: ReturnFiles, options: Options,
                   periods: dict[str, list[Period]]) -> date | None:
    """The return's first day: the year given, else the first year the return states, else
    the collection year holding the latest episode's start (a return's episodes all begin
    by the end of its year)."""
    if options.year is not None:
        return collection_year_start(options.year)
    if files.years:
        return collection_year_start(min(files.years))
    starts = [e.began for ps in periods.values() for p in ps for e in p.episodes]
    return collection_year_start(collection_year_of(max(starts))) if starts else None


def _period_ends(files: ReturnFiles, options: Options, periods: dict[str, list[Period]],
                 begins: date | None) -> date | None:
    """The return's last day: the 31 March ending the last year it states (or holding its
    latest episode's start, or the year given), or today when that is sooner (a return of
    the year still running shows nothing after the day it was made)."""
    if begins is None:
        return None
    years = [collection_year_of(begins), *files.years]
    starts = [e.began for ps in periods.values() for p in ps for e in p.episodes]
    if starts and not files.years:
        years.append(collection_year_of(max(starts)))
    return min(collection_year_start(max(years) + 1) - timedelta(days=1), options.today)


def _ended_before(period: Period, begins: date) -> str:
    assert period.ended is not None
    return (f"this period of care ended on {shown(period.ended)}, before the return's period "
            f"began on {shown(begins)}")


@dataclass(frozen=True)
class Review:
    row: Row
    held_on: date
    participation: str


def _skip(row: Row, kind: str, reason: str) -> Skip:
    return Skip(row.file, row.line, kind, reason)


def _bad(row: Row, error: BadValue) -> Skip:
    return _skip(row, "future_date" if isinstance(error, FutureDate) else "bad_value", str(error))


def _children(header: list[Row], skips: list[Skip]) -> dict[str, Row]:
    """header.csv's children, by CHILD; nothing else of the header is read."""
    children: dict[str, Row] = {}
    for row in header:
        child = row["CHILD"]
        if not child:
            skips.append(_skip(row, "bad_value", "CHILD is empty"))
        elif child in children:
            skips.append(_skip(row, "duplicate_child",
                               f"the same CHILD is already on {children[child].where()}"))
        else:
            children[child] = row
    return children


def _periods(rows: list[Row], children: dict[str, Row], today: date,
             skips: list[Skip]) -> dict[str, list[Period]]:
    episodes: dict[str, list[Episode]] = defaultdict(list)
    for row in rows:
        try:
            episode = parse_episode(row, today)
        except BadValue as bad:
            skips.append(_bad(row, bad))
            continue
        if episode.child not in children:
            skips.append(_skip(row, "not_in_header", "this CHILD is not in header.csv"))
            continue
        episodes[episode.child].append(episode)
    periods: dict[str, list[Period]] = {}
    for child, found in episodes.items():
        periods[child], overlapping = periods_of_care(found)
        skips.extend(overlapping)
    return periods


def _reviews(rows: list[Row], children: dict[str, Row], periods: dict[str, list[Period]],
             today: date, covered: tuple[date | None, date | None],
             skips: list[Skip]) -> dict[tuple[str, date], list[Review]]:
    """Each review placed in the period of care it fell in: (child, period's start) -> reviews."""
    begins, ends = covered
    placed: dict[tuple[str, date], list[Review]] = defaultdict(list)
    seen: dict[tuple[str, date], Row] = {}
    for row in rows:
        child = row["CHILD"]
        try:
            if not child:
                raise BadValue("CHILD is empty")
            held_on = dated("REVIEW", row["REVIEW"], today)
            code = row["REVIEW_CODE"]
            if code not in PARTICIPATION:
                shown_code = f"{code!r}" if code else "empty"
                raise BadValue(f"REVIEW_CODE {shown_code} is not an SSDA903 participation code")
        except BadValue as bad:
            skips.append(_bad(row, bad))
            continue
        if child not in children:
            skips.append(_skip(row, "not_in_header", "this CHILD is not in header.csv"))
            continue
        if begins is not None and held_on < begins:
            skips.append(_skip(row, "before_period", f"review on {shown(held_on)} is before "
                                                     f"the return's period began on "
                                                     f"{shown(begins)}"))
            continue
        if ends is not None and held_on > ends:
            skips.append(_skip(row, "after_period", f"review on {shown(held_on)} is after the "
                                                    f"return's period ended on {shown(ends)}"))
            continue
        period, why = _period_of(periods.get(child, []), held_on)
        if period is None:
            skips.append(_skip(row, *why))
            continue
        if (child, held_on) in seen:
            skips.append(_skip(row, "duplicate_review", "another review of this child on the "
                               f"same day is on {seen[child, held_on].where()}"))
            continue
        seen[child, held_on] = row
        placed[child, period.began].append(Review(row, held_on, PARTICIPATION[code].value))
    return placed


def _period_of(periods: list[Period], day: date) -> tuple[Period | None, tuple[str, str]]:
    """The period of care a review on `day` fell in, or the kind and reason it fell in none."""
    holding = [period for period in periods if period.holds(day)]
    if holding:
        return holding[-1], ("", "")
    if not periods:
        return None, ("no_case", "no episode of this child could be mapped, so there is no "
                                 "case for the review")
    review = f"review on {shown(day)}"
    first, last = periods[0], periods[-1]
    if day < first.began:
        return None, ("review_before_care", f"{review} is before the child entered care on "
                                            f"{shown(first.began)} ({first.first.row.where()})")
    if last.ended is not None and day > last.ended:
        return None, ("review_after_care", f"{review} is after the child left care on "
                                           f"{shown(last.ended)} ({last.last.row.where()})")
    return None, ("review_outside_care", f"{review} falls between periods of care, when the "
                                         "child was not looked after")


def _case_commands(period: Period, reviews: list[Review], options: Options,
                   covered: tuple[date | None, date | None],
                   skips: list[Skip]) -> list[Mapped]:
    """open_case, then placement moves, changes to or from short breaks and reviews in date
    order, then close_case. A period of care that began before the return's period is opened
    on the period's first day (entering care on its own): the record of the case begins where
    the return does, and an episode before then is reported, not recorded."""
    begins, ends = covered
    names = options.pseudonyms
    case_id = names.case_id(period.child, period.began)
    prefix = f"ssda903:{options.la_code}:{case_id}"

    def command(name: str, on: date, row: Row, key: str, **fields: Any) -> Mapped:
        return Mapped({"command": name, "la_code": options.la_code,
                       "occurred_on": on.isoformat(), "actor": options.la_code,
                       "case_id": case_id, **fields, "command_id": f"{prefix}:{key}"}, row)

    opened_on = max(period.began, begins) if begins is not None else period.began
    current = [e for e in period.episodes if e.began <= opened_on][-1]
    short_breaks = current.legal_status in SHORT_BREAKS
    opened = command("open_case", opened_on, current.row, "open",
                     child_ref=names.child_ref(period.child), legal_status=current.legal_status,
                     entered_care_on=period.began.isoformat(), short_breaks=short_breaks)
    dated_events: list[tuple[date, int, int, Mapped]] = []
    moves_on: Counter[date] = Counter()
    for episode in period.episodes[1:]:
        if episode.began < opened_on:
            if episode.rne in PLACEMENT_CHANGES:
                skips.append(_skip(episode.row, "before_period", (
                    f"placement change on {shown(episode.began)} is before the return's "
                    f"period began on {shown(opened_on)}")))
            continue
        if ends is not None and episode.began > ends:
            skips.append(_skip(episode.row, "after_period", (
                f"episode beginning on {shown(episode.began)} is after the return's period "
                f"ended on {shown(ends)}")))
            continue
        if (episode.legal_status in SHORT_BREAKS) != short_breaks:
            short_breaks = not short_breaks
            dated_events.append((episode.began, 0, episode.row.line, command(
                "record_short_breaks", episode.began, episode.row,
                f"short_breaks:{episode.began:%Y%m%d}", short_breaks=short_breaks)))
        if episode.rne in PLACEMENT_CHANGES:
            moves_on[episode.began] += 1
            nth = moves_on[episode.began]
            key = f"move:{episode.began:%Y%m%d}" + (f":{nth}" if nth > 1 else "")
            dated_events.append((episode.began, 0, episode.row.line, command(
                "revise_care_plan", episode.began, episode.row, key, change="placement_move",
                summary=MOVE_SUMMARY.format(rne=episode.rne), via_review=False,
                iro_consulted=False)))
    for review in reviews:
        dated_events.append((review.held_on, 1, review.row.line, command(
            "hold_review", review.held_on, review.row, f"review:{review.held_on:%Y%m%d}",
            chaired_by=PLACEHOLDER_IRO, child_participation=review.participation,
            child_seen_before=False)))
    dated_events.sort(key=lambda event: event[:3])
    commands = [opened, *(event[3] for event in dated_events)]
    last = period.last
    if last.ended is not None and last.rec is not None:
        commands.append(command("close_case", last.ended, last.row, "close",
                                reason=_close_reason(last.rec)))
    return commands


def _close_reason(rec: str) -> str:
    if rec == CONTINUES_LOOKED_AFTER:
        return ("episode ended (SSDA903 REC X1) and the return holds no later episode of "
                "this period of care")
    return f"ceased to be looked after (SSDA903 REC {rec})"


def _preamble(body: list[Mapped], options: Options, begins: date | None,
              ends: date | None) -> list[Mapped]:
    """The authority and the placeholder IRO, dated no later than anything that needs them,
    then what the return covers (before its cases, so no flag it rules out is ever raised)."""
    first_day = min((command.body["occurred_on"] for command in body),
                    default=options.today.isoformat())
    la = options.la_code
    preamble: list[Mapped] = []
    if options.authority_name is not None:
        preamble.append(Mapped({"command": "register_authority", "la_code": la,
                                "occurred_on": first_day, "name": options.authority_name,
                                "command_id": f"ssda903:{la}:authority"}))
    if options.register_officer and any(c.body["command"] == "hold_review" for c in body):
        preamble.append(Mapped({"command": "register_officer", "la_code": la,
                                "occurred_on": first_day, "officer_id": PLACEHOLDER_IRO,
                                "role": "iro", "employment": "employed",
                                "command_id": f"ssda903:{la}:officer:{PLACEHOLDER_IRO}"}))
    if begins is not None and ends is not None and not any(
            first <= begins and ends <= last for first, last in options.recorded_periods):
        preamble.append(Mapped({"command": "record_source_period", "la_code": la,
                                "occurred_on": options.today.isoformat(),
                                "dataset": "ssda903", "begins_on": begins.isoformat(),
                                "ends_on": ends.isoformat(),
                                "command_id": f"ssda903:{la}:period:{begins:%Y%m%d}-"
                                              f"{ends:%Y%m%d}"}))
    return preamble
