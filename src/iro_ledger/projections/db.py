"""A tiny SQL adapter for the read models, over sqlite3 and psycopg.

The projections' tables live in the same database as the events, reached by the same URL.
SQL is written once with `?` placeholders and translated for psycopg; the dialects differ only
where the adapter says so (`dialect`). Write SQL the two share: `INSERT ... ON CONFLICT`,
`CREATE TABLE IF NOT EXISTS`, TEXT / BIGINT / INTEGER columns, JSON documents in TEXT.
Do not put a literal `?` or `%` inside SQL text; pass values as parameters.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from iro_ledger.domain.errors import InvalidValue

Dialect = Literal["sqlite", "postgres"]
Row = dict[str, Any]
Params = Sequence[Any]


_LEDGER_ONLY = {"pool_size", "max_overflow", "schema"}


def libpq_url(url: str) -> str:
    """The database URL without the options only the event store understands."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in _LEDGER_ONLY]
    return urlunsplit(parts._replace(query=urlencode(query)))


def to_psycopg(sql: str) -> str:
    """`?` placeholders to psycopg's `%s` (a literal `%` is escaped first)."""
    return sql.replace("%", "%%").replace("?", "%s")


MANY_ROWS = 5000
"""Rows per set-based INSERT: one array a column, unnested (`Tx.executemany`)."""
COPY_ROWS = 500
"""From this many rows a plain INSERT (no conflict clause) is sent as `COPY ... FROM STDIN`:
psycopg formats COPY rows in C, where it dumps each array element in Python."""
_INSERT = re.compile(r"^(INSERT INTO (\w+) \(([^)]*)\)) VALUES \((\?(?:, \?)*)\)(.*)$",
                     re.DOTALL)
_UPSERT = re.compile(r"^ ON CONFLICT \(([^)]*)\) DO (?:NOTHING|UPDATE SET (.*))$", re.DOTALL)


@dataclass(frozen=True)
class _SetInsert:
    """An INSERT ... VALUES (?, ...) [ON CONFLICT ...] that can take many rows at once."""

    head: str
    """`INSERT INTO t (cols)`."""
    table: str
    columns: tuple[str, ...]
    tail: str
    """The conflict clause, or ''."""
    keys: tuple[int, ...]
    """Positions of the conflict key when the clause updates (each key once a statement)."""


def _multi_row(sql: str) -> _SetInsert | None:
    """The INSERT's parts when it may be sent many rows at once; None otherwise."""
    insert = _INSERT.match(sql)
    if insert is None:
        return None
    head, table, columns, marks, tail = insert.groups()
    names = tuple(c.strip() for c in columns.split(","))
    width = marks.count("?")
    if width != len(names) or "?" in tail:
        return None
    if not tail:
        return _SetInsert(head, table, names, tail, ())
    upsert = _UPSERT.match(tail)
    if upsert is None:
        return None
    key, updates = upsert.groups()
    if updates is None:
        return _SetInsert(head, table, names, tail, ())
    for assignment in updates.split(","):
        column, _, value = (part.strip() for part in assignment.partition("="))
        if value != f"excluded.{column}":
            return None  # an update that reads the old row must see each row in turn
    key_names = [k.strip() for k in key.split(",")]
    if not all(k in names for k in key_names):
        return None
    return _SetInsert(head, table, names, tail, tuple(names.index(k) for k in key_names))


_TYPES: dict[tuple[str, str], dict[str, str]] = {}
"""Column types of the read models' tables, by (database, table): tables are versioned, so
a name keeps its columns' types (a rebuild drops and recreates them alike)."""


