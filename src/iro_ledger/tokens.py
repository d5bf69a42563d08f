"""Bearer tokens: HS256 JWTs naming a principal's subject, role, authority and arbitration body.

Minted by the CLI (development tokens) and checked by the API, so it lives beside both rather
than in either. A token that would make an impossible principal (an IRO with no authority, an
arbitrator with no body, an inspector tied to one authority) is refused at minting and again at
decoding, so no route ever sees one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from iro_ledger.application.access import Principal, Role

ALGORITHM = "HS256"
DEFAULT_TTL_MINUTES = 8 * 60
_AUTHORITY_ROLES = frozenset({Role.IRO, Role.IRO_MANAGER, Role.LA_MANAGER})
_REQUIRED_CLAIMS = ["sub", "role", "iat", "exp"]


class TokenError(Exception):
    """The token is missing, malformed, expired, wrongly signed or names an impossible principal."""


def mint_token(
    secret: str,
    sub: str,
    role: str,
    la_code: str | None = None,
    body: str | None = None,
    ttl_minutes: int = DEFAULT_TTL_MINUTES,
    now: datetime | None = None,
) -> str:
    """A signed token for the principal; refuses a principal `decode_token` would refuse."""
    principal = _principal(sub, role, la_code, body)
    if ttl_minutes <= 0:
        raise TokenError("ttl_minutes must be positive")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": principal.sub,
        "role": principal.role.value,
        "iat": issued,
        "exp": issued + timedelta(minutes=ttl_minutes),
    }
    if principal.la_code is not None:
        claims["la"] = principal.la_code
    if principal.body is not None:
        claims["body"] = principal.body
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> Principal:
    """The principal a token names, or `TokenError` saying why it is not accepted."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                            options={"require": _REQUIRED_CLAIMS})
    except jwt.ExpiredSignatureError:
        raise TokenError("the token has expired") from None
    except jwt.InvalidSignatureError:
        raise TokenError("the token's signature does not match") from None
    except jwt.MissingRequiredClaimError as missing:
        raise TokenError(f"the token lacks the {missing.claim!r} claim") from None
    except jwt.InvalidTokenError as bad:
        raise TokenError(f"the token is not valid: {bad}") from None
    return _principal(claims.get("sub"), claims.get("role"), claims.get("la"), claims.get("body"))


def _principal(sub: object, role: object, la_code: object, body: object) -> Principal:
    if not isinstance(sub, str) or not sub.strip():
        raise TokenError("the token's subject must be a non-empty string")
    known = next((r for r in Role if r.value == role), None)
    if known is None:
        allowed = ", ".join(r.value for r in Role)
        raise TokenError(f"unknown role {role!r}; roles are {allowed}")
    for name, value in (("la", la_code), ("body", body)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise TokenError(f"the token's {name!r} claim must be a non-empty string")
    if known in _AUTHORITY_ROLES and la_code is None:
        raise TokenError(f"a principal with role {known} must belong to an authority (la)")
    if known not in _AUTHORITY_ROLES and la_code is not None:
        raise TokenError(f"a principal with role {known} belongs to no authority")
    if known is Role.ARBITRATOR and body is None:
        raise TokenError("an arbitrator must name their arbitration body (body)")
    if known is not Role.ARBITRATOR and body is not None:
        raise TokenError("only an arbitrator names an arbitration body")
    return Principal(sub=sub, role=known, la_code=_str_or_none(la_code), body=_str_or_none(body))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
