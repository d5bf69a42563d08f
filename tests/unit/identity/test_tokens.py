"""The service's own tokens: what is minted comes back as the same principal, and nothing
else gets through: not another secret, issuer or audience, nor an expired or over-long token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from iro_ledger.application.access import Principal, Role
from iro_ledger.identity.tokens import (
    TokenError,
    TokenPolicy,
    decode_token,
    mint_token,
    verify_token,
)

SECRET = "unit-test-secret-of-a-comfortable-length-0123456789"
POLICY = TokenPolicy(SECRET)


def forged(**claims: Any) -> str:
    """A token signed with the right secret whose claims the test chooses."""
    now = datetime.now(UTC)
    base: dict[str, Any] = {"iss": "iro-ledger", "aud": "iro-ledger", "sub": "iro-ada",
                            "role": "iro", "la": "LA-NORTHWOLD", "iat": now,
                            "exp": now + timedelta(minutes=5), "jti": "j-1"}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, SECRET,
                      algorithm="HS256")


def test_an_iros_token_names_the_same_principal_when_decoded() -> None:
    token = mint_token(POLICY, "iro-ada", "iro", la_code="LA-NORTHWOLD")

    assert decode_token(POLICY, token) == Principal("iro-ada", Role.IRO, "LA-NORTHWOLD")


def test_an_arbitrators_token_carries_their_body_and_no_authority() -> None:
    token = mint_token(POLICY, "arb-1", "arbitrator", body="Fictional Arbitration Panel")

    principal = decode_token(POLICY, token)

    assert (principal.role, principal.la_code, principal.body) == (
        Role.ARBITRATOR, None, "Fictional Arbitration Panel")


def test_the_token_holds_the_claims_other_services_can_read() -> None:
    token = mint_token(POLICY, "mgr-1", "la_manager", la_code="LA-NORTHWOLD", ttl_minutes=30)

    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="iro-ledger")

    assert claims["sub"] == "mgr-1" and claims["role"] == "la_manager"
    assert claims["la"] == "LA-NORTHWOLD" and "body" not in claims
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert (claims["iss"], claims["aud"]) == ("iro-ledger", "iro-ledger")


def test_every_token_has_its_own_id_for_revocation() -> None:
    first, second = (verify_token(POLICY, mint_token(POLICY, "insp-1", "inspector"))
                     for _ in range(2))

    assert first.jti and second.jti and first.jti != second.jti


def test_an_expired_token_is_refused() -> None:
    long_ago = datetime.now(UTC) - timedelta(days=2)
    token = mint_token(POLICY, "iro-ada", "iro", la_code="LA-NORTHWOLD", ttl_minutes=60,
                       now=long_ago)

    with pytest.raises(TokenError, match="expired"):
        decode_token(POLICY, token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    other = TokenPolicy("another-secret-of-a-comfortable-length-9876543210")
    token = mint_token(other, "iro-ada", "iro", la_code="LA-NORTHWOLD")

    with pytest.raises(TokenError, match="signature"):
        decode_token(POLICY, token)


def test_a_token_from_another_issuer_is_refused() -> None:
    with pytest.raises(TokenError, match="another issuer"):
        decode_token(POLICY, forged(iss="someone-else"))


def test_a_token_for_another_audience_is_refused() -> None:
    with pytest.raises(TokenError, match="another audience"):
        decode_token(POLICY, forged(aud="another-service"))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "jti"])
def test_a_token_lacking_a_required_claim_is_refused(claim: str) -> None:
    with pytest.raises(TokenError, match=f"'{claim}'"):
        decode_token(POLICY, forged(**{claim: None}))


def test_a_token_valid_until_the_year_9999_is_refused() -> None:
    with pytest.raises(TokenError, match="lives longer than the 720 minutes"):
        decode_token(POLICY, forged(exp=datetime(9999, 12, 31, tzinfo=UTC)))


def test_a_token_of_exactly_the_longest_lifetime_is_accepted() -> None:
    now = datetime.now(UTC)

    principal = decode_token(POLICY, forged(iat=now, exp=now + timedelta(hours=12)))

    assert principal.sub == "iro-ada"


def test_a_lifetime_beyond_the_maximum_cannot_be_minted() -> None:
    with pytest.raises(TokenError, match="at most 720 minutes"):
        mint_token(POLICY, "admin-1", "admin", ttl_minutes=721)


def test_the_maximum_lifetime_is_the_policys() -> None:
    short = TokenPolicy(SECRET, max_lifetime=timedelta(minutes=10))
    token = mint_token(POLICY, "admin-1", "admin", ttl_minutes=60)

    with pytest.raises(TokenError, match="longer than the 10 minutes"):
        decode_token(short, token)


def test_garbage_is_refused_as_a_token() -> None:
    with pytest.raises(TokenError):
        decode_token(POLICY, "not.a.token")


def test_an_unknown_role_cannot_be_minted() -> None:
    with pytest.raises(TokenError, match="unknown role 'director'"):
        mint_token(POLICY, "dir-1", "director", la_code="LA-NORTHWOLD")


def test_a_forged_token_with_an_unknown_role_is_refused() -> None:
    with pytest.raises(TokenError, match="unknown role"):
        decode_token(POLICY, forged(role="superuser", la=None))


def test_an_iro_without_an_authority_cannot_be_minted() -> None:
    with pytest.raises(TokenError, match="must belong to an authority"):
        mint_token(POLICY, "iro-ada", "iro")


def test_a_token_for_an_iro_without_an_authority_is_refused() -> None:
    with pytest.raises(TokenError, match="must belong to an authority"):
        decode_token(POLICY, forged(la=None))


def test_an_inspector_is_tied_to_no_authority() -> None:
    with pytest.raises(TokenError, match="belongs to no authority"):
        mint_token(POLICY, "insp-1", "inspector", la_code="LA-NORTHWOLD")


def test_an_arbitrator_must_name_their_body() -> None:
    with pytest.raises(TokenError, match="arbitration body"):
        mint_token(POLICY, "arb-1", "arbitrator")
