"""The flags as they stood on a day, stored: what every flags read is served from.

The flags of a day are the stored event-raised flags as they stood on it and the deadline
rules' flags judged for it (`RulesEngine.flags`), which depend on the day asked. Judging them
means loading an authority's whole book, so it is done once per authority and day, and kept:
`flags_day_v18` holds one row per flag standing on the day (its status, severity, rule,
subjects, raised_on and document as of that day), indexed for the listings' filters and
orders, so a read is a range query with keyset paging, a count and a GROUP BY, whatever the
authority's history.

`flags_changed_v18` holds, per authority, the store position of the last batch that changed its
facts or flags (written by `Flags.apply`); `flags_days_v18` the position each stored day
reflects. A day whose authority changed since is judged again when next read (`prepare`), in
its own write transaction, before the read's snapshot. Only the `KEPT_DAYS` days most
recently judged are kept per authority (today, and the few an as-of read asked).

These are a cache of the model's own tables, not state: a rebuild empties them, and dropping
them loses nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.projections.db import Database, Tx
from iro_ledger.projections.flags_judge import (
    STORED,
    Judged,
    cases_by_officer,
    of_subject,
    sources,
    subjects,
    whole,
)
from iro_ledger.projections.rules.book import Book
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.engine import Changes, RulesEngine
from iro_ledger.projections.rules.flag import Flag

TABLES = ("flags_day_v18", "flags_days_v18", "flags_changed_v18")
KEPT_DAYS = 4
"""Days kept judged per authority; the least recently judged beyond them are dropped."""


def ddl(dialect: str) -> tuple[str, ...]:
    # Sorting text as Python does (by code point), on PostgreSQL whatever its locale.
    text = 'TEXT COLLATE "C"' if dialect == "postgres" else "TEXT"
    return (
        f"CREATE TABLE IF NOT EXISTS flags_day_v18 (la_code {text} NOT NULL,"
        f" judged_for TEXT NOT NULL, id {text} NOT NULL, rule {text} NOT NULL,"
        f" severity TEXT NOT NULL, severity_rank INTEGER NOT NULL, status {text} NOT NULL,"
        " raised_on TEXT NOT NULL,"
        f" officer_id TEXT, case_id TEXT, about {text} NOT NULL, explanation {text} NOT NULL,"
        " source TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (judged_for, la_code, id))",
        "CREATE INDEX IF NOT EXISTS flags_day_v18_source ON flags_day_v18"
        " (judged_for, la_code, source)",
        "CREATE INDEX IF NOT EXISTS flags_day_v18_listed ON flags_day_v18"
        " (judged_for, la_code, status, raised_on, rule, id)",
        "CREATE INDEX IF NOT EXISTS flags_day_v18_gravest ON flags_day_v18"
        " (judged_for, severity_rank, raised_on, id)",
        "CREATE INDEX IF NOT EXISTS flags_day_v18_case ON flags_day_v18"
        " (judged_for, la_code, case_id)",
        "CREATE INDEX IF NOT EXISTS flags_day_v18_officer ON flags_day_v18"
        " (judged_for, la_code, officer_id)",
        "CREATE TABLE IF NOT EXISTS flags_days_v18 (la_code TEXT NOT NULL,"
        " judged_for TEXT NOT NULL, position BIGINT NOT NULL, judged BIGINT NOT NULL,"
        " PRIMARY KEY (la_code, judged_for))",
        "CREATE TABLE IF NOT EXISTS flags_changed_v18 (la_code TEXT PRIMARY KEY,"
        " position BIGINT NOT NULL)",
    )


def judged_for(day: date, config: RulesConfig) -> str:
    """The key of a day's stored flags: the day, and the rules' configuration they were judged
    under (a rules file moving a threshold judges them again)."""
    return f"{day.isoformat()} {_digest(config)}"


def _digest(config: RulesConfig) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:12]


def changed(tx: Tx, la_codes: Sequence[str], position: int) -> None:
    """Say the authorities' facts or flags changed at `position` (from `Flags.apply`)."""
    tx.executemany("INSERT INTO flags_changed_v18 (la_code, position) VALUES (?, ?)"
                   " ON CONFLICT (la_code) DO UPDATE SET position = excluded.position",
                   [(la, position) for la in sorted(set(la_codes))])


