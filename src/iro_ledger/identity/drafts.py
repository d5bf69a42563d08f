"""Answers to a form asked one question a page, kept between its pages, sealed.

A draft is free text about a child (a challenge's grounds) that the ledger has not yet
recorded, so the server keeps it only sealed (AES-256-GCM) under a key derived from the
session's cookie, which the server never stores (it keeps the cookie's hash): read at rest,
without the browser's cookie, a draft is noise. One draft per session and form; it goes when
the form is recorded, when the session ends (signing out, expiry, revocation) or after a day.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from iro_ledger.projections.db import Database

DRAFTS = "identity_drafts"
DDL = (f"CREATE TABLE IF NOT EXISTS {DRAFTS} (id_hash TEXT NOT NULL, form TEXT NOT NULL,"
       " sealed TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (id_hash, form))")
LIFETIME = 24 * 3600
"""Seconds a draft is kept after its last answer (its session may end sooner)."""


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _key(session_id: str) -> bytes:
    """The sealing key: from the cookie's secret, apart from its hash the server keeps."""
    return hashlib.sha256(b"iro-ledger draft\0" + session_id.encode("utf-8")).digest()


def seal(session_id: str, form: str, answers: dict[str, str]) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key(session_id)).encrypt(
        nonce, json.dumps(answers, sort_keys=True).encode("utf-8"), form.encode("utf-8"))
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(session_id: str, form: str, text: str) -> dict[str, str] | None:
    raw = base64.b64decode(text)
    try:
        opened = AESGCM(_key(session_id)).decrypt(raw[:12], raw[12:], form.encode("utf-8"))
    except InvalidTag:
        return None
    answers: dict[str, str] = json.loads(opened)
    return answers


class Drafts:
    """Sealed drafts of the forms a session is filling in, in the store's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def keep(self, session_id: str, form: str, answers: dict[str, str],
             now: int | None = None) -> None:
        """The draft of `form` is now `answers` (replacing any before)."""
        at = int(time.time()) if now is None else now
        with self.db.transaction() as tx:
            tx.execute(f"DELETE FROM {DRAFTS} WHERE expires_at <= ?", (at,))
            tx.execute(f"INSERT INTO {DRAFTS} (id_hash, form, sealed, expires_at)"
                       " VALUES (?, ?, ?, ?) ON CONFLICT (id_hash, form) DO UPDATE SET"
                       " sealed = excluded.sealed, expires_at = excluded.expires_at",
                       (_id_hash(session_id), form, seal(session_id, form, answers),
                        at + LIFETIME))

    def get(self, session_id: str, form: str, now: int | None = None) -> dict[str, str] | None:
        """The draft of `form`, or None (none begun, recorded, expired or not this session's)."""
        at = int(time.time()) if now is None else now
        with self.db.reading() as tx:
            row = tx.one(f"SELECT sealed FROM {DRAFTS} WHERE id_hash = ? AND form = ?"
                         " AND expires_at > ?", (_id_hash(session_id), form, at))
        return None if row is None else unseal(session_id, form, str(row["sealed"]))

    def drop(self, session_id: str, form: str | None = None) -> None:
        """Forget the draft of `form` (recorded), or every draft of the session (it ended)."""
        where, params = "id_hash = ?", [_id_hash(session_id)]
        if form is not None:
            where, params = where + " AND form = ?", [*params, form]
        with self.db.transaction() as tx:
            tx.execute(f"DELETE FROM {DRAFTS} WHERE {where}", params)