@dataclass
class Tx:
    """One open transaction: everything done through it commits or rolls back together."""

    dialect: Dialect
    _cursor: Any

    def execute(self, sql: str, params: Params = ()) -> None:
        self._cursor.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Run `sql` for each row. On PostgreSQL an INSERT whose conflict clause does nothing
        or overwrites columns with `excluded` ones is sent set-based: one statement of up to
        `MANY_ROWS` rows, a binary array a column, `INSERT ... SELECT * FROM unnest(...)` (the
        last row of each key wins, as it would one by one); a plain INSERT of `COPY_ROWS` or
        more is a COPY. Its text never changes with the
        number of rows, so the server plans it once and the client never re-parses it."""
        if not rows:
            return
        many = _multi_row(sql) if self.dialect == "postgres" else None
        if many is None:
            self._cursor.executemany(self._sql(sql), [tuple(r) for r in rows])
            return
        if not many.tail and len(rows) >= COPY_ROWS:
            with self._cursor.copy(f"COPY {many.table} ({', '.join(many.columns)})"
                                   " FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if many.keys:  # DO UPDATE may not meet one key twice in a statement: keep the last
            last = {tuple(row[i] for i in many.keys): row for row in rows}
            rows = list(last.values())
        types = self.column_types(many.table)
        arrays = ", ".join(f"%b::{types[c]}[]" for c in many.columns)
        statement = f"{to_psycopg(many.head)} SELECT * FROM unnest({arrays}){to_psycopg(many.tail)}"
        for start in range(0, len(rows), MANY_ROWS):
            chunk = rows[start:start + MANY_ROWS]
            self._cursor.execute(statement, [list(column) for column in zip(*chunk, strict=True)])

    def column_types(self, table: str) -> dict[str, str]:
        """A PostgreSQL table's columns and their types (as SQL names), looked up once."""
        info = self._cursor.connection.info
        slot = (f"{info.host}:{info.port}/{info.dbname}", table)
        found = _TYPES.get(slot)
        if found is None:
            self._cursor.execute(
                "SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute"
                " WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
                (table,))
            found = {str(r["attname"]): str(r["type"]) for r in self._cursor.fetchall()}
            if not found:
                raise LookupError(f"no table {table!r}")
            _TYPES[slot] = found
        return found

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        self._cursor.execute(self._sql(sql), tuple(params))
        if self.dialect == "postgres":
            return list(self._cursor.fetchall())
        names = [d[0] for d in self._cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in self._cursor.fetchall()]

    def one(self, sql: str, params: Params = ()) -> Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def has_tables(self, *tables: str) -> bool:
        """Whether every one of the tables exists (no DDL, so any role may ask)."""
        if self.dialect == "postgres":
            row = self.one("SELECT bool_and(to_regclass(t) IS NOT NULL) AS found"
                           " FROM unnest(?::text[]) AS t", (list(tables),))
            return bool(row and row["found"])
        marks = ", ".join("?" for _ in tables)
        row = self.one("SELECT COUNT(DISTINCT name) AS n FROM sqlite_master WHERE type = 'table'"
                       f" AND name IN ({marks})", tables)
        return bool(row and row["n"] == len(set(tables)))

    def _sql(self, sql: str) -> str:
        return to_psycopg(sql) if self.dialect == "postgres" else sql


class Database:
    """Connections to the ledger's own database, for the read models' tables."""

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        self.dialect: Dialect
        if parts.scheme == "sqlite":
            self.dialect = "sqlite"
            self._path = unquote(url[len("sqlite:///"):])
            if not self._path:
                raise InvalidValue("database_url", "give sqlite:///PATH")
            if self._path != ":memory:":
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            self._local = threading.local()
            self._memory: sqlite3.Connection | None = None
        elif parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            self.dialect = "postgres"
            self.conninfo = libpq_url(url)
            self._pool: ConnectionPool[psycopg.Connection[Row]] | None = None
            self._pool_lock = threading.Lock()
        else:
            raise InvalidValue("database_url", f"unsupported scheme {parts.scheme!r}")

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE)."""
        if self.dialect == "postgres":
            with self._postgres() as conn, conn.transaction(), conn.cursor() as cursor:
                yield Tx("postgres", cursor)
            return
        lite = self._sqlite()
        lite.execute("BEGIN IMMEDIATE")
        try:
            yield Tx("sqlite", lite.cursor())
        except BaseException:
            lite.execute("ROLLBACK")
            raise
        lite.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A read-only snapshot for queries (no write lock on SQLite)."""
        if self.dialect == "postgres":
            with (self._postgres() as conn,
                  conn.transaction(),
                  conn.cursor() as cursor):
                cursor.execute("SET TRANSACTION READ ONLY")
                yield Tx("postgres", cursor)
            return
        lite = self._sqlite()
        lite.execute("BEGIN DEFERRED")
        try:
            yield Tx("sqlite", lite.cursor())
        finally:
            lite.execute("ROLLBACK")

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        with self.reading() as tx:
            return tx.query(sql, params)

    def lookup(self, sql: str, params: Params = ()) -> list[Row]:
        """One read-only statement on its own: on PostgreSQL a single round trip, outside any
        transaction (no BEGIN, SET TRANSACTION and COMMIT around it), for what a request asks
        on every call (is this token revoked?)."""
        if self.dialect != "postgres":
            return self.query(sql, params)
        with self._postgres() as conn:
            conn.autocommit = True
            try:
                return list(conn.execute(to_psycopg(sql), tuple(params), prepare=True))
            finally:
                conn.autocommit = False

    def listen_connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        """A dedicated autocommit connection for LISTEN (PostgreSQL only)."""
        assert self.dialect == "postgres"
        return psycopg.connect(self.conninfo, autocommit=True)

    def compact(self) -> None:
        """After an erasure: on SQLite, move the write-ahead log into the file and truncate
        it, so pages that held erased text are overwritten (best effort: a reader elsewhere
        may keep the log a while). PostgreSQL's dead rows go at its next VACUUM."""
        if self.dialect == "sqlite" and self._path != ":memory:":
            self._sqlite().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self.dialect == "postgres":
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            return
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _sqlite(self) -> sqlite3.Connection:
        if self._path == ":memory:":
            # One private in-memory database, shared by this object's threads.
            if self._memory is None:
                self._memory = sqlite3.connect(":memory:", isolation_level=None,
                                               check_same_thread=False)
            return self._memory
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA secure_delete=ON")  # an erased text's old rows are zeroed
            self._local.conn = conn
        return conn

    def _postgres(self) -> AbstractContextManager[psycopg.Connection[Row]]:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self.conninfo, min_size=1, max_size=8, open=True,
                    kwargs={"row_factory": dict_row}, name="iro-ledger-projections",
                )
        return self._pool.connection()