def follow(tx: Tx, engine: RulesEngine, config: RulesConfig, changes: Changes,
           position: int) -> None:
    """Bring the stored days of the authorities a batch changed up to it (from `Flags.apply`,
    before `changed`): the flags it changed and the deadline subjects its facts bear on
    (`flags_judge.subjects`) are judged again for each day, from the engine's books. A day
    already behind (judged under other rules, or missed by an earlier batch) is left for
    `prepare` to judge whole."""
    facts: dict[str, list[tuple[str, str]]] = {}
    flags: dict[str, list[Flag]] = {}
    for la, kind, ref, _ in changes.facts:
        facts.setdefault(la, []).append((kind, ref))
    for flag in changes.flags:
        flags.setdefault(flag.la_code, []).append(flag)
    las = sorted(set(facts) | set(flags))
    if not las:
        return
    marks = ", ".join("?" for _ in las)
    before = {str(r["la_code"]): int(r["position"]) for r in tx.query(
        f"SELECT la_code, position FROM flags_changed_v18 WHERE la_code IN ({marks})", las)}
    suffix = _digest(config)
    for row in tx.query(f"SELECT la_code, judged_for, position FROM flags_days_v18"
                        f" WHERE la_code IN ({marks})", las):
        la, key = str(row["la_code"]), str(row["judged_for"])
        book = engine.books.get(la)
        if (book is None or not key.endswith(f" {suffix}")
                or int(row["position"]) < before.get(la, 0)):
            continue
        _follow_day(tx, book, key, config, facts.get(la, []), flags.get(la, []))
        tx.execute("UPDATE flags_days_v18 SET position = ? WHERE la_code = ? AND judged_for = ?",
                   (position, la, key))


def _follow_day(tx: Tx, book: Book, key: str, config: RulesConfig,
                facts: list[tuple[str, str]], flags: list[Flag]) -> None:
    """One stored day of one authority brought up to the book (see `follow`)."""
    day, la = date.fromisoformat(key.split(" ")[0]), book.la_code
    touched = subjects(book, facts)
    if touched is None:
        tx.execute("DELETE FROM flags_day_v18 WHERE judged_for = ? AND la_code = ?", (key, la))
        _put(tx, key, la, whole(book, day, config))
        return
    # The flags the batch changed, as they stood on the day, unless a deadline rule's flag
    # of the same id stands in their place (it is judged below if its subject changed).
    ids = [f.id for f in flags]
    held = _sources(tx, key, la, ids)
    stored = [f for f in flags if held.get(f.id, STORED) == STORED]
    gone = [f.id for f in stored if f.as_of(day) is None]
    _drop(tx, key, la, gone)
    _put(tx, key, la, [(shown, STORED) for f in stored if (shown := f.as_of(day)) is not None])
    # Each deadline subject the batch bore on, judged again alone.
    officers = cases_by_officer(book) if any(k == "officer" for k, _ in touched) else {}
    for kind, ref in sorted(touched):
        named = sources(kind, ref)
        marks = ", ".join("?" for _ in named)
        old = [str(r["id"]) for r in tx.query(
            f"SELECT id FROM flags_day_v18 WHERE judged_for = ? AND la_code = ?"
            f" AND source IN ({marks})", [key, la, *named])]
        new = of_subject(book, kind, ref, day, config, officers)
        found = {f.id for f, _ in new}
        lost = [i for i in old if i not in found]
        _drop(tx, key, la, lost)
        # A stored flag the deadline rule no longer stands in place of shows as it stood.
        _put(tx, key, la, [(shown, STORED) for i in lost if i in book.flags
                           and (shown := book.flags[i].as_of(day)) is not None])
        _put(tx, key, la, new)


