"""From `IRO_LEDGER_DATABASE_URL` to the eventsourcing library's persistence settings.

`sqlite:///PATH` is the embedded default; `postgresql://user[:password]@host[:port]/db` is
production (psycopg, pooled). The library insists on a PostgreSQL password even under trust
auth, so a URL without one is given a placeholder. Event states are encoded as the library
encodes them, faster (`StateTranscoder`).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding

from iro_ledger.domain.errors import InvalidValue


def store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment for a database URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        if not path:
            raise InvalidValue("database_url", "give sqlite:///PATH")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        options = parse_qs(parts.query)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or "") or "trust-auth-needs-no-password",
            "POSTGRES_POOL_SIZE": options.get("pool_size", ["5"])[0],
            "POSTGRES_MAX_OVERFLOW": options.get("max_overflow", ["10"])[0],
            "POSTGRES_CONNECT_TIMEOUT": options.get("connect_timeout", ["5"])[0],
            "APPLICATION_RECORDER_TOPIC": "iro_ledger.application.recorder:Recorder",
        }
        if "schema" in options:
            env["POSTGRES_SCHEMA"] = options["schema"][0]
        return env
    raise InvalidValue("database_url", f"unsupported scheme {parts.scheme!r}; "
                       "use sqlite:///PATH or postgresql://...")


class DateAsISO(Transcoding):
    """Dates (`occurred_on`, `due_on`) are stored as ISO 8601 strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


NATIVE: frozenset[type] = frozenset({str, int, bool, type(None)})
"""Types orjson writes exactly as the library's `json` encoder does."""
_WRAPPED = (date, datetime, Decimal)
"""Registered types orjson hands to `default` (datetimes with OPT_PASSTHROUGH_DATETIME), so
they are wrapped as `{"_type_": ..., "_data_": ...}` like the library wraps them. A UUID is
not among them: orjson writes one as a bare string, so a state holding one is encoded by the
library's encoder."""


class StateTranscoder(JSONTranscoder):
    """The library's JSON transcoder, encoding event states with orjson where it writes the
    same JSON: the encoding of a bulk load's events cost about a seventh of its CPU.

    The JSON differs from the library's at most in a float's exponent (`1e-7` for `1e-07`),
    so it decodes (with the library's decoder, unchanged) to equal values. A state holding
    anything else (a UUID, a non-finite float, a key that is not a string, a type without a
    transcoding) is encoded by the library's encoder, as before. Stored bytes are never
    encoded again: Merkle leaves cover whatever bytes were stored (`trust.canonical`).
    """

    def __init__(self) -> None:
        super().__init__()
        self._leaves: frozenset[type] = NATIVE

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._leaves = NATIVE | {t for t in self.types if t in _WRAPPED}

    def encode(self, obj: Any) -> bytes:
        try:
            if orjson_alike(obj, self._leaves):
                return orjson.dumps(obj, default=self._wrap,
                                    option=orjson.OPT_PASSTHROUGH_DATETIME)
        except (orjson.JSONEncodeError, RecursionError):
            pass  # too deep, or an integer past 64 bits: as the library does
        return super().encode(obj)

    def _wrap(self, value: Any) -> dict[str, Any]:
        transcoding = self.types[type(value)]
        return {"_type_": transcoding.name, "_data_": transcoding.encode(value)}


def orjson_alike(value: Any, leaves: frozenset[type] = NATIVE, *, floats: bool = True) -> bool:
    """Whether orjson writes `value` as `json` would: `leaves` are the types written alike
    (native, or wrapped by a `default`), in dicts keyed by text, lists and tuples; finite
    floats too unless `floats` is False (where an exponent's form matters: a hash of the
    bytes); a str subclass (a StrEnum) as its text."""
    kind = type(value)
    if kind in leaves:
        return True
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in leaves
                                        and not orjson_alike(item, leaves, floats=floats)):
                return False
        return True
    if kind is list or kind is tuple:
        return all(orjson_alike(item, leaves, floats=floats) for item in value)
    if kind is float:
        return floats and math.isfinite(value)
    return isinstance(value, str)
