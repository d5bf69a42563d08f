"""Bearer tokens: what is minted comes back as the same principal, and nothing else gets through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from iro_ledger.application.access import Principal, Role
from iro_ledger.tokens import TokenError, decode_token, mint_token

SECRET = "unit-test-secret-of-a-comfortable-length-0123456789"


def test_an_iros_token_names_the_same_principal_when_decoded() -> None:
    token = mint_token(SECRET, "iro-ada", "iro", la_code="LA-NORTHWOLD")

    assert decode_token(SECRET, token) == Principal("iro-ada", Role.IRO, "LA-NORTHWOLD")


def test_an_arbitrators_token_carries_their_body_and_no_authority() -> None:
    token = mint_token(SECRET, "arb-1", "arbitrator", body="Fictional Arbitration Panel")

    principal = decode_token(SECRET, token)

    assert (principal.role, principal.la_code, principal.body) == (
        Role.ARBITRATOR, None, "Fictional Arbitration Panel")


def test_the_token_holds_the_claims_other_services_can_read() -> None:
    token = mint_token(SECRET, "mgr-1", "la_manager", la_code="LA-NORTHWOLD", ttl_minutes=30)

    claims = jwt.decode(token, SECRET, algorithms=["HS256"])

    assert claims["sub"] == "mgr-1" and claims["role"] == "la_manager"
    assert claims["la"] == "LA-NORTHWOLD" and "body" not in claims
    assert claims["exp"] - claims["iat"] == 30 * 60


def test_an_expired_token_is_refused() -> None:
    long_ago = datetime.now(UTC) - timedelta(days=2)
    token = mint_token(SECRET, "iro-ada", "iro", la_code="LA-NORTHWOLD", ttl_minutes=60,
                       now=long_ago)

    with pytest.raises(TokenError, match="expired"):
        decode_token(SECRET, token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = mint_token("another-secret-of-a-comfortable-length-9876543210", "iro-ada", "iro",
                       la_code="LA-NORTHWOLD")

    with pytest.raises(TokenError, match="signature"):
        decode_token(SECRET, token)


def test_garbage_is_refused_as_a_token() -> None:
    with pytest.raises(TokenError):
        decode_token(SECRET, "not.a.token")


def test_an_unknown_role_cannot_be_minted() -> None:
    with pytest.raises(TokenError, match="unknown role 'director'"):
        mint_token(SECRET, "dir-1", "director", la_code="LA-NORTHWOLD")


def test_a_forged_token_with_an_unknown_role_is_refused() -> None:
    now = datetime.now(UTC)
    token = jwt.encode({"sub": "x", "role": "superuser", "iat": now,
                        "exp": now + timedelta(minutes=5)}, SECRET, algorithm="HS256")

    with pytest.raises(TokenError, match="unknown role"):
        decode_token(SECRET, token)


def test_an_iro_without_an_authority_cannot_be_minted() -> None:
    with pytest.raises(TokenError, match="must belong to an authority"):
        mint_token(SECRET, "iro-ada", "iro")


def test_a_token_for_an_iro_without_an_authority_is_refused() -> None:
    now = datetime.now(UTC)
    token = jwt.encode({"sub": "iro-ada", "role": "iro", "iat": now,
                        "exp": now + timedelta(minutes=5)}, SECRET, algorithm="HS256")

    with pytest.raises(TokenError, match="must belong to an authority"):
        decode_token(SECRET, token)


def test_an_inspector_is_tied_to_no_authority() -> None:
    with pytest.raises(TokenError, match="belongs to no authority"):
        mint_token(SECRET, "insp-1", "inspector", la_code="LA-NORTHWOLD")


def test_an_arbitrator_must_name_their_body() -> None:
    with pytest.raises(TokenError, match="arbitration body"):
        mint_token(SECRET, "arb-1", "arbitrator")


def test_a_token_without_an_expiry_is_refused() -> None:
    token = jwt.encode({"sub": "iro-ada", "role": "iro", "la": "LA-NORTHWOLD",
                        "iat": datetime.now(UTC)}, SECRET, algorithm="HS256")

    with pytest.raises(TokenError, match="'exp'"):
        decode_token(SECRET, token)
