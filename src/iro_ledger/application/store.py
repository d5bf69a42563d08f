"""From `IRO_LEDGER_DATABASE_URL` to the eventsourcing library's persistence settings.

`sqlite:///PATH` is the embedded default; `postgresql://user[:password]@host[:port]/db` is
production (psycopg, pooled). The library insists on a PostgreSQL password even under trust
auth, so a URL without one is given a placeholder.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.persistence import Transcoding

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
