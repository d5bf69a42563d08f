"""Configuration from the environment (prefix `IRO_LEDGER_`), built when asked, never at import."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "iro-ledger-development-secret-not-for-production"


def data_dir() -> Path:
    return Path(user_data_dir("iro-ledger", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IRO_LEDGER_", extra="ignore")

    database_url: str = ""
    """`sqlite:///PATH` (default: ledger.sqlite in the user's data directory) or
    `postgresql://user@host:port/db`."""
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    """HS256 secret for the service's own tokens (32 bytes or more); the default is public,
    for the demo on loopback only (`serve` elsewhere refuses it)."""
    jwt_ttl_minutes: int = 8 * 60
    """Lifetime of the tokens the CLI mints."""
    jwt_max_ttl_minutes: int = 12 * 60
    """The longest lifetime any accepted token may have (the service's or a provider's)."""
    jwt_issuer: str = "iro-ledger"
    jwt_audience: str = "iro-ledger"
    """The `iss` and `aud` the service's own tokens carry and must carry."""
    identity_providers: Path | None = None
    """TOML file of the OpenID Connect providers whose tokens are accepted
    (`identity.oidc`; docs/operations.md)."""
    session_ttl_minutes: int = 8 * 60
    """The longest a dashboard session lasts (never beyond the token it began with)."""
    signing_key_path: Path | None = None
    """Ed25519 key for checkpoints (default: keys/checkpoint.pem in the data directory)."""
    log_origin: str = "iro-ledger.invalid/log"
    """The checkpoint origin line: names this log for witnesses and verifiers."""
    checkpoint_every_events: int = 100
    checkpoint_every_seconds: float = 60.0
    allow_superuser: bool = False
    """Run on PostgreSQL as a superuser, who can remove the append-only guard; for development
    and tests only (production runs as the role `iro-ledger db setup` makes)."""
    records_cached: int = 20_000
    """Records a process keeps in memory as last committed (`RecordCache`), so a command
    need not replay a record's history. A server's working set is the records in use today;
    a bulk load of many authorities' histories at once, interleaved by date, touches each
    record again only after hundreds of thousands of others and wants them all (about 2-3 KB
    a record; `make bench-national` sets 1,000,000). 0 keeps none."""
    rules_path: Path | None = None
    """TOML file overriding the rules catalogue's windows and thresholds."""
    max_body_bytes: int = 1_048_576
    """The largest request body the API accepts; larger is 413."""
    rate_limit_per_minute: float = 60
    """Writes and recorded reads (an inspector's or arbitrator's) one principal may make per
    minute, after a burst of `rate_limit_burst`; beyond it 429 with Retry-After. 0: no limit.
    Each process keeps its own count."""
    rate_limit_burst: int = 120
    otel_exporter: str = "none"
    """none (use whatever global tracer provider is set), console, or otlp (traces and metrics
    over OTLP/HTTP, configured by the standard OTEL_* variables; see docs/operations.md)."""
    static_dir: Path | None = None
    """Where GOV.UK Frontend's `dist/govuk` (installed from npm by `make install`) is;
    default: web-assets/node_modules/govuk-frontend/dist/govuk under the Python prefix."""

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{data_dir() / 'ledger.sqlite'}"

    def resolved_signing_key_path(self) -> Path:
        return self.signing_key_path or data_dir() / "keys" / "checkpoint.pem"


def get_settings() -> Settings:
    return Settings()
