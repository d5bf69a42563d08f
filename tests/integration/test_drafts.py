"""A journey's drafts in the store's database: sealed under the session's cookie, readable
only with it, replaced answer by answer, and gone when the session ends."""

from __future__ import annotations

import time

from iro_ledger.application import Principal, Role
from iro_ledger.identity.drafts import DRAFTS
from iro_ledger.identity.sessions import SignIns
from iro_ledger.projections.db import Database

IRO = Principal(sub="iro.marsh", role=Role.IRO, la_code="EMR")
GROUNDS = {"case_id": "EMR-C12", "grounds": "The move ignores the child's wishes."}


def signed_in(database_url: str) -> tuple[SignIns, str]:
    sign_ins = SignIns(Database(database_url))
    session_id, _ = sign_ins.start(IRO, None, int(time.time()) + 3600)
    return sign_ins, session_id


def test_a_draft_is_read_back_only_with_the_cookie_that_wrote_it(database_url: str) -> None:
    sign_ins, session_id = signed_in(database_url)
    sign_ins.drafts.keep(session_id, "raise-challenge", GROUNDS)

    assert sign_ins.drafts.get(session_id, "raise-challenge") == GROUNDS
    assert sign_ins.drafts.get(session_id, "concern") is None
    assert sign_ins.drafts.get("another-cookie", "raise-challenge") is None
    with sign_ins.db.reading() as tx:
        [row] = tx.query(f"SELECT id_hash, sealed FROM {DRAFTS}")
    assert "EMR-C12" not in str(row["sealed"]) and "wishes" not in str(row["sealed"])
    assert session_id not in str(row["id_hash"])


def test_a_draft_kept_again_replaces_the_answers_before(database_url: str) -> None:
    sign_ins, session_id = signed_in(database_url)
    sign_ins.drafts.keep(session_id, "raise-challenge", GROUNDS)

    sign_ins.drafts.keep(session_id, "raise-challenge", {**GROUNDS, "grounds": "Changed."})

    assert sign_ins.drafts.get(session_id, "raise-challenge") == {**GROUNDS,
                                                                   "grounds": "Changed."}


def test_signing_out_forgets_the_sessions_drafts(database_url: str) -> None:
    sign_ins, session_id = signed_in(database_url)
    sign_ins.drafts.keep(session_id, "raise-challenge", GROUNDS)

    sign_ins.end(session_id)

    with sign_ins.db.reading() as tx:
        assert tx.query(f"SELECT id_hash FROM {DRAFTS}") == []