def _sources(tx: Tx, key: str, la_code: str, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {str(r["id"]): str(r["source"]) for r in tx.query(
        f"SELECT id, source FROM flags_day_v18 WHERE judged_for = ? AND la_code = ?"
        f" AND id IN ({marks})", [key, la_code, *ids])}


def _drop(tx: Tx, key: str, la_code: str, ids: Sequence[str]) -> None:
    tx.executemany("DELETE FROM flags_day_v18 WHERE judged_for = ? AND la_code = ? AND id = ?",
                   [(key, la_code, i) for i in ids])


def authorities(tx: Tx) -> list[str]:
    """Every authority the flags model holds a book of."""
    rows = tx.query("SELECT la_code FROM flags_changed_v18 ORDER BY la_code")
    if rows:
        return [str(r["la_code"]) for r in rows]
    # A store kept before this table: name its authorities once, from the books.
    rows = tx.query("SELECT DISTINCT la_code FROM flag_facts_v18 UNION"
                    " SELECT DISTINCT la_code FROM flags_v18")
    found = sorted(str(r["la_code"]) for r in rows)
    tx.executemany("INSERT INTO flags_changed_v18 (la_code, position) VALUES (?, 0)"
                   " ON CONFLICT (la_code) DO NOTHING", [(la,) for la in found])
    return found


def prepare(db: Database, config: RulesConfig, la_codes: Sequence[str] | None,
            day: date, busy: Callable[[], bool] = lambda: False) -> list[str]:
    """Make sure the flags of `day` are stored for the authorities (every one when None), as
    their books now stand; the authorities. After the first authority judged, stop once
    `busy` says so (the worker's idle time: an event arrived), so a worker never quite idle
    still judges one authority a batch."""
    with db.transaction() as tx:
        chosen = authorities(tx) if la_codes is None else sorted(set(la_codes))
        if not chosen:
            return []
        marks = ", ".join("?" for _ in chosen)
        now = {str(r["la_code"]): int(r["position"]) for r in tx.query(
            f"SELECT la_code, position FROM flags_changed_v18 WHERE la_code IN ({marks})",
            chosen)}
        held = {str(r["la_code"]): int(r["position"]) for r in tx.query(
            f"SELECT la_code, position FROM flags_days_v18 WHERE judged_for = ?"
            f" AND la_code IN ({marks})", [judged_for(day, config), *chosen])}
        stale = [la for la in chosen if la not in held or held[la] < now.get(la, 0)]
    for number, la in enumerate(stale):
        if number and busy():
            break
        with db.transaction() as tx:
            _judge(tx, config, la, day, now.get(la, 0))
    return chosen


def _judge(tx: Tx, config: RulesConfig, la_code: str, day: date, position: int) -> None:
    """Store the authority's flags of `day` (one authority and day at a time, serialised on its
    row of `flags_days_v18`, so two readers judging it at once write it once each, in turn)."""
    from iro_ledger.projections.flags import load_engine  # flags imports this module

    on = judged_for(day, config)
    tx.execute("INSERT INTO flags_days_v18 (la_code, judged_for, position, judged)"
               " VALUES (?, ?, -1, 0) ON CONFLICT (la_code, judged_for) DO NOTHING", (la_code, on))
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    row = tx.one(f"SELECT position FROM flags_days_v18 WHERE la_code = ? AND judged_for = ?{lock}",
                 (la_code, on))
    if row is not None and int(row["position"]) >= position:
        return  # another reader judged it meanwhile
    book = load_engine(tx, config, [la_code]).books.get(la_code)
    tx.execute("DELETE FROM flags_day_v18 WHERE judged_for = ? AND la_code = ?", (on, la_code))
    _put(tx, on, la_code, whole(book, day, config) if book is not None else [])
    latest = tx.one("SELECT MAX(judged) AS n FROM flags_days_v18 WHERE la_code = ?", (la_code,))
    judged = int(latest["n"] or 0) + 1 if latest else 1
    tx.execute("UPDATE flags_days_v18 SET position = ?, judged = ? WHERE la_code = ?"
               " AND judged_for = ?", (position, judged, la_code, on))
    old = tx.query("SELECT judged_for FROM flags_days_v18 WHERE la_code = ? ORDER BY judged DESC",
                   (la_code,))[KEPT_DAYS:]
    for gone in old:
        tx.execute("DELETE FROM flags_day_v18 WHERE judged_for = ? AND la_code = ?",
                   (gone["judged_for"], la_code))
        tx.execute("DELETE FROM flags_days_v18 WHERE judged_for = ? AND la_code = ?",
                   (gone["judged_for"], la_code))


def _put(tx: Tx, key: str, la_code: str, judged: Iterable[Judged]) -> None:
    tx.executemany(
        "INSERT INTO flags_day_v18 (la_code, judged_for, id, rule, severity, severity_rank,"
        " status, raised_on, officer_id, case_id, about, explanation, source, doc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (judged_for, la_code, id)"
        " DO UPDATE SET rule = excluded.rule, severity = excluded.severity,"
        " severity_rank = excluded.severity_rank, status = excluded.status,"
        " raised_on = excluded.raised_on, officer_id = excluded.officer_id,"
        " case_id = excluded.case_id, about = excluded.about,"
        " explanation = excluded.explanation, source = excluded.source, doc = excluded.doc",
        [(la_code, key, f.id, f.rule, str(f.severity), f.severity.rank, str(f.status),
          f.raised_on.isoformat(), f.subjects.get("officer_id"), f.subjects.get("case_id"),
          about(f), f.explanation, came_from, f.model_dump_json()) for f, came_from in judged])


def about(flag: Flag) -> str:
    """A flag's subjects as one sortable text (`case_id=C1; officer_id=O1`)."""
    return "; ".join(f"{k}={v}" for k, v in sorted(flag.subjects.items()))


# Reading


@dataclass(frozen=True)
class Filter:
    """Which stored flags of a day to read; None means any. Withdrawn flags only by status
    or id, as `FlagQuery` says."""

    la_codes: Sequence[str] | None = None
    rule: str | None = None
    severity: str | None = None
    status: str | None = None
    officer_id: str | None = None
    case_id: str | None = None
    flag_id: str | None = None

    def where(self, key: str) -> tuple[str, list[Any]]:
        parts, params = ["judged_for = ?"], list[Any]([key])
        if self.la_codes is not None:
            if not self.la_codes:
                return "1 = 0", []
            parts.append(f"la_code IN ({', '.join('?' for _ in self.la_codes)})")
            params += list(self.la_codes)
        for column in ("rule", "severity", "status", "officer_id", "case_id"):
            value = getattr(self, column)
            if value is not None:
                parts.append(f"{column} = ?")
                params.append(str(value))
        if self.flag_id is not None:
            parts.append("id = ?")
            params.append(self.flag_id)
        elif self.status is None:
            parts.append("status <> 'withdrawn'")
        return " AND ".join(parts), params


SORTS = {"severity": "severity_rank", "rule": "rule", "la_code": "la_code",
         "about": "about", "raised_on": "raised_on", "status": "status",
         "explanation": "explanation", "id": "id"}
"""What a listing may be sorted by: the stored column of each."""

OLDEST_FIRST: tuple[tuple[str, bool], ...] = (
    ("la_code", False), ("raised_on", False), ("rule", False), ("id", False))
"""The flags' own order (authority, day raised, rule, id), as the rules engine gives it."""

GRAVEST_NEWEST: tuple[tuple[str, bool], ...] = (
    ("severity_rank", True), ("raised_on", True), ("id", False))
"""The dashboard's order: gravest first, within a severity the newest first."""


def order_by(sort: str | None, descending: bool = False) -> tuple[tuple[str, bool], ...]:
    """The flags in the order of one column, then gravest and newest first (None: their own
    order)."""
    if sort is None:
        return OLDEST_FIRST
    if sort not in SORTS:
        raise InvalidValue("sort", f"{sort!r} is not one of {', '.join(SORTS)}")
    first = (SORTS[sort], descending)
    return (first, *(k for k in GRAVEST_NEWEST if k[0] != first[0]))


def row_of(flag: Flag) -> dict[str, Any]:
    """A flag's values of the columns it is listed by, as its stored row has them."""
    return {"la_code": flag.la_code, "id": flag.id, "rule": flag.rule,
            "severity_rank": flag.severity.rank, "status": str(flag.status),
            "raised_on": flag.raised_on.isoformat(), "about": about(flag),
            "explanation": flag.explanation}


def cursor_of(row: dict[str, Any], order: Sequence[tuple[str, bool]]) -> str:
    """The keyset cursor after `row`: its values of the order's columns, opaque."""
    text = json.dumps([row[column] for column, _ in order], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str, order: Sequence[tuple[str, bool]]) -> tuple[str, list[Any]]:
    """`WHERE` text for the rows after the cursor in `order` (mixed directions allowed)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as bad:
        raise InvalidValue("after", "is not a cursor this listing gave") from bad
    if not isinstance(values, list) or len(values) != len(order) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise InvalidValue("after", "is not a cursor this listing gave")
    ors, params = [], list[Any]()
    for n, (column, descending) in enumerate(order):
        ands = [f"{c} = ?" for c, _ in order[:n]] + [f"{column} {'<' if descending else '>'} ?"]
        ors.append("(" + " AND ".join(ands) + ")")
        params += [*values[:n], values[n]]
    return "(" + " OR ".join(ors) + ")", params


@dataclass(frozen=True)
class Listed:
    """One page of stored flags, the total under the filter, and the cursor after the page."""

    flags: list[Flag]
    total: int
    next: str | None


def listed(tx: Tx, key: str, chosen: Filter, order: Sequence[tuple[str, bool]],
           limit: int | None = None, offset: int = 0, after: str | None = None) -> Listed:
    """The flags stored under `key` (`judged_for`) under `chosen`, in `order`: `limit` of
    them after `after` (a cursor this listing gave) or, for page numbers, after `offset` rows."""
    where, params = chosen.where(key)
    total = tx.one(f"SELECT COUNT(*) AS n FROM flags_day_v18 WHERE {where}", params)
    page_where, page_params = where, list(params)
    if after is not None:
        more, extra = _after(after, order)
        page_where, page_params = f"{where} AND {more}", [*params, *extra]
    by = ", ".join(f"{c}{' DESC' if d else ''}" for c, d in order)
    cut = ""
    if limit is not None:
        cut += f" LIMIT {int(limit) + 1}"
    if offset and after is None:
        bare = limit is None and tx.dialect == "sqlite"  # SQLite has no OFFSET without LIMIT
        cut += f"{' LIMIT -1' if bare else ''} OFFSET {int(offset)}"
    if limit is None:
        sql = (f"SELECT {', '.join(c for c, _ in order)}, doc FROM flags_day_v18"
               f" WHERE {page_where} ORDER BY {by}{cut}")
    else:
        # Order and cut the keys alone, then fetch the page's documents by key: sorting
        # every row with its document would cost as much as reading them all.
        sql = (f"SELECT {', '.join(f'f.{c}' for c, _ in order)}, f.doc FROM (SELECT la_code, id"
               f" FROM flags_day_v18 WHERE {page_where} ORDER BY {by}{cut}) AS k JOIN flags_day_v18"
               " AS f ON f.judged_for = ? AND f.la_code = k.la_code AND f.id = k.id ORDER BY "
               + ", ".join(f"f.{c}{' DESC' if d else ''}" for c, d in order))
        page_params.append(key)
    rows = tx.query(sql, page_params)
    more_rows = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    return Listed([Flag.model_validate_json(r["doc"]) for r in rows],
                  int(total["n"]) if total else 0,
                  cursor_of(rows[-1], order) if more_rows and rows else None)


LINE = ("severity", "rule", "la_code", "about", "raised_on", "status", "explanation", "id")
"""What a flag's line of a listing's export says: stored columns, no document."""


def lines(tx: Tx, key: str, chosen: Filter,
          order: Sequence[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Every flag stored under `key` under `chosen`, in `order`, as its `LINE` columns alone:
    an export of thousands of flags reads no document."""
    where, params = chosen.where(key)
    by = ", ".join(f"{c}{' DESC' if d else ''}" for c, d in order)
    return tx.query(f"SELECT {', '.join(LINE)} FROM flags_day_v18 WHERE {where}"
                    f" ORDER BY {by}", params)


def counts(tx: Tx, key: str, chosen: Filter, by: Sequence[str]) -> list[dict[str, Any]]:
    """How many flags stored under `key` under `chosen` there are for each value of the
    columns `by` (`month` is the month raised, YYYY-MM; `grave` whether high or critical)."""
    columns = {"month": "SUBSTR(raised_on, 1, 7)", "grave": "CASE WHEN severity_rank >= 2"
               " THEN 1 ELSE 0 END", "la_code": "la_code", "rule": "rule", "status": "status"}
    chosen_columns = [f"{columns[b]} AS {b}" for b in by]
    where, params = chosen.where(key)
    group = ", ".join(columns[b] for b in by)
    return tx.query(f"SELECT {', '.join(chosen_columns)}, COUNT(*) AS n FROM flags_day_v18"
                    f" WHERE {where} GROUP BY {group}", params)
