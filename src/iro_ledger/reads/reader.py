"""`Reader`: one principal's reads in one request, through the one door.

Every read checks who may see it (`application.access.can_read`: one's own authority,
inspectors and admins anywhere, an arbitrator only what stands around the disputes referred to
their body: `reads.disputes.Scope`, the records a dispute bundle holds), brings the
read models it needs up to the store (`Reads.fresh`), counts days to England's today unless
asked about another day, and notes what it showed. When the `with` block ends without a
refusal, the reads of inspectors and arbitrators are recorded as `RecordRead` events: one per
authority and thing read, or one per authority for a named page (`seen_as`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any

from iro_ledger.application import Principal, RecordView, Role
from iro_ledger.application.access import can_read
from iro_ledger.application.handlers import RECORD_CLASSES
from iro_ledger.domain.errors import InvalidValue, NotPermitted, NotRecorded
from iro_ledger.projections import data_quality
from iro_ledger.projections.base import Period
from iro_ledger.projections.challenges import (
    RegisterQuery,
    read_challenge,
    read_challenge_cases,
    read_disputes,
    read_register,
)
from iro_ledger.projections.flags_on import (
    LINE,
    OLDEST_FIRST,
    Filter,
    Listed,
    counts,
    cursor_of,
    judged_for,
    lines,
    listed,
    order_by,
    prepare,
    row_of,
)
from iro_ledger.projections.measures import as_dicts, measures_of, period_of
from iro_ledger.projections.officers import read_officer, read_officers
from iro_ledger.projections.rules.flag import Flag, Status
from iro_ledger.projections.runner import Decoder
from iro_ledger.projections.timeline import read_cases, read_timeline
from iro_ledger.reads import words
from iro_ledger.reads.disputes import Scope, acts_against, in_force
from iro_ledger.reads.results import (
    DataQualityRead,
    DisputeRead,
    FlagRead,
    FlagsRead,
    Found,
    HistoryEvent,
    MeasuresRead,
    RegisterRead,
)

if TYPE_CHECKING:
    from iro_ledger.reads.service import Reads

HISTORY_KINDS = frozenset(RECORD_CLASSES)
"""The kinds of record a history holds: the ledger's own records, not the access log (reads)
nor the idempotency receipts of commands."""


class Reader:
    def __init__(self, reads: Reads, principal: Principal, surface: str,
                 seen_as: str | None) -> None:
        self._reads = reads
        self.principal = principal
        self._surface = surface
        self._seen_as = seen_as
        self._seen: set[tuple[str, str]] = set()
        self._scopes: dict[str, Scope] = {}

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self._record()

    def today(self) -> date:
        return self._reads.today()

    def period(self, start: date | None = None, end: date | None = None) -> Period:
        """The period asked for: by default the year up to today (or up to `end`)."""
        return period_of(start, end, self.today())

    # Who may see what

    def may_read(self, la_code: str) -> None:
        if not can_read(self.principal, la_code):
            raise NotPermitted(f"{self.principal.sub} ({self.principal.role.value}) may not "
                               f"read the records of {la_code}")

    @property
    def arbitrator(self) -> bool:
        return self.principal.role is Role.ARBITRATOR

    def authorities(self) -> list[str]:
        """The authorities whose figures the principal may see, by code."""
        if self.principal.role in (Role.ADMIN, Role.INSPECTOR):
            self._reads.fresh(None)  # the runner names the records it has applied
            rows = self._reads.projections.db.query(
                "SELECT DISTINCT la_code FROM projection_records WHERE kind = ?"
                " ORDER BY la_code", ("authority",))
            return [str(r["la_code"]) for r in rows]
        if self.arbitrator:
            return []
        return [self.principal.la_code] if self.principal.la_code else []

    def authority_name(self, la_code: str) -> str | None:
        """The name the authority was registered with, if it was (names are not secret)."""
        return self._reads.ledger.authority_name(la_code)

    # Flags

    def flags(self, la_code: str | None = None, rule: str | None = None,
              severity: str | None = None, status: str | None = None,
              officer_id: str | None = None, case_id: str | None = None,
              as_of: date | None = None, min_position: int | None = None,
              limit: int | None = None, offset: int = 0, sort: str | None = None,
              descending: bool = False, after: str | None = None) -> FlagsRead:
        """One page of the flags as they stood at the end of `as_of` (all when no `limit`),
        oldest first, or by the column `sort` (then gravest and newest first): after the
        cursor `after` a page gave (`FlagsRead.next`), or after `offset` flags."""
        _choice("rule", rule, words.RULE_NAMES)
        _choice("severity", severity, words.SEVERITIES)
        _choice("status", status, words.FLAG_STATUSES)
        chosen = Filter(self._flag_authorities(la_code), rule, severity, status,
                        officer_id, case_id)
        order = order_by(sort, descending)
        day, position, las, key = self._flags_ready(chosen.la_codes, as_of, min_position)
        chosen = replace(chosen, la_codes=las)
        with self._reads.projections.db.reading() as tx:
            found = (listed(tx, key, chosen, order) if self.arbitrator
                     else listed(tx, key, chosen, order, limit, offset, after))
        if self.arbitrator:
            found = self._referred_page(found, order, limit, offset, after)
        for la in {f.la_code for f in found.flags} | set(las):
            self._seen.add((la, "flags"))
        return FlagsRead(day, found.flags, position, found.total,
                         self._withdrawn_by(found.flags), found.next)

    def flag_lines(self, la_code: str | None = None, rule: str | None = None,
                   severity: str | None = None, status: str | None = None,
                   sort: str | None = None, descending: bool = False) -> list[dict[str, Any]]:
        """Every flag under the filters, ordered as `flags` orders them, as the columns of an
        export (`flags_on.LINE`: severity, rule, la_code, about, raised_on, status,
        explanation, id), read from the stored columns without the flags' documents."""
        if self.arbitrator:
            return [{k: row_of(f)[k] if k != "severity" else str(f.severity)
                     for k in LINE} for f in self.flags(la_code, rule, severity, status,
                                                         sort=sort, descending=descending).flags]
        _choice("rule", rule, words.RULE_NAMES)
        _choice("severity", severity, words.SEVERITIES)
        _choice("status", status, words.FLAG_STATUSES)
        chosen = Filter(self._flag_authorities(la_code), rule, severity, status)
        _, _, las, key = self._flags_ready(chosen.la_codes, None, None)
        with self._reads.projections.db.reading() as tx:
            found = lines(tx, key, replace(chosen, la_codes=las), order_by(sort, descending))
        for la in las:
            self._seen.add((la, "flags"))
        return found

    def flag_counts(self, by: Sequence[str], la_code: str | None = None,
                    rule: str | None = None, severity: str | None = None,
                    status: str | None = None,
                    as_of: date | None = None) -> list[dict[str, Any]]:
        """How many flags there are for each value of `by` (`la_code`, `rule`, `status`,
        `month` raised, `grave`: high or critical), under the filters, as of the day: a count
        from the stored flags, never the flags themselves. Not for arbitrators, who see only
        the flags around their disputes (count a listing instead)."""
        if self.arbitrator:
            raise NotPermitted("an arbitrator sees the flags around the disputes referred to "
                               "their body, not counts of an authority's flags")
        _choice("rule", rule, words.RULE_NAMES)
        _choice("severity", severity, words.SEVERITIES)
        _choice("status", status, words.FLAG_STATUSES)
        chosen = Filter(self._flag_authorities(la_code), rule, severity, status)
        _, _, las, key = self._flags_ready(chosen.la_codes, as_of, None)
        with self._reads.projections.db.reading() as tx:
            found = counts(tx, key, replace(chosen, la_codes=las), by)
        for la in las:
            self._seen.add((la, "flags"))
        return found

    def flag(self, flag_id: str, as_of: date | None = None,
             min_position: int | None = None) -> FlagRead:
        """One flag by id, whatever its status (a withdrawn one with its late record)."""
        chosen = Filter(self._flag_authorities(None), flag_id=flag_id)
        day, _, las, key = self._flags_ready(chosen.la_codes, as_of, min_position)
        with self._reads.projections.db.reading() as tx:
            found = listed(tx, key, replace(chosen, la_codes=las), OLDEST_FIRST).flags
        if self.arbitrator:
            found = [f for f in found if self._scope(f.la_code).touches(f)]
        if not found:
            raise NotRecorded(f"no flag {flag_id!r} (as of {day}) among the "
                              "authorities you may read")
        flag = found[0]
        self._seen.add((flag.la_code, f"flag:{flag_id}"))
        return FlagRead(flag, self._withdrawn_by([flag]).get(flag.id))

    def _flags_ready(self, la_codes: Sequence[str] | None, as_of: date | None,
                     min_position: int | None) -> tuple[date, int, list[str], str]:
        """The day asked (today by default), the flags model's position once caught up, the
        authorities whose flags of that day are now stored (`flags_on.prepare`), and the key
        they are stored under."""
        model = self._reads.flags_model()
        position = self._reads.fresh(["flags"], min_position)
        day = as_of or self.today()
        las = prepare(self._reads.projections.db, model.config, la_codes, day)
        return day, position, las, judged_for(day, model.config)

    def _referred_page(self, every: Listed, order: Sequence[tuple[str, bool]],
                       limit: int | None, offset: int, after: str | None) -> Listed:
        """An arbitrator's page: of every flag listed, those touching a dispute referred to
        their body, paged here (they are few)."""
        kept = [f for f in every.flags if self._scope(f.la_code).touches(f)]
        cursors = [cursor_of(row_of(f), order) for f in kept]
        start = offset
        if after is not None:
            if after not in cursors:
                raise InvalidValue("after", "is not a cursor this listing gave")
            start = cursors.index(after) + 1
        end = len(kept) if limit is None else start + limit
        return Listed(kept[start:end], len(kept),
                      cursors[end - 1] if end < len(kept) and end > start else None)

    def _withdrawn_by(self, flags: list[Flag]) -> dict[str, dict[str, Any]]:
        """For each withdrawn flag, the late record that withdrew it, read from the store:
        where it is, what it claims (`occurred_on`), when and by whom it was recorded, and
        `days_late`. The reader may see it: it is in the flag's own authority."""
        found: dict[str, dict[str, Any]] = {}
        for flag in flags:
            if flag.status is not Status.WITHDRAWN:
                continue
            ref = flag.standing().event
            if ref is None:
                continue
            event = self._reads.ledger.event_of(ref.kind, flag.la_code, ref.id,
                                                ref.event_number)
            if event is None:
                continue
            found[flag.id] = {**ref.model_dump(mode="json"),
                              **{k: event.get(k) for k in _PROVENANCE}}
        return found

    def _flag_authorities(self, la_code: str | None) -> list[str] | None:
        """The authorities whose flags the principal may read (None: all of them); for an
        arbitrator, those with disputes referred to their body (the flags are then kept to
        those touching the disputes: `_referred_flags`)."""
        if self.arbitrator:
            referred = sorted(self._referred_authorities())
            if la_code is not None and la_code not in referred:
                raise NotPermitted(f"no dispute in {la_code} is referred to {self.principal.body}")
            return [la_code] if la_code is not None else referred
        if la_code is not None:
            self.may_read(la_code)
            return [la_code]
        if self.principal.role in (Role.ADMIN, Role.INSPECTOR):
            return None
        return [self.principal.la_code] if self.principal.la_code else []

    # The monitoring read models

    def register(self, la_code: str, status: str | None = None, stage: str | None = None,
                 officer_id: str | None = None, case_id: str | None = None,
                 as_of: date | None = None, limit: int = 50, offset: int = 0,
                 min_position: int | None = None) -> RegisterRead:
        """The challenge register; an arbitrator sees only what is referred to their body."""
        _choice("status", status, words.REGISTER_STATUSES)
        _choice("stage", stage, words.STAGES)
        body = self._body_or_may_read(la_code)
        position = self._reads.fresh(["challenges"], min_position)
        day = as_of or self.today()
        query = RegisterQuery(la_code, status, stage, officer_id, case_id, body)
        with self._reads.projections.db.reading() as tx:
            total, items = read_register(tx, query, day, limit, offset)
        self._seen.add((la_code, "challenge_register"))
        return RegisterRead(day, total, items, position)

    def timeline(self, la_code: str, case_id: str, min_position: int | None = None) -> Found:
        """A case's timeline; an arbitrator's only once a dispute on it is referred to them."""
        if not self.arbitrator:
            self.may_read(la_code)
        position = self._reads.fresh(["timeline"], min_position)
        with self._reads.projections.db.reading() as tx:
            found = read_timeline(tx, la_code, case_id)
        if self.arbitrator and (found is None
                                or self.principal.body not in found["arbitration_bodies"]):
            raise NotPermitted(f"no dispute on case {case_id} is referred to "
                               f"{self.principal.body}")
        if found is None:
            raise NotRecorded(f"no case {case_id!r} is recorded in {la_code}")
        self._seen.add((la_code, f"timeline:{case_id}"))
        return Found(found, position)

    def officer(self, la_code: str, officer_id: str, as_of: date | None = None,
                min_position: int | None = None) -> Found:
        """An officer's record; an arbitrator's only of an officer whose dispute is theirs."""
        self._may_open(la_code, "officer", officer_id)
        position = self._reads.fresh(["officers"], min_position)
        with self._reads.projections.db.reading() as tx:
            found = read_officer(tx, la_code, officer_id, as_of or self.today())
        if found is None:
            raise NotRecorded(f"no officer {officer_id!r} is recorded in {la_code}")
        self._seen.add((la_code, f"officer_record:{officer_id}"))
        return Found(found, position)

    def measures(self, la_code: str, start: date | None = None, end: date | None = None,
                 min_position: int | None = None) -> MeasuresRead:
        """An authority's measures for a period (default: the year to today)."""
        self.may_read(la_code)
        period = self.period(start, end)
        position = self._reads.fresh(None, min_position)
        found = as_dicts(measures_of(self._reads.projections, la_code, period))
        self._seen.add((la_code, "measures"))
        return MeasuresRead(la_code, period, found, position)

    def data_quality(self, la_code: str) -> list[dict[str, Any]]:
        """The data-quality findings recorded about an authority's data, one batch per import,
        oldest first: kept apart from the flags (they judge nobody), read from the
        authority's own record."""
        self.may_read(la_code)
        view = self._reads.ledger.read("authority", la_code, la_code, self.principal,
                                       record=False)
        self._seen.add((la_code, "data_quality"))
        return [{"number": e["number"], "occurred_on": e["occurred_on"],
                 "recorded_at": e["recorded_at"], "recorded_by": e["recorded_by"],
                 "dataset": e["dataset"], "findings": sum(e["counts"].values()),
                 "counts": dict(sorted(e["counts"].items())), "rows": list(e["rows"])}
                for e in view.events if e["type"] == "DataQualityRecorded"]

    def data_quality_findings(self, la_code: str, dataset: str | None = None,
                              kind: str | None = None, limit: int = 100, offset: int = 0,
                              min_position: int | None = None, sort: str = "number",
                              descending: bool = False) -> DataQualityRead:
        """The authority's data-quality findings: counts by dataset and kind, and a page of
        the rows (in recording order, or `sort`ed by kind), filtered by dataset and kind.
        Never flags."""
        self.may_read(la_code)
        if sort not in data_quality.ORDERS:
            raise InvalidValue("sort", f"{sort!r} is not one of "
                                       + ", ".join(data_quality.ORDERS))
        position = self._reads.fresh(["measures"], min_position)
        with self._reads.projections.db.reading() as tx:
            counted = data_quality.COUNTS.select(tx, "la_code = ?", (la_code,))
            page = data_quality.read_rows(tx, la_code, dataset, kind, offset, limit, sort,
                                          descending)
        self._seen.add((la_code, "data_quality"))
        value = data_quality.measure(counted).value or {}
        return DataQualityRead(la_code, value, sum(n for c in value.values() for n in c.values()),
                               page.total, offset, limit, page.rows, position)

    def officers(self, la_code: str) -> list[dict[str, Any]]:
        """Every officer of an authority (the people list)."""
        self.may_read(la_code)
        self._reads.fresh(["officers"])
        with self._reads.projections.db.reading() as tx:
            found = read_officers(tx, la_code)
        self._seen.add((la_code, "officers"))
        return found

    def cases(self, la_code: str) -> list[dict[str, Any]]:
        """Every case of an authority, with who held it when."""
        self.may_read(la_code)
        self._reads.fresh(["timeline"])
        with self._reads.projections.db.reading() as tx:
            found = read_cases(tx, la_code)
        self._seen.add((la_code, "cases"))
        return found

    def disputes(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """An arbitrator's disputes: every challenge referred to their body, anywhere."""
        if not self.arbitrator:
            raise NotPermitted("only an arbitrator has disputes referred to their body")
        self._reads.fresh(["challenges"])
        with self._reads.projections.db.reading() as tx:
            found = read_disputes(tx, self.principal.body or "", as_of or self.today())
        self._seen.update((d["la_code"], "disputes") for d in found)
        return found

    def challenge_cases(self, la_code: str) -> dict[str, str]:
        """challenge_id -> case_id for the challenges the principal may see (for links)."""
        body = self._body_or_may_read(la_code)
        self._reads.fresh(["challenges"])
        with self._reads.projections.db.reading() as tx:
            return read_challenge_cases(tx, la_code, body)

    def record(self, kind: str, la_code: str, ref: str) -> RecordView:
        """A record with every event on it, straight from the store (an arbitrator's: one
        around a dispute referred to their body)."""
        referred = None
        if self.arbitrator and kind != "challenge":
            self._may_open(la_code, kind, ref)
            referred = self.principal.body
        view = self._reads.ledger.read(kind, la_code, ref, self.principal, record=False,
                                       referred_to=referred)
        self._seen.add((la_code, f"{kind}:{ref}"))
        return view

    # The history

    def history(self, la_code: str | None = None, batch: int = 500) -> Iterator[HistoryEvent]:
        """Every event of the records of `la_code` (of every authority the principal may read
        when None), in store order: the ledger's records (`HISTORY_KINDS`) only.
        Not for arbitrators: a history is more than their disputes."""
        if self.arbitrator:
            raise NotPermitted("an arbitrator sees only what stands around the disputes "
                               "referred to their body, not an authority's history")
        if la_code is not None:
            self.may_read(la_code)
        chosen = ({la_code} if la_code is not None
                  else None if self.principal.role in (Role.ADMIN, Role.INSPECTOR)
                  else {self.principal.la_code or ""})
        return self._history(chosen, batch)

    def _history(self, chosen: set[str] | None, batch: int) -> Iterator[HistoryEvent]:
        ledger, decoder = self._reads.ledger, Decoder(self._reads.ledger.mapper)
        top, start = ledger.position(), 1
        while start <= top:
            notes = ledger.recorder.select_notifications(start=start, limit=batch, stop=top)
            if not notes:
                break
            for env in decoder.decode(notes):
                if env.kind not in HISTORY_KINDS or (chosen is not None
                                                     and env.la_code not in chosen):
                    continue
                self._seen.add((env.la_code, "history"))
                entry = env.entry()
                yield HistoryEvent(env.position, env.kind, env.la_code, env.record, env.number,
                                   env.type, entry["occurred_on"], entry["recorded_at"],
                                   entry["recorded_by"], entry["actor"], entry["source"],
                                   entry["on_behalf_of"], entry["fields"])
            start = notes[-1].id + 1

    # Disputes

    def dispute(self, la_code: str, challenge_id: str) -> DisputeRead:
        """A challenge and everything around it (`reads.disputes`), with the receipts of every
        event any of it cites: what a dispute bundle holds. An arbitrator's only when the
        challenge is referred to their body."""
        if not self.arbitrator:
            self.may_read(la_code)
        position = self._reads.fresh(["challenges", "timeline", "officers", "flags"])
        day = self.today()
        with self._reads.projections.db.reading() as tx:
            challenge = read_challenge(tx, la_code, challenge_id, day)
            if challenge is not None and not self._referred(challenge):
                raise NotPermitted(f"challenge {challenge_id} is not referred to "
                                   f"{self.principal.body}")
            if challenge is None:
                raise NotRecorded(f"no challenge {challenge_id!r} is recorded in {la_code}")
            timeline = read_timeline(tx, la_code, challenge["case_id"])
            officer = read_officer(tx, la_code, challenge["officer_id"], day)
        if timeline is None or officer is None:
            raise NotRecorded(f"the case or officer of challenge {challenge_id} is not recorded")
        scope = Scope(la_code)
        scope.add(challenge, officer, timeline, day.isoformat())
        config = self._reads.flags_model().config
        prepare(self._reads.projections.db, config, [la_code], day)
        with self._reads.projections.db.reading() as tx:
            touching = [f for status in (None, "withdrawn") for f in listed(
                tx, judged_for(day, config), Filter([la_code], status=status),
                OLDEST_FIRST).flags
                if scope.touches(f)]
        flags = FlagsRead(day, touching, position, len(touching), self._withdrawn_by(touching))
        instructions = in_force(officer["instructions"], challenge, day.isoformat())
        acts = acts_against(officer)
        parts: list[Any] = [challenge, timeline, officer, instructions, acts, flags.public()]
        receipts, consistency = self._reads.trust().event_proofs(cited(la_code, parts))
        self._seen.add((la_code, f"dispute:{challenge_id}"))
        return DisputeRead(la_code, challenge_id, self.authority_name(la_code), day, challenge,
                           timeline, officer, instructions, acts, flags, receipts, consistency,
                           position)

    def seal(self, tree_size: int, digest: bytes) -> str:
        """The log's seal over a dispute bundle's content (`trust.verifier.seal_text`)."""
        return self._reads.trust().seal(tree_size, digest)

    def _referred(self, challenge: dict[str, Any]) -> bool:
        return not self.arbitrator or challenge["arbitration_body"] == self.principal.body

    def _referred_authorities(self) -> set[str]:
        self._reads.fresh(["challenges"])
        with self._reads.projections.db.reading() as tx:
            found = read_disputes(tx, self.principal.body or "", self.today())
        return {d["la_code"] for d in found}

    def _scope(self, la_code: str) -> Scope:
        """What stands around the disputes of `la_code` referred to the arbitrator's body."""
        if la_code not in self._scopes:
            self._reads.fresh(["challenges", "officers", "timeline"])
            day = self.today()
            scope = Scope(la_code)
            with self._reads.projections.db.reading() as tx:
                for dispute in read_disputes(tx, self.principal.body or "", day):
                    if dispute["la_code"] == la_code:
                        scope.add(dispute, read_officer(tx, la_code, dispute["officer_id"], day),
                                  read_timeline(tx, la_code, dispute["case_id"]),
                                  day.isoformat())
            self._scopes[la_code] = scope
        return self._scopes[la_code]

    def _may_open(self, la_code: str, kind: str, ref: str) -> None:
        """may_read, but an arbitrator may open a record around a dispute referred to them."""
        if not self.arbitrator:
            self.may_read(la_code)
        elif not self._scope(la_code).holds(kind, ref):
            raise NotPermitted(f"{kind} {ref} of {la_code} is not part of a dispute referred "
                               f"to {self.principal.body}")

    def _body_or_may_read(self, la_code: str) -> str | None:
        """An arbitrator's body (they see what is referred to it); others must may_read."""
        if self.arbitrator:
            return self.principal.body or ""
        self.may_read(la_code)
        return None

    def _record(self) -> None:
        seen = {(la, self._seen_as) for la, _ in self._seen} if self._seen_as else self._seen
        for la_code, what in sorted(seen):
            self._reads.ledger.record_read(self.principal, la_code, what, self._surface)


def cited(la_code: str, parts: Any) -> set[tuple[str, str, str, int]]:
    """Every event the parts cite, as (kind, la_code, ref, number): read models' references
    (kind, id, la_code, number, position, type) and flags' (kind, id, event_number, ...),
    which are of the flag's authority."""
    found: set[tuple[str, str, str, int]] = set()
    if isinstance(parts, dict):
        if {"kind", "id", "number", "position", "type"} <= parts.keys():
            found.add((parts["kind"], parts.get("la_code") or la_code, parts["id"],
                       parts["number"]))
        elif {"kind", "id", "event_number", "position", "event_type"} <= parts.keys():
            found.add((parts["kind"], la_code, parts["id"], parts["event_number"]))
        for value in parts.values():
            found |= cited(la_code, value)
    elif isinstance(parts, list):
        for value in parts:
            found |= cited(la_code, value)
    return found


_PROVENANCE = ("recorded_at", "recorded_by", "actor", "on_behalf_of", "days_late")
"""What a flag's late record says of itself beside where it is and the day it claims."""


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InvalidValue(name, f"{value!r} is not one of {', '.join(allowed)}")
