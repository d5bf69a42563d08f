"""Verified tokens remembered: the same string skips its signature check until it expires,
the memory is bounded, and revocation is still asked every time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iro_ledger.application.access import Principal, Role
from iro_ledger.identity import service
from iro_ledger.identity.service import Identity, VerifiedTokens
from iro_ledger.identity.sessions import SignIns
from iro_ledger.identity.tokens import TokenError, TokenPolicy, Verified, mint_token
from iro_ledger.projections.db import Database

POLICY = TokenPolicy("unit-test-secret-of-a-comfortable-length-0123456789")
NOW = 1_800_000_000.0


def verified(expires_in: float) -> Verified:
    return Verified(Principal("iro-ada", Role.IRO, "LA-1"), "j-1",
                    datetime.fromtimestamp(NOW + expires_in, UTC), "iro-ledger")


@pytest.fixture
def identity(tmp_path: Path) -> Iterator[Identity]:
    db = Database(f"sqlite:///{tmp_path / 'identity.sqlite'}")
    yield Identity(POLICY, SignIns(db))
    db.close()


def test_a_verified_token_is_remembered_until_it_expires() -> None:
    tokens = VerifiedTokens()
    tokens.keep("t", verified(expires_in=60), NOW)

    assert tokens.get("t", NOW + 59) == verified(60)
    assert tokens.get("t", NOW + 60) is None
    assert tokens.get("t", NOW + 1) is None  # gone once found expired


def test_a_verification_is_reused_for_a_bounded_time_even_if_the_token_lives_longer() -> None:
    tokens = VerifiedTokens(seconds=30)
    tokens.keep("t", verified(expires_in=3600), NOW)

    assert tokens.get("t", NOW + 29) is not None
    assert tokens.get("t", NOW + 30) is None


def test_an_expired_token_is_never_remembered() -> None:
    tokens = VerifiedTokens()
    tokens.keep("t", verified(expires_in=-1), NOW)  # within the leeway verify allows

    assert tokens.get("t", NOW) is None


def test_the_least_recently_presented_token_goes_first_when_full() -> None:
    tokens = VerifiedTokens(size=2)
    tokens.keep("a", verified(60), NOW)
    tokens.keep("b", verified(60), NOW)
    tokens.get("a", NOW)
    tokens.keep("c", verified(60), NOW)

    assert [t for t in "abc" if tokens.get(t, NOW)] == ["a", "c"]


def test_identity_checks_a_tokens_signature_once_and_its_revocation_every_time(
        identity: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    token = mint_token(POLICY, "iro-ada", "iro", la_code="LA-1")
    checked: list[str] = []
    verify = service.verify_token
    monkeypatch.setattr(service, "verify_token",
                        lambda policy, t: checked.append(t) or verify(policy, t))

    first = identity.verify(token)
    assert identity.verify(f" {token} ") == first
    assert checked == [token]

    identity.revoke(token, "admin-1", "left")
    with pytest.raises(TokenError, match="revoked"):
        identity.verify(token)


def test_a_refused_token_is_not_remembered(identity: Identity) -> None:
    token = mint_token(POLICY, "iro-ada", "iro", la_code="LA-1")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for _ in range(2):
        with pytest.raises(TokenError):
            identity.verify(tampered)
    assert identity.verified_tokens.get(tampered, time.time()) is None
