"""Dashboard sessions, the demo's one-time sign-in codes and revoked tokens, kept server-side.

Three small tables beside the events, in the store's own database (not events: a session is
no fact about a child's case, and ending one must delete it). Only hashes of session ids and
codes are stored, so someone reading the database cannot take over a session with them.

- `identity_sessions`: one row per signed-in browser: the principal, the `jti` of the token
  it signed in with (revoking that token ends the session), a CSRF token for its forms, and
  when it ends. Signing out deletes the row, so the cookie no longer works.
- `identity_codes`: single-use, short-lived codes for the demo's printed sign-in links
  (`/login?code=...`), so no bearer token ever travels in a URL.
- `identity_revoked`: `jti`s refused from now until the token would have expired anyway.
- `identity_pending`: sign-ins by redirect to an identity provider under way (their state,
  nonce and PKCE verifier), each used once, within minutes.
- `identity_drafts`: the sealed answers of forms asked one question a page (`drafts`),
  deleted with their session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from iro_ledger.application.access import Principal, Role
from iro_ledger.identity import drafts
from iro_ledger.projections.db import Database, Row

SESSIONS = "identity_sessions"
CODES = "identity_codes"
REVOKED = "identity_revoked"
PENDING = "identity_pending"
TABLES = (SESSIONS, CODES, REVOKED, PENDING, drafts.DRAFTS)
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {SESSIONS} (id_hash TEXT PRIMARY KEY, sub TEXT NOT NULL,"
    " role TEXT NOT NULL, la_code TEXT, body TEXT, jti TEXT, csrf TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {CODES} (code_hash TEXT PRIMARY KEY, sub TEXT NOT NULL,"
    " role TEXT NOT NULL, la_code TEXT, body TEXT, expires_at BIGINT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {REVOKED} (jti TEXT PRIMARY KEY, revoked_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL, revoked_by TEXT NOT NULL, reason TEXT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {PENDING} (state_hash TEXT PRIMARY KEY, issuer TEXT NOT NULL,"
    " nonce TEXT NOT NULL, verifier TEXT NOT NULL, next TEXT NOT NULL,"
    " expires_at BIGINT NOT NULL)",
    drafts.DDL,
)


@dataclass(frozen=True)
class Session:
    """A signed-in browser: who, the CSRF token its forms carry, and when it ends."""

    principal: Principal
    csrf: str
    expires_at: int


@dataclass(frozen=True)
class Pending:
    """A sign-in by redirect under way: what the provider's answer must match."""

    state: str
    issuer: str
    nonce: str
    verifier: str
    next: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class SignIns:
    """Sessions, sign-in codes and revocations in the store's database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._ready = False
        self._drafts = drafts.Drafts(db)

    @property
    def drafts(self) -> drafts.Drafts:
        """The sealed drafts of forms asked one question a page."""
        self.setup()
        return self._drafts

    def setup(self) -> None:
        """Create the tables if missing (the application role may not, so only if missing)."""
        if self._ready:
            return
        with self.db.transaction() as tx:
            if not tx.has_tables(*TABLES):
                for statement in _DDL:
                    tx.execute(statement)
        self._ready = True

    # Sessions

    def start(self, principal: Principal, jti: str | None, expires_at: int,
              now: int | None = None) -> tuple[str, Session]:
        """A new session until `expires_at` (epoch seconds): its cookie value and itself."""
        self.setup()
        started = int(time.time()) if now is None else now
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self.db.transaction() as tx:
            tx.execute(f"DELETE FROM {SESSIONS} WHERE expires_at <= ?", (started,))
            tx.execute(f"DELETE FROM {drafts.DRAFTS} WHERE id_hash NOT IN"
                       f" (SELECT id_hash FROM {SESSIONS})")
            tx.execute(f"INSERT INTO {SESSIONS} (id_hash, sub, role, la_code, body, jti, csrf,"
                       " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (_hash(session_id), principal.sub, principal.role.value,
                        principal.la_code, principal.body, jti, csrf, started, expires_at))
        return session_id, Session(principal, csrf, expires_at)

    def session(self, session_id: str, now: int | None = None) -> Session | None:
        """The live session a cookie names, or None (unknown, ended or expired)."""
        self.setup()
        at = int(time.time()) if now is None else now
        with self.db.reading() as tx:
            row = tx.one(f"SELECT sub, role, la_code, body, csrf, expires_at FROM {SESSIONS}"
                         " WHERE id_hash = ? AND expires_at > ?", (_hash(session_id), at))
        if row is None:
            return None
        return Session(_principal(row), str(row["csrf"]), int(row["expires_at"]))

    def end(self, session_id: str) -> None:
        """Sign out: the session's row goes, so its cookie no longer works."""
        self.setup()
        with self.db.transaction() as tx:
            tx.execute(f"DELETE FROM {SESSIONS} WHERE id_hash = ?", (_hash(session_id),))
            tx.execute(f"DELETE FROM {drafts.DRAFTS} WHERE id_hash = ?", (_hash(session_id),))

    # One-time codes (the demo's sign-in links)

    def issue_code(self, principal: Principal, ttl_seconds: int,
                   now: int | None = None) -> str:
        """A code that signs `principal` in once, within `ttl_seconds`."""
        self.setup()
        at = int(time.time()) if now is None else now
        code = secrets.token_urlsafe(24)
        with self.db.transaction() as tx:
            tx.execute(f"DELETE FROM {CODES} WHERE expires_at <= ?", (at,))
            tx.execute(f"INSERT INTO {CODES} (code_hash, sub, role, la_code, body, expires_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (_hash(code), principal.sub, principal.role.value, principal.la_code,
                        principal.body, at + ttl_seconds))
        return code

    def redeem_code(self, code: str, now: int | None = None) -> Principal | None:
        """The principal a live code names, used up by this call; None if unknown or spent."""
        self.setup()
        at = int(time.time()) if now is None else now
        with self.db.transaction() as tx:
            row = tx.one(f"SELECT sub, role, la_code, body, expires_at FROM {CODES}"
                         " WHERE code_hash = ?", (_hash(code),))
            if row is None:
                return None
            tx.execute(f"DELETE FROM {CODES} WHERE code_hash = ?", (_hash(code),))
        return _principal(row) if int(row["expires_at"]) > at else None

    # Sign-ins by redirect under way

    def remember_pending(self, pending: Pending, ttl_seconds: int,
                         now: int | None = None) -> None:
        self.setup()
        at = int(time.time()) if now is None else now
        with self.db.transaction() as tx:
            tx.execute(f"DELETE FROM {PENDING} WHERE expires_at <= ?", (at,))
            tx.execute(f"INSERT INTO {PENDING} (state_hash, issuer, nonce, verifier, next,"
                       " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (_hash(pending.state), pending.issuer, pending.nonce,
                        pending.verifier, pending.next, at + ttl_seconds))

    def take_pending(self, state: str, now: int | None = None) -> Pending | None:
        """The sign-in `state` names, used up by this call; None if unknown or expired."""
        self.setup()
        at = int(time.time()) if now is None else now
        with self.db.transaction() as tx:
            row = tx.one(f"SELECT issuer, nonce, verifier, next, expires_at FROM {PENDING}"
                         " WHERE state_hash = ?", (_hash(state),))
            if row is None:
                return None
            tx.execute(f"DELETE FROM {PENDING} WHERE state_hash = ?", (_hash(state),))
        if int(row["expires_at"]) <= at:
            return None
        return Pending(state, str(row["issuer"]), str(row["nonce"]), str(row["verifier"]),
                       str(row["next"]))

    # Revocation

    def revoke(self, jti: str, expires_at: int, revoked_by: str, reason: str,
               now: int | None = None) -> int:
        """Refuse the token `jti` from now on and end the sessions it signed in; how many
        sessions ended. Revoking twice keeps the first record."""
        self.setup()
        at = int(time.time()) if now is None else now
        with self.db.transaction() as tx:
            tx.execute(f"DELETE FROM {REVOKED} WHERE expires_at <= ?", (at,))
            tx.execute(f"INSERT INTO {REVOKED} (jti, revoked_at, expires_at, revoked_by, reason)"
                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING",
                       (jti, at, expires_at, revoked_by, reason))
            ended = tx.one(f"SELECT COUNT(*) AS n FROM {SESSIONS} WHERE jti = ?", (jti,))
            tx.execute(f"DELETE FROM {SESSIONS} WHERE jti = ?", (jti,))
        return int(ended["n"]) if ended else 0

    def is_revoked(self, jti: str) -> bool:
        self.setup()
        return bool(self.db.lookup(f"SELECT 1 AS found FROM {REVOKED} WHERE jti = ?", (jti,)))


def _principal(row: Row) -> Principal:
    return Principal(sub=str(row["sub"]), role=Role(str(row["role"])),
                     la_code=row["la_code"], body=row["body"])


